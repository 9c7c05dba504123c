# The two commands of the README: `make demo` and `make test`. Both install what is missing
# (Debian packages, a virtual environment with the Python packages) before they run; the test
# run also installs pyspark, for the Spark tests of the indicator SQL, and the portal with its
# test tools (Django, psycopg, gunicorn, pytest-django, Playwright) and Debian's chromium for the
# browser tests. The portal's tests use the PostgreSQL server on 127.0.0.1:5432. Python packages
# are installed at the versions of constraints.txt (the lock); `make lock` refreshes it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SPARK  := $(VENV)/.installed-spark
WEB    := $(VENV)/.installed-web
BENCH  := $(VENV)/.installed-bench
LOCK   := constraints.txt

.PHONY: install sysdeps sysdeps-test demo test bench bench-portal lock clean

install: sysdeps $(STAMP)

sysdeps:
	@bash scripts/install-system-deps.sh

sysdeps-test:
	@bash scripts/install-system-deps.sh --test

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c $(LOCK) -e '.[test]'
	touch $(STAMP)

$(SPARK): $(STAMP)
	$(BIN)/pip install -q -c $(LOCK) -e '.[test,spark]'
	touch $(SPARK)

$(BENCH): $(STAMP) pyproject.toml $(LOCK)
	$(BIN)/pip install -q -c $(LOCK) -e '.[test,bench]'
	touch $(BENCH)

$(WEB): $(STAMP) pyproject.toml $(LOCK)
	$(BIN)/pip install -q -c $(LOCK) -e '.[test,spark,web,webtest]'
	touch $(WEB)

demo: install
	$(BIN)/nianbao report examples/datong-2020 -o out/datong-2020

test: install sysdeps-test $(SPARK) $(WEB)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# the quick benchmarks (pandas and pyarrow for the reference ways); the others are listed in the README
bench: install $(BENCH)
	$(BIN)/python bench/bench_report.py
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_schools.py

bench-portal: install $(WEB)
	$(BIN)/python bench/bench_portal.py

# the newest versions pyproject.toml allows, written to constraints.txt; then run make test
lock:
	PYTHON=$(PYTHON) bash scripts/lock-deps.sh

clean:
	rm -rf $(VENV) out build src/*.egg-info
