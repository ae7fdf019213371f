#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# make deploy: the Elastic stack by ECK, Fleet-managed agents and the service on the selected cluster.
# Steps: pick the cluster, install the pinned ECK operator, build and load/push the image, apply the
# overlay, wait for each component, copy the APM credentials to the service's namespace, provision
# Kibana, print how to reach everything. Safe to run again: every step converges.
#
# Settings (environment or make variables): OVERLAY=local|production, REGISTRY, TAG, TRIAL=1,
# NODE_CIDR, STORAGE_CLASS, SKIP_BUILD=1, IMAGE_DIGEST, DEPLOY_TIMEOUT (seconds per component),
# KIND_CLUSTER_NAME, ECK_MANIFESTS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/secrets.sh"

WORK_DIR="${DEPLOY_WORK_DIR:-out/deploy/${OVERLAY}}"
DEPLOY_STARTED="$(date -u +%s)" # time to first signal (make verify) is measured from here

step "Checking what is needed (overlay ${OVERLAY}, stack ${STACK_VERSION}, ECK ${ECK_VERSION})"
check_overlay
check_settings
check_tools
select_cluster

VERSION="$(package_version)"
TAG="${TAG:-$VERSION}"
if [ -n "${REGISTRY:-}" ]; then
  IMAGE_NAME="${REGISTRY%/}/sample-service"
else
  IMAGE_NAME="sample-service"
fi
IMAGE="${IMAGE_NAME}:${TAG}"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  have docker || die "docker is needed to build the image ${IMAGE} (or set SKIP_BUILD=1 when ${IMAGE} is already available to the cluster)" 2
  if [ -z "${REGISTRY:-}" ] && [ -z "$KIND_CLUSTER" ]; then
    die "context ${CONTEXT} is not a kind cluster, so it cannot use a locally built image: set REGISTRY to a registry you can push to and the cluster can pull from (make deploy REGISTRY=ghcr.io/<you>), or SKIP_BUILD=1 with an image that is already there" 2
  fi
fi
if [ "$OVERLAY" = production ] && [ -n "$KIND_CLUSTER" ]; then
  warn "OVERLAY=production on kind: three Elasticsearch nodes with required anti-affinity need three nodes"
fi
check_storage_class "${STORAGE_CLASS:-}"
PLATFORMS="$(cluster_platforms)"
[ -n "$PLATFORMS" ] || die "cannot read the nodes' platforms (kubectl get nodes): the image must be built for them" 2
ok "nodes' platforms: ${PLATFORMS}"
if [ "${SKIP_BUILD:-0}" != 1 ] && [ -n "${REGISTRY:-}" ] && ! docker buildx version >/dev/null 2>&1; then
  die "docker buildx is needed to build ${IMAGE} for ${PLATFORMS} and push it (Docker Desktop and docker-ce include it)" 2
fi

# --- ECK operator --------------------------------------------------------------------------------
step "Installing the ECK operator ${ECK_VERSION} (CRDs and operator from ${ECK_MANIFESTS})"
if kubectl get crd elasticsearches.elasticsearch.k8s.elastic.co >/dev/null 2>&1; then
  current="$(kubectl -n "$ECK_NS" get statefulset elastic-operator -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || true)"
  info "ECK CRDs present${current:+ (operator image ${current})}: updating them in place (server-side apply)"
  # The CRDs are too large for client-side apply's annotation; server-side apply also adds new CRDs.
  kubectl apply --server-side --force-conflicts -f "${ECK_MANIFESTS}/crds.yaml" >/dev/null
else
  kubectl create -f "${ECK_MANIFESTS}/crds.yaml" >/dev/null
fi
ok "ECK CRDs"
kubectl apply -f "${ECK_MANIFESTS}/operator.yaml" >/dev/null
operator_state() {
  local ready
  ready="$(kubectl -n "$ECK_NS" get statefulset elastic-operator -o jsonpath='{.status.readyReplicas}/{.spec.replicas}' 2>/dev/null)" || {
    echo "not created yet"
    return 1
  }
  echo "ready ${ready}"
  [ "${ready%%/*}" = "${ready##*/}" ] && [ "${ready%%/*}" != "" ] && [ "${ready%%/*}" != 0 ]
}
wait_for "ECK operator" "$DEPLOY_TIMEOUT" operator_state || {
  explain "$ECK_NS" statefulset/elastic-operator
  exit 1
}

if [ "${TRIAL:-0}" = 1 ]; then
  step "Starting ECK's 30-day enterprise trial (TRIAL=1)"
  info "By setting TRIAL=1 you accept the Elastic License / EULA: https://www.elastic.co/eula"
  info "The trial enables Platinum/Enterprise features (SLOs, burn-rate rules, all connectors) for 30 days."
  kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: eck-trial-license
  namespace: ${ECK_NS}
  labels:
    license.k8s.elastic.co/type: enterprise_trial
  annotations:
    elastic.co/eula: accepted
