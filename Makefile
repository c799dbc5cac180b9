# The two commands of the README: `make demo` (the main job) and `make test` (everything CI runs).
# Both create .venv, install the project, and make sure PostgreSQL answers (scripts/ensure-postgres.sh).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG := eval "$$(scripts/ensure-postgres.sh)"

.PHONY: demo test check codegen lint typecheck pytest compat reliability clean

$(STAMP): pyproject.toml
	command -v dot >/dev/null || scripts/install-system-packages.sh graphviz
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

# Embedded defaults: the database thoth_storages_demo and, without THOTH_S3_ENDPOINT_URL, the local
# document store under .thoth-storages/documents.
demo: $(STAMP)
	$(PG) && export KNOWLEDGE_GRAPH_DATABASE=$${KNOWLEDGE_GRAPH_DATABASE:-thoth_storages_demo} \
	  THOTH_CEPH_BUCKET_PREFIX=$${THOTH_CEPH_BUCKET_PREFIX:-data} THOTH_DEPLOYMENT_NAME=$${THOTH_DEPLOYMENT_NAME:-demo} && \
	  $(BIN)/thoth-storages demo

codegen: $(STAMP)
	$(BIN)/thoth-storages codegen

check: $(STAMP)
	$(BIN)/thoth-storages codegen --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check codegen generated thoth_storages thoth tests benchmarks scripts alembic
	$(BIN)/mypy --strict codegen generated thoth_storages thoth

pytest: $(STAMP)
	$(PG) && $(BIN)/pytest

test: check pytest

# The differential suite against thoth-storages 0.74.2 on every real document (make test runs a subset).
compat: $(STAMP)
	scripts/compat-original.sh --install-only
	$(PG) && $(BIN)/python -m tests.compat.differential --all

# The reliability suite at full size (fuzz, kill -9, S3 faults, concurrency, a database restart); prints
# its figures at the end. `make test` runs the same tests at a small size.
reliability: $(STAMP)
	$(PG) && THOTH_STORAGES_RELIABILITY=full $(BIN)/pytest tests/reliability -q

clean:
	rm -rf $(VENV) .thoth-storages .mypy_cache .pytest_cache .ruff_cache .hypothesis
