# Two commands for a newcomer on a fresh machine: `make demo` and `make test`. Both set everything up.
PYTHON := .venv/bin/python
STEPS ?= emulator,sanity,units,integration,package,lint

.PHONY: demo test bench venv clean

venv:
	@tools/make-venv.sh

demo: venv
	$(PYTHON) tools/demo.py

test: venv
	$(PYTHON) tools/suite.py --steps $(STEPS)

bench: venv
	$(PYTHON) bench/run.py

clean:
	rm -rf .venv .cache .ansible tests/output
