# Everything from a fresh clone: `make serve` starts the service, `make test` runs the suite.
# `make mutate` (not in CI) checks that the tests catch deliberate bugs: benchmarks/mutate.py, ARGS="--only NAME".
VENV := .venv
PY := $(VENV)/bin/python
BF_CLI := @microsoft/botframework-cli@4.15.0
BF_STAMP := .bf/$(notdir $(BF_CLI))
POSTGRES_TESTS := tests/test_authoring_core.py tests/test_authoring_models.py tests/test_prediction.py \
	tests/test_query_logs.py tests/test_batch_tests.py tests/test_training_jobs.py tests/test_database_store.py \
	tests/test_cluster.py

$(VENV)/.base: setup.cfg scripts/install.sh
	scripts/install.sh $(VENV)  # the Dockerfile's install step too
	touch $@

$(VENV)/.test: $(VENV)/.base
	scripts/install.sh $(VENV) test,postgres
	touch $@

# PostgreSQL's server binaries for the suite's throwaway cluster (Debian's package, when they are missing)
postgres:
	@command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql)

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

# the whole suite on SQLite, then what touches the database again on PostgreSQL
test: $(VENV)/.test $(BF_STAMP) $(CLU2)/.ok browser postgres
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q --durations=20
	$(PY) -m pytest -q --durations=10 --database postgres $(POSTGRES_TESTS)

# The container image (Dockerfile) with podman, or docker where podman is missing. BASE: another base image with
# python3 >= 3.11 (Docker Hub unreachable); BUILD_FLAGS: more engine options (see README "Container").
# podman builds the docker format: its default, OCI, has no HEALTHCHECK and drops the Dockerfile's.
ENGINE ?= $(shell command -v podman || command -v docker)
BASE ?= docker.io/library/python:3.11-slim
image:
	$(ENGINE) build $(if $(findstring podman,$(notdir $(ENGINE))),--format docker) --build-arg BASE=$(BASE) \
		$(BUILD_FLAGS) -t luislite .

mutate: $(VENV)/.test
	$(PY) benchmarks/mutate.py $(ARGS)

.PHONY: serve test bf mutate browser postgres image
