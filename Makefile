# Two commands on a fresh machine with Python 3.11 and pip:
#   make run    set up .venv, migrate the embedded SQLite database, load reference
#               and demo data (once), serve on http://127.0.0.1:5000
#   make test   install everything and run the whole suite (SQLite and PostgreSQL)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := wsgi.py

# WeasyPrint needs Pango; the browser tests need Debian's Chromium.
PDF_PACKAGES     := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core
BROWSER_PACKAGES := chromium chromium-driver

.PHONY: run test install system-pdf system-browser translations extract-messages bench clean

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

translations: $(VENV)/.installed
	@for domain in messages admin wtforms; do \
	  $(BIN)/pybabel compile --statistics -d caseapp/translations -D $$domain 2>&1 | grep -v "^compiling" || true; \
	done

install: system-pdf $(VENV)/.installed translations

run: install
	CASEAPP_DEMO=1 $(BIN)/flask db upgrade
	CASEAPP_DEMO=1 $(BIN)/flask refdata load
	CASEAPP_DEMO=1 $(BIN)/flask demo seed
	CASEAPP_DEMO=1 $(BIN)/flask run --host 127.0.0.1 --port 5000

test: install system-browser
	$(BIN)/python -m pytest

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output -o caseapp/translations/messages.pot caseapp workflows reports
	$(BIN)/pybabel update -i caseapp/translations/messages.pot -d caseapp/translations -D messages --no-fuzzy-matching
	$(BIN)/python scripts/fill-english-catalog caseapp/translations/en/LC_MESSAGES/messages.po

bench: install
	$(BIN)/python bench/audit_chain.py
	$(BIN)/python bench/dtsen_import.py 200000
	$(BIN)/python bench/approve_batch.py 10000
	$(BIN)/python bench/contributions_generate.py 200000
	$(BIN)/python bench/decree_annex.py 10000

clean:
	rm -rf $(VENV) .pytest_cache
