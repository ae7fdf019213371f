# sample-service observability: build, test and deploy.
# `make help` lists the targets. Deploy targets live in scripts/deploy/ (see README.md).
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

NODE_MODULES_STAMP := node_modules/.package-lock.json

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

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
