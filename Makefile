# The two commands of the README: `make demo` (the main job) and `make test` (everything CI runs).
# Both create .venv, install the project, and make sure PostgreSQL answers (scripts/ensure-postgres.sh).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG := eval "$$(scripts/ensure-postgres.sh)"

.PHONY: demo test check codegen lint typecheck pytest clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

demo: $(STAMP)
	$(PG) && export KNOWLEDGE_GRAPH_DATABASE=$${KNOWLEDGE_GRAPH_DATABASE:-thoth_storages_demo} && \
	  $(BIN)/thoth-storages db init

codegen: $(STAMP)
	$(BIN)/thoth-storages codegen

check: $(STAMP)
	$(BIN)/thoth-storages codegen --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict codegen generated thoth_storages

pytest: $(STAMP)
	$(PG) && $(BIN)/pytest

test: check pytest

clean:
	rm -rf $(VENV) .thoth-storages .mypy_cache .pytest_cache .ruff_cache .hypothesis
