# Two commands on a fresh machine with Python 3.11 and pip:
#   make run    set up .venv, migrate the embedded SQLite database, load reference
#               and demo data (once), serve on http://127.0.0.1:5000 (gunicorn and
#               a job worker, caseapp/serve.py)
#   make test   install everything, check a requirements.txt-only install, run the whole
#               suite (SQLite and PostgreSQL, one process per core up to 4), then the
#               calendar tests on pinned days (PostgreSQL)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := wsgi.py

# WeasyPrint needs Pango; the browser tests need Debian's Chromium.
PDF_PACKAGES     := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core
BROWSER_PACKAGES := chromium chromium-driver

.PHONY: run test test-pinned-days production-install audit-dependencies install system-pdf system-browser extract-messages bench bench-http bench-scale clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

system-pdf:
	@scripts/ensure-debian-packages "PDF reports (WeasyPrint)" $(PDF_PACKAGES) \
	  || echo "!! continuing without them: PDF generation will fail until they are installed"

system-browser:
	@scripts/ensure-debian-packages "browser tests" $(BROWSER_PACKAGES) \
	  || echo "!! continuing: browser tests will be skipped (and fail under CI=true)"

install: system-pdf $(VENV)/.installed

run: install
	CASEAPP_DEMO=1 $(BIN)/flask db upgrade
	CASEAPP_DEMO=1 $(BIN)/flask refdata load
	CASEAPP_DEMO=1 $(BIN)/flask demo seed
	CASEAPP_DEMO=1 CASEAPP_LOG_FORMAT=text $(BIN)/python -m caseapp.serve

# The days that have bitten or will: tests marked `calendar` run on each of them too,
# on PostgreSQL (the main suite runs them on both databases, on the real day).
PINNED_DAYS := 2027-01-01 2026-11-30 2026-12-04 2026-12-31 2028-02-29

test: install system-browser production-install audit-dependencies
	$(BIN)/python -m pytest -n auto --maxprocesses 4
	$(MAKE) --no-print-directory test-pinned-days

# Two days at a time (each run waits on its databases part of the time); each day's
# output is printed whole when it ends, and any failing day fails the target.
test-pinned-days: install system-browser
	@printf '%s\n' $(PINNED_DAYS) | xargs -P 2 -I @DAY@ sh -c '\
	  log=$$(mktemp); CASEAPP_TEST_TODAY=@DAY@ CASEAPP_TEST_BACKENDS=postgresql $(BIN)/python -m pytest -q -m calendar >$$log 2>&1; \
	  status=$$?; echo ">> tests marked calendar, as if today were @DAY@"; cat $$log; rm -f $$log; \
	  exit $$status'

# Published vulnerabilities in the pins (pip-audit); says "NOT RUN" where PyPI's advisory
# data cannot be reached, as on an offline CI machine.
audit-dependencies: install
	$(BIN)/python scripts/audit-dependencies

# `pip install -r requirements.txt` alone must run the app (scripts/check-production-install).
production-install: system-pdf
	scripts/check-production-install

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output -o caseapp/translations/messages.pot caseapp workflows reports
	$(BIN)/pybabel update -i caseapp/translations/messages.pot -d caseapp/translations -D messages --no-fuzzy-matching
	$(BIN)/python scripts/fill-english-catalog caseapp/translations/en/LC_MESSAGES/messages.po

bench: install
	$(BIN)/python bench/audit_chain.py
	$(BIN)/python bench/audit_verify.py 200000
	$(BIN)/python bench/dtsen_import.py 200000
	$(BIN)/python bench/approve_batch.py 10000
	$(BIN)/python bench/contributions_generate.py 200000
	$(BIN)/python bench/decree_annex.py 10000
	$(BIN)/python bench/renewal.py 200000

# Worklist, case and home pages under gunicorn (4 workers) at 16 users, on PostgreSQL.
bench-http: install
	$(BIN)/python bench/http_throughput.py 3000 20

# Every page at city scale: a throwaway PostgreSQL database of 1,000,000 workers and 20
# million audit events (about 25 minutes to build and measure on 2 cores; WORKERS=...).
WORKERS ?= 1000000
bench-scale: install
	$(BIN)/python bench/scale.py $(WORKERS) postgres

clean:
	rm -rf $(VENV) .venv-production .pytest_cache
