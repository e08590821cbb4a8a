# Rapport: `make run` starts the bot, `make test` runs every check. Each installs what it needs.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-dates lint bench console clean

# The date-sensitive tests run again at awkward moments, the machine's date faked (faketime):
# the night European clocks go back (01:30 UTC, the second 01:30 in London), a New Year's Eve
# 23:30, a leap day. See tests/faketime/at-dates.sh and docs/operations.md. The Agents
# Playground test is left out there: Chromium aborts under libfaketime (it runs in the plain suite).
DATED_TESTS ?= tests/unit tests/integration tests/slack tests/teams tests/faults \
	--ignore=tests/teams/test_playground_e2e.py
FAKED_DATES ?= 2027-10-31T01:30:00Z 2027-12-31T23:30:00Z 2028-02-29T12:00:00Z

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# Promise detection compiled with mypyc (setup.py), in place: rebuilt whenever a source changes.
# setup.py writes $(NATIVE) (what it compiled) once a build succeeded, the editable install too.
NATIVE := habits/detection/.compiled
$(NATIVE): $(wildcard habits/detection/*.py) | $(STAMP)
	$(BIN)/python setup.py --quiet build_ext --inplace

run: $(STAMP) $(NATIVE)
	$(BIN)/rapport serve

console: $(STAMP) $(NATIVE)
	$(BIN)/rapport console

lint: $(STAMP) $(NATIVE)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Debian's Chromium for the team dashboard's browser tests, installed when missing (as root);
# otherwise those tests skip loudly (tests/dashboard/ensure-chromium.sh).
test: lint
	bash tests/dashboard/ensure-chromium.sh
	$(BIN)/pytest
	$(BIN)/python tests/cluster/cluster.py run -- $(BIN)/pytest tests/integration tests/slack tests/cluster
	$(MAKE) --no-print-directory test-dates

test-dates: $(STAMP) $(NATIVE)
	bash tests/faketime/at-dates.sh $(BIN)/pytest $(DATED_TESTS) -- $(FAKED_DATES)

bench: $(STAMP) $(NATIVE)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info $(NATIVE) habits/*.so habits/detection/*.so
