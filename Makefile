# Everything from a fresh clone: `make serve` starts the service, `make test` runs the suite.
# `make mutate` (not in CI) checks that the tests catch deliberate bugs: benchmarks/mutate.py, ARGS="--only NAME".
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

$(VENV)/.base: setup.cfg
	python3 -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) torch==2.13.0  # the CPU wheel; a looser pin would pull a multi-GB CUDA build
	$(PIP) -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(PIP) -e '.[test]'
	touch $@

serve: $(VENV)/.base
	$(VENV)/bin/luislite serve

test: $(VENV)/.test
	$(PY) -m pytest -q --durations=20

mutate: $(VENV)/.test
	$(PY) benchmarks/mutate.py $(ARGS)

.PHONY: serve test mutate
