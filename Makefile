# Two commands on a fresh machine: `make demo` serves the hub with demo data
# (SQLite, no server needed); `make test` runs the tests (PostgreSQL when
# DATABASE_URL is set).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PERSONS ?= 2000
PORT ?= 8000

.PHONY: demo test install lint serve messages bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: install
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python manage.py seed_demo --persons $(PERSONS)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

serve: install
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn hub.wsgi --config hub/gunicorn.conf.py

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore '.venv/*'

clean:
	rm -rf var/hub.sqlite3 var/static
