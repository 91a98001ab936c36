# Two commands for a newcomer on a fresh machine: `make demo` and `make test`. Both set everything up.
PYTHON := .venv/bin/python
STEPS ?= emulator,sanity,units,sanity-2.20,units-2.20,integration-2.20,sanity-2.19,units-2.19,integration-2.19,integration,integration-module,integration-flipped,mypy,extra-checks,package,docs,lint

.PHONY: demo test bench docs venv venv-oldest venv-2.20 clean

venv:
	@tools/make-venv.sh

venv-oldest:
	@tools/make-venv.sh .venv-2.19 3.11 requirements-oldest.txt

venv-2.20:
	@tools/make-venv.sh .venv-2.20 3.13 requirements-2.20.txt

demo: venv
	$(PYTHON) tools/demo.py

# The venvs of the older ansible-core versions are steps of the suite (made next to other steps).
# ECE_TEST_OFFLINE=false: the suite writes no stand-ins into ansible-test's cache (see tools/suite.py, OFFLINE).
test: venv
	$(PYTHON) tools/suite.py --steps $(STEPS) --setup-seconds .venv/.setup-seconds

docs: venv
	$(PYTHON) tools/docs.py build

bench: venv
	@$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	$(PYTHON) bench/run.py

clean:
	rm -rf .venv .venv-2.19 .venv-2.20 .cache .ansible tests/output