YAML
  ok "trial licence requested (ECK applies it to Elasticsearch once the cluster is up)"
else
  info "Basic licence (free). Without TRIAL=1 these are unavailable: SLOs and their burn-rate rules,"
  info "connectors other than index/server-log (Slack, PagerDuty, webhook, email), ECK's role-specific PDBs."
  info "Opt in with 'make deploy TRIAL=1' (30-day trial, accepts the Elastic EULA)."
fi

# --- Image ---------------------------------------------------------------------------------------
# Built for the nodes' platforms, and deployed by digest from a registry: a rebuilt image under the
# same tag would not roll out on nodes that already hold the tag (imagePullPolicy IfNotPresent).
mkdir -p "$WORK_DIR"
IMAGE_DIGEST="${IMAGE_DIGEST:-}"
if [ "${SKIP_BUILD:-0}" = 1 ]; then
  step "Using image ${IMAGE}${IMAGE_DIGEST:+@${IMAGE_DIGEST}} (SKIP_BUILD=1)"
  if [ -n "${REGISTRY:-}" ] && [ -z "$IMAGE_DIGEST" ]; then
    warn "deploying by tag: nodes that already hold ${IMAGE} keep their copy; set IMAGE_DIGEST=sha256:... to deploy a rebuilt image"
  fi
elif [ -n "${REGISTRY:-}" ]; then
  step "Building image ${IMAGE} for ${PLATFORMS} and pushing it"
  [ -f Dockerfile ] || die "Dockerfile not found in ${REPO_ROOT}"
  case "$PLATFORMS" in
    *,*) info "several platforms: the buildx builder must support them all (docker buildx create --use, or Docker Desktop's containerd image store)" ;;
  esac
  docker buildx build --platform "$PLATFORMS" -t "$IMAGE" --metadata-file "${WORK_DIR}/image.json" --push .
  IMAGE_DIGEST="$(digest_from_metadata "${WORK_DIR}/image.json")" || die "docker buildx reported no image digest (${WORK_DIR}/image.json)"
  ok "pushed ${IMAGE} (${IMAGE_DIGEST})"
else
  # kind: one platform, the nodes' (kind nodes run on this Docker engine), loaded onto the nodes.
  step "Building image ${IMAGE} for ${PLATFORMS}"
  [ -f Dockerfile ] || die "Dockerfile not found in ${REPO_ROOT}"
  case "$PLATFORMS" in *,*) die "kind nodes of several platforms (${PLATFORMS}): push to a registry instead (REGISTRY=...)" 2 ;; esac
  docker build --platform "$PLATFORMS" -t "$IMAGE" .
  IMAGE_ID="$(docker image inspect --format '{{.Id}}' "$IMAGE")"
  kind load docker-image "$IMAGE" --name "$KIND_CLUSTER"
  ok "loaded ${IMAGE} into kind cluster ${KIND_CLUSTER}"
fi

# --- Apply ---------------------------------------------------------------------------------------
# A small kustomization over the overlay sets the image reference, the addresses the service's
# NetworkPolicies need on this cluster (the nodes' own, from which the hostNetwork agents scrape and
# the kubelet probes; the kube-dns Service IP for NodeLocal DNSCache) and the StorageClass; the
# overlay itself stays what `kubectl apply -k k8s/overlays/<env>` applies.
# shellcheck disable=SC2046,SC2086 # one CIDR per word
SCRAPE_CIDRS="$(new_cidrs "$OVERLAY" ${NODE_CIDR:-} $(node_source_addresses))"
# shellcheck disable=SC2046
DNS_CIDRS="$(new_cidrs "$OVERLAY" $(dns_service_address))"
DK_IMAGE_NAME="$IMAGE_NAME" DK_TAG="$TAG" DK_DIGEST="$IMAGE_DIGEST" DK_SCRAPE_CIDRS="$SCRAPE_CIDRS" \
  DK_DNS_CIDRS="$DNS_CIDRS" DK_STORAGE_CLASS="${STORAGE_CLASS:-}" \
  write_deploy_kustomization "$WORK_DIR" "$OVERLAY"

step "Applying k8s/overlays/${OVERLAY}"
info "the service admits the agents' scrapes from: ${SCRAPE_CIDRS:-(pod selector only)}"
attempt=1
until kubectl apply -k "$WORK_DIR"; do
  # Right after an operator install its admission webhook may not answer yet.
  [ "$attempt" -lt 5 ] || die "kubectl apply failed 5 times (see the messages above)"
  warn "apply failed (attempt ${attempt}); retrying in 15s"
  attempt=$((attempt + 1))
  sleep 15
