# Two commands a new user needs (see README):
#   make demo   set everything up, build the sample workspace and open the dashboard
#   make test   set everything up (Python packages and Chromium) and run every test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: setup demo serve test test-spark lint format browser java bench clean

setup: $(VENV)/.installed

# Reinstall only when the dependencies or their pinned versions change.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

demo: setup
	$(BIN)/handoff demo

serve: setup
	$(BIN)/handoff serve

# Browser tests drive Debian's Chromium; it is installed here, never downloaded by Playwright.
browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The Spark tests need Java 17 or newer (JAVA_HOME or `java` on PATH); Debian's is installed.
java:
	@[ -n "$$JAVA_HOME" ] || command -v java >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }

# Three workers on two cores: most tests wait on a browser or a JVM, not on the CPU.
# Whole files go to one worker (loadfile) so each Spark test file starts one JVM, not
# three. `$(BIN)/pytest tests/FILE.py` runs one file on its own, in order.
test: setup browser java
	$(BIN)/ruff check .
	$(BIN)/pytest -n 3 --dist loadfile

# only the Spark tests (make test runs them too): every metric against DuckDB in six
# scenarios, the command, the traps (about 3 minutes on 2 cores)
test-spark: setup java
	$(BIN)/pytest -m spark tests/test_spark_engine.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache screenshots bench/data bench/out
