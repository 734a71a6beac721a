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

# Debian's chromium and its driver, for the console's browser tests (tests/test_console.py), installed when missing.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
		else echo "chromium and chromium-driver are missing: the browser tests will be skipped (root: make browser)"; fi; \
	fi

test: $(VENV)/.test browser
	$(PY) -m pytest -q --durations=20

.PHONY: serve test browser
