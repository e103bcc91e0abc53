# Dialogue Portal — the documented entry points.
PYTHON_BOOTSTRAP ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Test databases: the suite always runs on SQLite, then on PostgreSQL when DATABASE_URL names one.
PYTEST_ARGS ?=
N ?= 100000
# PAGES=list,search,detail,detail_cached,storm measures only those (default: every page).
PAGES ?=
# The Nu HTML Checker for tests/site/test_valid_html.py: vnu.jar from npm (its Java-download
# script is skipped), run with the system's Java (Debian: default-jre-headless).
VNU_VERSION := 26.9.27
VNU_JAR := $(VENV)/vnu/node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: install vnu run worker test test-fast test-sqlite test-clock test-postgres lint typecheck format migrations-check messages ci bench bench-quick bench-import bench-mail cluster cluster-down test-cluster bench-cluster backup restore clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PYTHON) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 13), "Python 3.13 is required, found " + sys.version'
	$(BIN)/pip install -q --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --python $(PYTHON) -q -r requirements.lock
	touch $@

vnu: $(VNU_JAR)

$(VNU_JAR):
	npm install --prefix $(VENV)/vnu --no-save --no-audit --no-fund --ignore-scripts vnu-jar@$(VNU_VERSION)
	test -f $@ && touch $@

# For translators: refresh locale/ru from the templates and code, then compile (needs gettext).
# The compiled catalogue is committed, so a fresh clone serves Russian without this step.
messages: install
	$(PYTHON) manage.py makemessages -l ru --ignore=.venv --ignore=tests --ignore=dialogue_portal/staff --ignore=dialogue_portal/demo --ignore=dialogue_portal/oai --ignore=dialogue_portal/pages --ignore=dialogue_portal/twofactor --no-obsolete
	$(PYTHON) manage.py compilemessages --ignore=.venv

run: install
	$(PYTHON) manage.py migrate --noinput -v0
	$(PYTHON) manage.py load_demo
	$(PYTHON) manage.py oai_refresh -v0
	$(PYTHON) manage.py collectstatic --noinput -v0
	@echo ""
	@echo "  Mail (newsletter confirmations and issues) is written to $(CURDIR)/mail/, one file per batch"
	@echo "  The task worker (archive imports, confirmation mails) runs beside the server"
	@echo "  Dialogue Portal: http://$(HOST):$(PORT)/   (Russian: http://$(HOST):$(PORT)/ru/)"
	@echo "  Admin:           http://$(HOST):$(PORT)/admin/"
	@echo "  Demo logins (password, then the code of an authenticator app holding the TOTP secret):"
	@echo "    admin    / dialogue-admin     TOTP UB2HGSWLLOMEVMMA7TFWP5NSMERUNOKO  (superuser)"
	@echo "    editor   / dialogue-editor    TOTP SVZIBGOG3T7NDDUY3LPDENH62S2OFPEC  (editor)"
	@echo "    reviewer / dialogue-reviewer  TOTP XRTBKRRKOAPH4Q4BUID6CHPWTRRHJMSN  (publishes, reviews, manages the newsletter)"
	@echo "    redaktor / dialogue-redaktor  TOTP VUUFBAOFXZFSXCKIYOAIQKQFRKGCHANT  (editor, admin in Russian)"
	@echo "  A code now: $(PYTHON) -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\""
	@echo ""
	@# The task worker in the background for as long as the server runs.
	$(PYTHON) manage.py db_worker --no-reload --interval 0.5 -v0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PYTHON) manage.py runserver $(HOST):$(PORT)

# The task worker alone (archive dry runs and imports, confirmation mails): what production
# runs as a service of its own, one or more per site.
worker: install
	$(PYTHON) manage.py db_worker --no-reload

