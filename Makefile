# fenxiao: `make demo` runs the demo shop, `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FENXIAO_DATA_DIR ?= $(CURDIR)/var
PYTEST_ARGS ?= -n auto

.PHONY: demo test lint fmt bench install install-test chromium fonts pg-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

demo: install fonts client
	$(BIN)/fenxiao demo

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The uni-app client (client/): Debian's node and npm when missing, `npm ci` when the lock file
# changed, the H5 build (served by fenxiao at /) and the WeChat mini-program build when a source
# is newer than the last build. FENXIAO_WECHAT_APPID and FENXIAO_PUBLIC_BASE_URL go into client-mp.
.PHONY: node client client-mp client-test
CLIENT_SOURCES := $(shell find client/src client/build-tools -type f 2>/dev/null) client/index.html \
	client/vite.config.js client/package.json

node:
	@{ command -v node && command -v npm; } >/dev/null 2>&1 || { \
	  echo "installing Debian's nodejs and npm for the client"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }

client/node_modules/.package-lock.json: client/package-lock.json | node
	cd client && npm ci --no-audit --no-fund
	touch $@

client/.stamp-h5: client/node_modules/.package-lock.json $(CLIENT_SOURCES)
	cd client && npm run build:h5
	find client/dist/build/h5 -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' \) \
	  -exec gzip -9 -k -f {} +
	touch $@

client/.stamp-mp: client/node_modules/.package-lock.json $(CLIENT_SOURCES)
	cd client && npm run build:mp-weixin
	touch $@

client: client/.stamp-h5

client-mp: client/.stamp-mp

client-test: client/node_modules/.package-lock.json
	cd client && npm test

# a CJK font for posters (FENXIAO_POSTER_FONT overrides) and browser screenshots
fonts:
	@test -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc || \
	  fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  echo "installing Debian's fonts-noto-cjk for posters"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; }

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/fenxiao manage makemigrations --check --dry-run

test: install-test chromium fonts lint client client-mp
	cd client && npm test
	$(BIN)/pytest $(PYTEST_ARGS)

fmt: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
