# Everything from a fresh clone: `make serve` starts the service, `make test` runs the suite.
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

# Azure's second CLU SDK generation cannot share .venv with the first: tests/clu_sdk2.py runs in its own venv
CLU2 := .venv-clu2
$(CLU2)/.ok:
	python3 -m venv $(CLU2)
	$(CLU2)/bin/python -m pip install --quiet --disable-pip-version-check \
		azure-ai-language-conversations-authoring==1.0.0b4 pytest
	touch $@

test: $(VENV)/.test $(CLU2)/.ok
	$(PY) -m pytest -q --durations=20

.PHONY: serve test
