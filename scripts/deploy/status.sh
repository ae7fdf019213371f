#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# make status: what runs where, and whether it is healthy.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

have kubectl || die "kubectl is not installed" 2
CONTEXT="$(kubectl config current-context 2>/dev/null || true)"
[ -n "$CONTEXT" ] || die "kubectl has no current context: nothing deployed to look at (make deploy creates a kind cluster)" 2
kubectl version --request-timeout=15s >/dev/null 2>&1 || die "the cluster of context ${CONTEXT} does not answer" 2

step "Context ${CONTEXT}; pinned: stack ${STACK_VERSION}, ECK ${ECK_VERSION}"
step "ECK operator (${ECK_NS})"
kubectl -n "$ECK_NS" get statefulset elastic-operator -o wide 2>/dev/null || warn "ECK operator not installed"
if kubectl -n "$ECK_NS" get secret eck-trial-license >/dev/null 2>&1; then info "licence: enterprise trial requested (TRIAL=1)"; else info "licence: basic"; fi
step "Elastic stack (${ELASTIC_NS})"
kubectl -n "$ELASTIC_NS" get elasticsearch,kibana,apmserver,agent 2>/dev/null || warn "no ECK objects (or the ECK CRDs are not installed)"
kubectl -n "$ELASTIC_NS" get pods -o wide 2>/dev/null || true
step "Service (${SERVICE_NS})"
kubectl -n "$SERVICE_NS" get deployment,pods,service,pdb,networkpolicy -o wide 2>/dev/null || warn "namespace ${SERVICE_NS} not found"
