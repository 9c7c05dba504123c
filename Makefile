# The two commands of the README: `make demo` and `make test`. Both install what is missing
# (Debian packages, a virtual environment with the Python packages) before they run; the test
# run also installs pyspark, for the Spark tests of the indicator SQL.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SPARK  := $(VENV)/.installed-spark

.PHONY: install sysdeps demo test bench clean

install: sysdeps $(STAMP)

sysdeps:
	@bash scripts/install-system-deps.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

$(SPARK): $(STAMP)
	$(BIN)/pip install -q -e '.[test,spark]'
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

clean:
	rm -rf $(VENV) out build src/*.egg-info