# The suite runs on both cores (pytest-xdist), one test file per worker at a time. pytest's
# cache is on: `--lf`, `--ff` and friends work through PYTEST_ARGS, e.g.
# `make test-fast PYTEST_ARGS=--lf`.
WORKERS ?= 2
# Bytecode is kept even where PYTHONDONTWRITEBYTECODE is set: otherwise each pytest process
# (the controller and every worker) compiles the project and rewrites the asserts of every
# test module again, about ten seconds of CPU each.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(WORKERS) --dist loadfile
SQLITE := env -u DATABASE_URL -u REDIS_URL
# Browser tests (e2e) and the HTML checker (vnu) run once in `make test`: in the PostgreSQL
# pass, the production engine, when there is one.
ONCE := e2e or vnu
POSTGRES := $(filter postgres://% postgresql://%,$(DATABASE_URL))

# Everything CI runs, in one session per database: the suite on PostgreSQL when DATABASE_URL
# names one, then on SQLite, each test marked `clock` under every moment of tests/clock.py as
# well. Browser and HTML-checker tests run in the PostgreSQL pass only (or on SQLite when
# there is no PostgreSQL). The PostgreSQL pass goes first: its browser tests leave some of
# the cores idle while they wait on Chromium, which whatever runs beside `make test` (CI's
# cluster) takes up; the SQLite pass keeps both busy.
test: install
ifneq ($(POSTGRES),)
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-sqlite MARKS="not ($(ONCE))"
else
	@echo "DATABASE_URL names no PostgreSQL database: the PostgreSQL pass is not run."
	$(MAKE) --no-print-directory test-sqlite
endif

# The quick loop: SQLite, at the set moment only, no browser, no Java.
test-fast: install
	@echo "== quick loop: SQLite, no browser, HTML checker or whole-archive round trip =="
	$(SQLITE) $(PYTEST) -m "not ($(ONCE) or slow)" $(PYTEST_ARGS)

# MARKS="..." narrows it (`make test` passes "not (e2e or vnu)" after the PostgreSQL pass).
MARKS ?=
test-sqlite: install $(if $(MARKS),,vnu)
	@echo "== test suite on SQLite, the date-dependent tests under every clock =="
	$(SQLITE) $(PYTEST) --clock-passes $(if $(MARKS),-m "$(MARKS)") $(PYTEST_ARGS)

# The tests marked `clock` alone, under the set moment and each moment of tests/clock.py's
# PASSES: every weekday, both sides of midnight in London and Moscow, the days London's
# clocks change.
test-clock: install
	@echo "== date-dependent tests under every clock of tests/clock.py =="
	$(SQLITE) $(PYTEST) --clock-passes -m clock $(PYTEST_ARGS)

test-postgres: install vnu
	@echo "== test suite on PostgreSQL ($$DATABASE_URL) =="
	@# Fifty readers connecting at once on two cores can take more than the production 2 s.
	env -u REDIS_URL DATABASE_CONNECT_TIMEOUT=$${DATABASE_CONNECT_TIMEOUT:-10} \
	  $(PYTEST) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck

# mypy on the modules listed in pyproject.toml's [tool.mypy] `files`, with the Django plugin
# reading the settings as the test suite does (SQLite, no Redis).
typecheck: install
	env -u DATABASE_URL -u REDIS_URL $(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	env -u DATABASE_URL $(PYTHON) manage.py makemigrations --check --dry-run

bench: install
	$(PYTHON) tests/benchmarks/run.py --publications $(N) $(if $(PAGES),--pages $(PAGES))

bench-quick: install
	$(PYTHON) tests/benchmarks/run.py --quick

# Import speed: N_IMPORT generated publications exported and imported again (records/s).
N_IMPORT ?= 10000
bench-import: install
	$(PYTHON) tests/benchmarks/import_bench.py --publications $(N_IMPORT)

# Weekly digests to 1,000 and 10,000 subscribers through aiosmtpd on 127.0.0.1: mails/s, peak memory.
bench-mail: install
	$(PYTHON) tests/benchmarks/mail.py

# The production topology on this machine (deploy/cluster.sh, docs/deploying.md): Varnish in
# front of two gunicorn nodes, a PostgreSQL primary and streaming replica, Redis, S3 media.
# Idempotent; `cluster-down` stops exactly what it started. State lives in .cluster/.
cluster: install
	deploy/cluster.sh up

cluster-down:
	deploy/cluster.sh down

# The tests marked `cluster`, against the running cluster (brought up first if need be).
test-cluster: cluster
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest -p no:xdist -q --cluster tests/cluster $(PYTEST_ARGS)

# The cluster's figures (tests/benchmarks/cluster.py, docs/performance.md): Varnish hits and
# the floor, both nodes on a miss, purge to fresh, the replica's share of reads.
bench-cluster: cluster
	env -u DATABASE_URL -u REDIS_URL $(PYTHON) tests/benchmarks/cluster.py

# A dump of the cluster's primary (pg_dump custom format) and a copy of the media bucket,
# into BACKUP_DIR (default .cluster/backups/<time>); `restore` loads the newest (or
# BACKUP_DIR) into a fresh database and bucket, and prints their names.
BACKUP_DIR ?=
backup: install
	deploy/cluster.sh backup $(BACKUP_DIR)

restore: install
	deploy/cluster.sh restore $(BACKUP_DIR)

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
