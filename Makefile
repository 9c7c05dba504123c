# The two commands of the README: `make demo` and `make test`. Both install what is missing
# (Debian packages, a virtual environment with the Python packages) before they run; the test
# run also installs pyspark, for the Spark tests of the indicator SQL. Python packages are
# installed at the versions of constraints.txt (the lock); `make lock` refreshes it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SPARK  := $(VENV)/.installed-spark
LOCK   := constraints.txt

.PHONY: install sysdeps demo test bench lock clean

install: sysdeps $(STAMP)

sysdeps:
	@bash scripts/install-system-deps.sh

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c $(LOCK) -e '.[test]'
	touch $(STAMP)

$(SPARK): $(STAMP)
	$(BIN)/pip install -q -c $(LOCK) -e '.[test,spark]'
	touch $(SPARK)

demo: install
	$(BIN)/nianbao report examples/datong-2020 -o out/datong-2020

test: install $(SPARK)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/bench_report.py
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_schools.py

# the newest versions pyproject.toml allows, written to constraints.txt; then run make test
lock:
	PYTHON=$(PYTHON) bash scripts/lock-deps.sh

clean:
	rm -rf $(VENV) out build src/*.egg-info
