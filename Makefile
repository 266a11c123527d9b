# Everything a fresh clone needs: `make lab` or `make test` (python3 >= 3.10 with venv, and make).

PY ?= python3
VENV = .venv
STAMP = $(VENV)/.installed

# Debian packages needed outside the venv. Each entry is PACKAGE or PACKAGE:COMMAND
# (COMMAND defaults to PACKAGE); a package is installed only when its command is missing.
# graphviz: `dot` for the SVG fallback and Diagram.save (all targets); chromium: only for the
# browser tests (`make test`, `make screenshot`), so `make lab` does not install a browser.
APT_LAB ?= graphviz:dot
APT_PACKAGES ?= $(APT_LAB) chromium

.PHONY: setup system-deps lab lint check test bench screenshot format clean

setup: viz/static/widget.js $(STAMP)

# The widget's browser bundle (Graphviz WebAssembly + viz/js/), built with Node.js/npm into
# viz/static/ (not committed). Built before the editable install so the wheel build hook
# finds it and skips npm.
WIDGET_JS = viz/static/widget.js
NODE_STAMP = node_modules/.installed

$(WIDGET_JS): package.json package-lock.json $(wildcard viz/js/*) viz/palette.json viz/protocol.json
	@command -v npm >/dev/null 2>&1 || { \
		echo "npm not found: building the widget's JS bundle needs Node.js (>= 18) and npm." >&2; \
		echo "  Debian/Ubuntu: sudo apt-get install -y nodejs npm" >&2; \
		echo "  elsewhere: https://nodejs.org/en/download" >&2; \
		exit 1; }
	@if [ ! -f $(NODE_STAMP) ] || [ package.json -nt $(NODE_STAMP) ] || \
		[ package-lock.json -nt $(NODE_STAMP) ]; then \
		echo "npm ci --no-audit --no-fund"; \
		npm ci --no-audit --no-fund && touch $(NODE_STAMP); \
	fi
	npm run build
	@touch $@

$(STAMP): | $(WIDGET_JS)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --upgrade pip
	$(VENV)/bin/pip install -e '.[test,notebooks,dev,bench]'
	touch $@

system-deps:
	@missing=""; \
	for entry in $(APT_PACKAGES); do \
		pkg="$${entry%%:*}"; cmd="$${entry#*:}"; \
		command -v "$$cmd" >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "installing system packages:$$missing"; \
		apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	else \
		echo "missing system packages:$$missing; run:" >&2; \
		echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$$missing" >&2; \
		exit 1; \
	fi

lab: setup
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(APT_LAB)"
	@mkdir -p notebooks
	@flags=""; \
	if [ "$$(id -u)" = 0 ]; then flags="$$flags --allow-root"; fi; \
	if [ -z "$${DISPLAY:-}" ]; then flags="$$flags --no-browser"; fi; \
	echo "$(VENV)/bin/jupyter lab notebooks/$$flags"; \
	exec $(VENV)/bin/jupyter lab notebooks/ $$flags

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The edit loop (under a minute): lint, the widget's JavaScript unit tests (tests/js, Node's own
# runner), then the engine's and the visualizer's tests without a browser, a notebook kernel, TensorFlow or the slow ones (tests/conftest.py marks the tiers).
CHECK_TESTS = -m "not (browser or notebooks or tensorflow or slow)" --ignore=tests/browser \
	--ignore=tests/test_tensorflow.py --ignore=tests/test_tf_ops.py \
	--ignore=tests/test_careless_input.py

check: setup lint
	npm test --silent
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider $(CHECK_TESTS)

# Everything, as CI runs it.
test: setup system-deps lint
	npm test --silent
	$(VENV)/bin/python -m pytest

bench: setup
	$(VENV)/bin/python benchmarks/run.py

# The pictures of README.md: `viz.explore` on the seed's graph and on the backprop-ninja lecture in
# JupyterLab, taken by the browser tests that drive them (tests/browser/), copied to docs/.
screenshot: setup system-deps
	$(VENV)/bin/python -m pytest tests/browser -q -k \
		"test_lab_value_slider_updates_values_in_place or test_lab_the_seed_and_the_lecture"
	@mkdir -p docs
	cp test-output/browser/explore_seed.png docs/explore.png
	cp test-output/browser/first_sight_ninja.png docs/ninja.png

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis test-output
	rm -rf node_modules viz/static
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
