# Two commands on a fresh machine with Python 3.11 and make: `make run`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: run test bench validate clean sample-data browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

run: $(STAMP)
	$(PY) run_schedule.py plan --out out

validate: $(STAMP)
	$(PY) run_schedule.py validate

# The browser tests open the reports in headless Chromium (Debian's package); install it when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "could not install chromium: the browser tests will be skipped"

test: $(STAMP) browser
	$(PY) -m pytest -q

bench: $(BENCH_STAMP)
	$(PY) -m bench.run_all

sample-data: $(STAMP)
	$(PY) -m data.generate_sample

clean:
	rm -rf out .pytest_cache
