# Everything from a fresh clone: `make serve` starts the service, `make test` runs the suite.
# `make mutate` (not in CI) checks that the tests catch deliberate bugs: benchmarks/mutate.py, ARGS="--only NAME".
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
BF_CLI := @microsoft/botframework-cli@4.15.0
BF_STAMP := .bf/$(notdir $(BF_CLI))

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

# Debian's chromium and its driver, for the console's browser tests (tests/test_console.py), installed when missing.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
		else echo "chromium and chromium-driver are missing: the browser tests will be skipped (root: make browser)"; fi; \
	fi

# The Bot Framework CLI (`bf`, npm) that tests/test_bf_cli.py drives; --ignore-scripts: no install scripts run
$(BF_STAMP):
	rm -rf .bf
	npm install --ignore-scripts --no-audit --no-fund --loglevel=error --prefix .bf $(BF_CLI)
	touch $@

bf: $(BF_STAMP)

# Azure's second CLU SDK generation cannot share .venv with the first: tests/clu_sdk2.py runs in its own venv
CLU2 := .venv-clu2
$(CLU2)/.ok:
	python3 -m venv $(CLU2)
	$(CLU2)/bin/python -m pip install --quiet --disable-pip-version-check \
		azure-ai-language-conversations-authoring==1.0.0b4 pytest
	touch $@

test: $(VENV)/.test $(BF_STAMP) $(CLU2)/.ok browser
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q --durations=20

mutate: $(VENV)/.test
	$(PY) benchmarks/mutate.py $(ARGS)

.PHONY: serve test bf mutate browser
