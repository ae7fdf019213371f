# sample-service observability: build, test and deploy.
# `make help` lists the targets. Deploy targets live in scripts/deploy/ (see README.md).
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

NODE_MODULES_STAMP := node_modules/.package-lock.json

# Deploy settings (override on the command line: make deploy OVERLAY=production REGISTRY=ghcr.io/me).
OVERLAY ?= local
REGISTRY ?=
TAG ?=
TRIAL ?= 0
NODE_CIDR ?=
STORAGE_CLASS ?=
IMAGE_DIGEST ?=
SKIP_BUILD ?= 0
DEPLOY_TIMEOUT ?= 900
KIND_CLUSTER_NAME ?= sample-service
RENDER_DIR ?= out/rendered
export OVERLAY REGISTRY TAG TRIAL NODE_CIDR STORAGE_CLASS IMAGE_DIGEST SKIP_BUILD DEPLOY_TIMEOUT KIND_CLUSTER_NAME RENDER_DIR

.PHONY: help
help: ## List the targets and the deploy settings
	@if [ -t 1 ] && [ -z "$${NO_COLOR:-}" ]; then on=$$(printf '\033[36m'); off=$$(printf '\033[0m'); else on=; off=; fi; \
	  awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %s%-16s%s %s\n", on, $$1, off, $$2}' $(MAKEFILE_LIST)
	@printf '\nDeploy settings (make deploy VAR=value):\n'
	@printf '  %-16s %s\n' \
	  'OVERLAY' 'local (default: kind-sized) or production' \
	  'REGISTRY' 'push the image there instead of loading it into kind (needed off kind)' \
	  'TAG' 'image tag (default: package.json version)' \
	  'TRIAL=1' "start ECK's 30-day enterprise trial; accepts the Elastic EULA (SLOs, burn-rate rules)" \
	  'NODE_CIDR' "nodes' subnet (/16 or narrower) the service admits scrapes from; default: each node's own address" \
	  'STORAGE_CLASS' "StorageClass of the Elasticsearch volumes (default: the cluster's default class)" \
	  'SKIP_BUILD=1' 'deploy an image that is already available to the cluster' \
	  'IMAGE_DIGEST' 'with SKIP_BUILD=1 and REGISTRY: deploy that digest (sha256:...) instead of the tag' \
	  'DEPLOY_TIMEOUT' 'seconds to wait for each component (default 900)' \
	  'KIND_CLUSTER_NAME' 'kind cluster created when kubectl has no context (default sample-service)' \
	  'VERIFY=0' 'skip the end-to-end verification deploy ends with (make verify)'

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci
	@touch $@

.PHONY: install
install: $(NODE_MODULES_STAMP) ## Install Node dependencies (npm ci) when missing or stale

.PHONY: build
build: install ## Compile the service to dist/
	npm run build

.PHONY: typecheck
typecheck: install ## Type-check the whole project (tsc --noEmit)
	npm run typecheck

.PHONY: lint
lint: install ## Lint the whole project (eslint)
	npm run lint

.PHONY: test
test: install ## Type-check, lint and run the whole test suite
	npm run typecheck
	npm run lint
	npm test

.PHONY: deploy
deploy: ## Deploy ECK, the Elastic stack, Fleet agents and the service to the current cluster (or a new kind cluster)
	@scripts/deploy/deploy.sh

.PHONY: undeploy
undeploy: ## Remove what deploy applied (UNINSTALL_ECK=1: the operator too; DELETE_KIND=1: the kind cluster)
	@scripts/deploy/undeploy.sh

.PHONY: uninstall
uninstall: install ## Remove what provisioning created in Kibana and Elasticsearch (through ECK, as deploy provisions); DRY_RUN=1: only list it
	npm run --silent provision-kibana -- --uninstall --from-eck$(if $(filter 1,$(DRY_RUN)), --dry-run)

.PHONY: apm-credentials
apm-credentials: ## Copy APM Server's token and CA into the service's namespace (after kubectl apply -k / GitOps)
	@scripts/deploy/apm-credentials.sh

.PHONY: status
status: ## Show the ECK operator, the Elastic stack and the service with their health
	@scripts/deploy/status.sh

.PHONY: render
render: ## Render every overlay to out/rendered/{local,production,elastic-local,elastic-production}.yaml (offline; RENDER_DIR=...)
	@scripts/deploy/render.sh

.PHONY: verify
verify: install ## Check the deployed stack end to end: signals, fields, correlation, rules, SLOs, agents (docs/verify.md)
	npm run --silent verify -- --from-eck --port-forward --environment $(if $(filter production,$(OVERLAY)),production,development) $(VERIFY_ARGS)

.PHONY: drill
drill: install ## Fire drill: make drill SCENARIO=error-burst runs the scenario and checks which alerts fire and recover
	@test -n "$(SCENARIO)" || { echo 'make drill: set SCENARIO (steady, error-burst, slow-burn, latency, outage)' >&2; exit 2; }
	npm run --silent drill -- "$(SCENARIO)" --from-eck --port-forward $(DRILL_ARGS)

.PHONY: port-forward
port-forward: ## Forward Kibana :5601, the service :8080, Elasticsearch :9200 and APM Server :8200
	@scripts/deploy/port-forward.sh
