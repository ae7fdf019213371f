#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# make apm-credentials: copy the APM Server token and CA that ECK generated in elastic-stack into the
# Secrets the service reads in sample-service (the step of make deploy, alone). For clusters applied
# with `kubectl apply -k` or a GitOps tool: the service's pods wait until these Secrets exist.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/secrets.sh"

have kubectl || die "kubectl is not installed" 2
CONTEXT="$(kubectl config current-context 2>/dev/null || true)"
[ -n "$CONTEXT" ] || die "kubectl has no current context: point it at the cluster the stack runs on" 2
kubectl -n "$ELASTIC_NS" get secret apm-server-apm-token >/dev/null 2>&1 ||
  die "Secret ${ELASTIC_NS}/apm-server-apm-token not found: is APM Server (ECK) deployed and reconciled on context ${CONTEXT}?" 2
kubectl get namespace "$SERVICE_NS" >/dev/null 2>&1 || die "namespace ${SERVICE_NS} not found: apply k8s/overlays/<env> first" 2
step "Copying the APM Server token and CA to namespace ${SERVICE_NS} (context ${CONTEXT})"
copy_apm_credentials
