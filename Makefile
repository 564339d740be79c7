# Addispay: every task a developer or CI runs. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

TOOLS_BIN := $(shell scripts/tools.sh path)
export PATH := $(CURDIR)/node_modules/.bin:$(TOOLS_BIN):$(PATH)

.PHONY: help deps node-deps proto build typecheck lint test test-unit test-integration test-kubernetes test-mysql charts-test \
        run up down status migrate bench chaos fuzz bed bed-status bed-down kind-up dev deploy-eks clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

deps: node-deps ## install everything: npm packages, MariaDB, the Pulsar jars, helm and the other tools, the bed's Kubernetes
	scripts/mariadb.sh install
	scripts/pulsar.sh install
	scripts/tools.sh install
	scripts/tools.sh install-skaffold
	scripts/cluster.sh install

node-deps: node_modules/.installed
node_modules/.installed: package.json package-lock.json $(wildcard apps/*/package.json packages/*/package.json)
	npm ci --no-audit --no-fund
	@touch $@

proto: node-deps ## lint proto/ and regenerate packages/api/src/gen
	scripts/proto.sh generate

build: node-deps ## compile every workspace to dist/
	tsc -b

typecheck: node-deps ## type-check the sources and every test, benchmark and script
	tsc -b
	tsc -p tsconfig.tests.json

lint: typecheck ## types, eslint, prettier, proto lint and breaking-change check, generated code up to date
	eslint .
	prettier --check . >/dev/null
	scripts/proto.sh check

test: deps lint build test-unit test-integration charts-test test-kubernetes test-mysql ## the one test command: everything CI checks

test-unit: node-deps
	vitest run --project unit

test-integration: node-deps ## integration suites against real MariaDB and Pulsar (started if needed)
	vitest run --project integration

fuzz: node-deps ## the full hostile-input run: 10,000 generated requests per RPC, 1,000 poison messages per topic
	FUZZ_RUNS=10000 vitest run --project integration test/security/hostile-input.int.test.ts test/security/poison-messages.int.test.ts

test-kubernetes: build ## the chart on a real single-node cluster built here: install, helm test, policies, disruption, uninstall
	vitest run --project kubernetes

test-mysql: build ## the integration suites again, against Oracle MySQL (9.7) running on the bed instead of MariaDB
	scripts/bed.sh deps-up
	eval "$$(scripts/bed.sh mysql-env)"; vitest run --project integration

charts-test: node-deps ## helm lint/template, every manifest validated offline, checkov, skaffold schema
	scripts/tools.sh install
	scripts/charts-test.sh

bed: build ## the platform on a real single-node Kubernetes on this machine (cluster, images, helm install --wait)
	scripts/bed.sh up

bed-status: ## the bed's cluster components, dependencies and release
	scripts/bed.sh status

bed-down: ## stop the bed's cluster and remove everything it put on the machine
	scripts/bed.sh down

kind-up: ## create the local kind cluster (needs Docker and kind)
	scripts/kind-up.sh

dev: ## skaffold dev on the kind cluster: build, deploy operators and the chart, follow logs
	skaffold dev --kube-context kind-addispay

deploy-eks: ## build, push and deploy to the current EKS context (set ADDISPAY_REGISTRY)
	@test -n "$(ADDISPAY_REGISTRY)" || { echo "set ADDISPAY_REGISTRY=<account>.dkr.ecr.<region>.amazonaws.com/addispay" >&2; exit 1; }
	skaffold run --profile eks --default-repo "$(ADDISPAY_REGISTRY)"

run: build ## the whole platform on this machine, in the foreground (installs MariaDB and Pulsar first); Ctrl-C stops it
	scripts/stack.sh run

up: build ## start MariaDB, Pulsar and the three services in the background
	scripts/stack.sh up

down: ## stop everything `make up` and `make bed` started
	scripts/stack.sh down
	scripts/bed.sh down

status: ## report every component's health
	scripts/stack.sh status

migrate: node-deps ## apply the services' migrations to the local MariaDB
	scripts/stack.sh migrate

bench: build ## end-to-end benchmark: limits, ghz and the CLI's load mode, CPU and RSS; writes bench/results and docs/benchmarks.md
	scripts/tools.sh install
	scripts/bench.sh

chaos: build ## fault injection under load (kills, broker and MariaDB restarts, a paused consumer), then every guarantee checked
	scripts/chaos.sh

clean: down ## stop everything and delete local data (.local/) and build output
	rm -rf .local apps/*/dist packages/*/dist apps/*/*.tsbuildinfo packages/*/*.tsbuildinfo
