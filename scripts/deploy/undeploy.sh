#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# make undeploy: removes what `make deploy` applied for OVERLAY (namespaces elastic-stack and
# sample-service, with their data, and the cluster-wide RBAC). Leaves the ECK operator and the
# cluster unless asked: UNINSTALL_ECK=1 removes the operator and CRDs, DELETE_KIND=1 deletes the
# kind cluster make deploy created. OVERLAY=production asks for CONFIRM=1 (it deletes data).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check_overlay
have kubectl || die "kubectl is not installed" 2
CONTEXT="$(kubectl config current-context 2>/dev/null || true)"
[ -n "$CONTEXT" ] || die "kubectl has no current context: nothing to undeploy" 2
if [ "$OVERLAY" = production ] && [ "${CONFIRM:-0}" != 1 ]; then
  die "this deletes Elasticsearch and its volumes in context ${CONTEXT}; run 'make undeploy OVERLAY=production CONFIRM=1' to go ahead" 2
fi

step "Deleting k8s/overlays/${OVERLAY} from context ${CONTEXT}"
# ECK objects first, so the operator tears them down while it still runs; then everything else.
kubectl -n "$ELASTIC_NS" delete agent,apmserver,kibana,elasticsearch --all --ignore-not-found --wait=true --timeout="${DEPLOY_TIMEOUT}s" 2>/dev/null || true
kubectl delete -k "k8s/overlays/${OVERLAY}" --ignore-not-found --wait=true --timeout="${DEPLOY_TIMEOUT}s"
ok "removed namespaces ${ELASTIC_NS} and ${SERVICE_NS} and the cluster-wide RBAC"

if [ "${UNINSTALL_ECK:-0}" = 1 ]; then
  step "Uninstalling the ECK operator ${ECK_VERSION} and its CRDs (every ECK object in the cluster goes with them)"
  kubectl -n "$ECK_NS" delete secret eck-trial-license --ignore-not-found
  kubectl delete -f "${ECK_MANIFESTS}/operator.yaml" --ignore-not-found
  kubectl delete -f "${ECK_MANIFESTS}/crds.yaml" --ignore-not-found
  ok "ECK removed"
else
  info "the ECK operator stays (UNINSTALL_ECK=1 removes it)"
fi

if [ "${DELETE_KIND:-0}" = 1 ]; then
  have kind || die "kind is not installed"
  kind delete cluster --name "$KIND_CLUSTER_NAME"
  ok "kind cluster ${KIND_CLUSTER_NAME} deleted"
fi
