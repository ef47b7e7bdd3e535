# Tributary: `make dev` brings the platform up, `make test` runs every check. Both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM ?= npm
TEST_ENV := .data/test-services.env
export NODE_OPTIONS_JEST := --experimental-vm-modules

# make chaos: CHAOS_SCALE=short (≤ 10 min, in make test) or full; CHAOS_SCENARIOS=worker-kill,… selects (default all).
CHAOS_SCALE ?= short
CHAOS_SCENARIOS ?=

.PHONY: help install build dev test lint typecheck services bench bench-engine bench-connections bench-ui soak chaos test-connectors test-kong test-e2e openapi migrate rotate-key docker-up docker-down clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

# Installs when node_modules is missing or older than the lockfile: `npm ci` on a fresh clone,
# `npm install` (a quick no-op when satisfied) where node_modules exists. Serialised with flock so
# parallel runs never install over each other.
LOCK := $(shell command -v flock >/dev/null && echo "flock /tmp/tributary-npm.lock")
node_modules/.installed: package.json package-lock.json backend/package.json backend/contracts/package.json backend/cli/package.json frontend/package.json scripts/package.json
	@if [ -d node_modules ]; then $(LOCK) $(NPM) install --no-audit --no-fund; else $(LOCK) $(NPM) ci --no-audit --no-fund; fi
	@cd backend && node -e "import('bcrypt').then((b) => b.default.hash('x', 4)).then(() => console.log('[install] native bcrypt loads'))"
	@touch $@

install: node_modules/.installed ## install npm dependencies (npm ci)

build: install ## compile the backend (its prebuild compiles the contracts package, backend/contracts, first) and the tributary CLI
	$(NPM) run build -w @tributary/backend
	$(NPM) run build -w @tributary/cli

dev: build ## run the whole platform locally with demo data, print the URLs
	node scripts/dev.mjs

lint: install ## eslint over every workspace
	$(NPM) run lint --workspaces --if-present

typecheck: install ## tsc --noEmit over every workspace
	$(NPM) run typecheck --workspaces --if-present

services: install ## make sure PostgreSQL and Redis answer (starts local ones when installed)
	@mkdir -p .data
	@node scripts/ensure-services.mjs --require-redis --write-env $(TEST_ENV)

test: install lint typecheck build services ## everything: lint, typecheck, unit and API tests (real PostgreSQL and Redis)
	cd backend && set -a && source ../$(TEST_ENV) && set +a && NODE_OPTIONS=$(NODE_OPTIONS_JEST) npx jest --ci
	node scripts/test-connectors.mjs
	node scripts/e2e/run.mjs
	node scripts/bench/js-budget.mjs
	SOAK_DURATION=60s SOAK_SMOKE=1 node scripts/soak/run.mjs
	$(MAKE) chaos CHAOS_SCALE=short
	@echo "make test: all checks passed"

test-kong: install services ## validate the Kong configs (checked-in and generated) and the gateway API against a stand-in Kong Admin API
	cd backend && NODE_OPTIONS=$(NODE_OPTIONS_JEST) npx jest --ci --verbose --globalSetup='' src/kong src/gateway test/docker-compose.spec.ts
	cd backend && set -a && source ../$(TEST_ENV) && set +a && NODE_OPTIONS=$(NODE_OPTIONS_JEST) npx jest --ci --verbose test/api/kong.e2e-spec.ts
	@echo "make test-kong validated, against Kong 3's declarative schema (gateway/schema) and DB-less rules:"
	@echo "  - gateway/kong.yml as checked in, and the configs Kong would refuse (oauth2, cluster policy, unknown fields, dangling references…)"
	@echo "  - each of the five generated patterns (protocol_bridge, webhook_handler, smart_aggregator, federated_security, usage_tracking)"
	@echo "  - merged tenant configs (base + patterns + API consumers) and what the api pushes to POST /config"
	@echo "  - Kong's refusals mapped back to entities and workflows; docker-compose.yml (kong:3.9 DB-less, trusted proxy range)"

test-connectors: build ## run every connector action against the mock APIs and print a table
	node scripts/test-connectors.mjs

test-e2e: build ## the dashboard in Debian chromium against the real api, worker and mock APIs (screenshots in artifacts/e2e)
	node scripts/e2e/run.mjs

# make soak SOAK_DURATION=5m; other knobs (SOAK_WEBHOOK_RATE, SOAK_RETENTION…) in docs/reliability.md (Soak).
SOAK_DURATION ?= 30m
SOAK_SMOKE ?=
soak: build ## mixed workload for SOAK_DURATION (30m): memory, event loop, DB sizes, latency; JSON, CSV and PNG in artifacts/soak
	SOAK_DURATION=$(SOAK_DURATION) SOAK_SMOKE=$(SOAK_SMOKE) node scripts/soak/run.mjs

bench: build ## measure ingest, end-to-end throughput, latency and memory, then the engine v2 phases (prints JSON; see docs/benchmarks.md)
	node scripts/bench/run.mjs
	node scripts/bench/engine-v2.mjs

bench-engine: build ## the engine v2 phases only: 5-step workflow, loop of 100, 10,000 waits, resume latency, fair share (BENCH_V2_SCALE=0.05 for a quick run)
	node scripts/bench/engine-v2.mjs

bench-ui: build ## the dashboard in chromium: a 100-step workflow's canvas (time to every node, frame times of a drag; BENCH_RUNS) and first-load JavaScript per page against scripts/bench/js-budget.json
	node scripts/bench/canvas.mjs --runs $${BENCH_RUNS:-5}
	node scripts/bench/js-budget.mjs

bench-connections: build ## connections: one token request for 200 runs at expiry across 2 workers; a 1 message/s Slack connection under 300 runs; the code step's overhead (BENCH_CONN_SLACK_RUNS=30 for a quick run)
	node scripts/bench/connections.mjs
	node scripts/bench/code-step.mjs

chaos: build ## fault injection under load (killed processes, outages, partitions) across network-namespace hosts; needs root (see docs/reliability.md)
	node --test scripts/chaos/classify.test.mjs
	CHAOS_SCALE=$(CHAOS_SCALE) CHAOS_SCENARIOS=$(CHAOS_SCENARIOS) node scripts/chaos/run.mjs

openapi: build ## regenerate openapi.yaml from the controllers
	node backend/dist/openapi/generate.js

migrate: build ## apply database migrations (DATABASE_URL)
	node backend/dist/migrate.js

rotate-key: build ## re-encrypt credentials under the current ENCRYPTION_KEY
	node backend/dist/rotate-key.js

docker-up: ## start the stack with Docker Compose (needs JWT_SECRET and ENCRYPTION_KEY)
	docker compose up -d --build

docker-down: ## stop the Docker Compose stack
	docker compose down

clean: ## remove build output and local data
	rm -rf backend/dist frontend/.next .data/test-services.env