done

if [ -n "${IMAGE_ID:-}" ]; then
  # kind: the image keeps its tag; recording its id in the pod template rolls the pods exactly when
  # the image changed (kubectl apply leaves this annotation alone: it is not in the manifests).
  kubectl -n "$SERVICE_NS" patch deployment sample-service --type merge \
    -p "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"sample-service/image-id\":\"${IMAGE_ID}\"}}}}}" >/dev/null
  ok "deployment/sample-service runs image ${IMAGE} (${IMAGE_ID:0:19})"
fi

# --- Wait ----------------------------------------------------------------------------------------
step "Waiting for the Elastic stack (up to ${DEPLOY_TIMEOUT}s per component)"
es_health="green"
if [ "$OVERLAY" = local ]; then es_health="green yellow"; fi # one node: replicas stay unassigned
wait_for "Elasticsearch" "$DEPLOY_TIMEOUT" eck_state elasticsearch elasticsearch "$es_health" || {
  explain "$ELASTIC_NS" elasticsearch/elasticsearch
  exit 1
}
wait_for "Kibana" "$DEPLOY_TIMEOUT" eck_state kibana kibana || {
  explain "$ELASTIC_NS" kibana/kibana
  exit 1
}
wait_for "APM Server" "$DEPLOY_TIMEOUT" eck_state apmserver apm-server || {
  explain "$ELASTIC_NS" apmserver/apm-server
  exit 1
}
wait_for "Fleet Server" "$DEPLOY_TIMEOUT" eck_state agent fleet-server || {
  explain "$ELASTIC_NS" agent/fleet-server
  exit 1
}

step "Copying the APM Server token and CA to namespace ${SERVICE_NS}"
copy_apm_credentials

step "Waiting for the service and the agents"
service_state() {
  local s
  s="$(kubectl -n "$SERVICE_NS" get deployment sample-service -o jsonpath='{.status.updatedReplicas}/{.spec.replicas} updated, {.status.availableReplicas} available' 2>&1)" || {
    echo "not found"
    return 1
  }
  echo "$s"
  kubectl -n "$SERVICE_NS" rollout status deployment/sample-service --timeout=1s >/dev/null 2>&1
}
wait_for "sample-service" "$DEPLOY_TIMEOUT" service_state || {
  explain "$SERVICE_NS" deployment/sample-service
  exit 1
}
wait_for "kube-state-metrics" "$DEPLOY_TIMEOUT" kubectl -n "$ELASTIC_NS" rollout status deployment/kube-state-metrics --timeout=1s || {
  explain "$ELASTIC_NS" deployment/kube-state-metrics
  exit 1
}
wait_for "Elastic Agent (DaemonSet)" "$DEPLOY_TIMEOUT" eck_state agent elastic-agent || {
  explain "$ELASTIC_NS" agent/elastic-agent
  exit 1
}

# --- Kibana ----------------------------------------------------------------------------------------
step "Provisioning Fleet policies, data views, dashboards, lifecycle and alerts"
if grep -q '"provision-kibana"' package.json; then
  [ -d node_modules ] || npm ci
  npm run --silent provision-kibana -- --from-eck
else
  warn "skipped: this checkout has no 'npm run provision-kibana'; the agents run with an empty policy until it is applied"
fi

# --- Done ------------------------------------------------------------------------------------------
step "Deployed (overlay ${OVERLAY}, context ${CONTEXT})"
cat <<TEXT
    Kibana      make port-forward   then open https://localhost:5601 (self-signed certificate)
                user: elastic
                password: kubectl -n ${ELASTIC_NS} get secret elasticsearch-es-elastic-user -o go-template='{{.data.elastic | base64decode}}'
    Service     make port-forward   then http://localhost:8080/health, /api/users, /metrics
                (or: kubectl -n ${SERVICE_NS} port-forward service/sample-service 8080)
    Status      make status
    Remove      make undeploy${OVERLAY:+ OVERLAY=${OVERLAY}}
TEXT

# --- Verification (its table is the last thing deploy prints; VERIFY=0 skips it) ------------------
if [ "${VERIFY:-1}" != 0 ] && grep -q '"verify"' package.json; then
  step "Verifying the deployment end to end (make verify; docs/verify.md says what each line means)"
  npm run --silent verify -- --from-eck --port-forward --namespace "$SERVICE_NS" --since "$DEPLOY_STARTED" \
    --environment "$([ "$OVERLAY" = production ] && echo production || echo development)"
fi
