# Everything from a fresh clone: `make serve` starts the service, `make test` runs the suite.
VENV := .venv
PY := $(VENV)/bin/python
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

# the whole suite on SQLite, then what touches the database again on PostgreSQL
test: $(VENV)/.test postgres
	$(PY) -m pytest -q --durations=20
	$(PY) -m pytest -q --durations=10 --database postgres $(POSTGRES_TESTS)

.PHONY: serve test postgres
