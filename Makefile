# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install var lint migrate seed check-deploy clean

run: install migrate seed
	@echo "Starting web, Celery worker and Celery beat on http://$(HOST):$(PORT)  (Ctrl-C stops all three)"
	PATH="$(CURDIR)/$(BIN):$$PATH" WEB_BIND=$(HOST) $(BIN)/honcho start --port $(PORT)

# One pytest process a core (pytest-xdist); TEST_WORKERS=0 runs in one process. Tests are
# handed out in pytest-django's order (database tests before the ones that commit and
# flush), so no-loadscope-reorder: xdist would otherwise send the largest group first.
TEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder $(PYTEST_ARGS)

install: $(VENV)/.installed node_modules/.installed .env var var/secret_key

$(VENV)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The folders the app writes into (SQLite files, outboxes, the filesystem broker, static
# files). Settings only name them: importing settings never writes anything.
VAR_DIRS := var/static var/outbox/email var/outbox/sms var/broker/queue var/broker/processed var/broker/control
# var/ holds patient data in development (the SQLite file, emails): the owner only. The
# SQLite file is made empty (a valid new database) with mode 0600; its -wal and -shm files
# take the same mode.
var:
	@mkdir -p -m 700 var && chmod 700 var
	@mkdir -p $(VAR_DIRS)
	@test -e var/clinic.sqlite3 || (umask 077 && touch var/clinic.sqlite3)

# The development signing key (settings read it when DEBUG is on and SECRET_KEY is unset).
var/secret_key: | var $(VENV)/.installed
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# Developer defaults; real environment variables always win over this file.
.env:
	printf 'DEBUG=true\n' > $@

migrate: install
	$(BIN)/python manage.py migrate --no-input

seed: install
	$(BIN)/python manage.py seed_demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

# Regenerate the lock file after editing pyproject.toml dependencies.
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) node_modules var/static
