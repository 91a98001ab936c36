# Two commands for a newcomer on a fresh machine: `make demo` and `make test`. Both set everything up.
PYTHON := .venv/bin/python
STEPS ?= emulator,sanity,units,sanity-2.19,units-2.19,integration,integration-module,package,docs,lint

.PHONY: demo test bench docs venv venv-oldest clean

venv:
	@tools/make-venv.sh

venv-oldest:
	@tools/make-venv.sh .venv-2.19 3.11 requirements-oldest.txt

demo: venv
	$(PYTHON) tools/demo.py

test: venv venv-oldest
	$(PYTHON) tools/suite.py --steps $(STEPS)

docs: venv
	$(PYTHON) tools/docs.py build

bench: venv
	$(PYTHON) bench/run.py

clean:
	rm -rf .venv .venv-2.19 .cache .ansible tests/output
