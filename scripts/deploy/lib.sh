# shellcheck shell=bash disable=SC2034 # settings are used by the scripts that source this file
# Shared by the deploy scripts: settings, logging, cluster selection and waiting.
# Sourced, never run. Every setting can be overridden from the environment (the Makefile passes its
# variables through). Written for bash 3.2+ (macOS) as well as Linux.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT" || exit 1

OVERLAY="${OVERLAY:-local}"
ELASTIC_NS="elastic-stack"
SERVICE_NS="sample-service"
ECK_NS="elastic-system"
KIND_CLUSTER_NAME="${KIND_CLUSTER_NAME:-sample-service}"
DEPLOY_TIMEOUT="${DEPLOY_TIMEOUT:-900}"
POLL_SECONDS="${POLL_SECONDS:-10}"
STACK_VERSION_FILE="elastic/components/stack-version/stack-version.yaml"

# Versions live in one file (elastic/components/stack-version/stack-version.yaml).
read_version() { # <key>
  sed -n "s/^  $1: \"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$STACK_VERSION_FILE"
}
STACK_VERSION="$(read_version version)"
ECK_VERSION="${ECK_VERSION:-$(read_version eckVersion)}"
ECK_MANIFESTS="${ECK_MANIFESTS:-https://download.elastic.co/downloads/eck/${ECK_VERSION}}"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  C_BOLD=$'\033[1m' C_RED=$'\033[31m' C_GREEN=$'\033[32m' C_YELLOW=$'\033[33m' C_OFF=$'\033[0m'
else
  C_BOLD='' C_RED='' C_GREEN='' C_YELLOW='' C_OFF=''
fi

step() { printf '\n%s==> %s%s\n' "$C_BOLD" "$*" "$C_OFF"; }
info() { printf '    %s\n' "$*"; }
ok() { printf '    %s✓%s %s\n' "$C_GREEN" "$C_OFF" "$*"; }
warn() { printf '    %s! %s%s\n' "$C_YELLOW" "$*" "$C_OFF" >&2; }
die() { # <message> [exit code]
  printf '%serror:%s %s\n' "$C_RED" "$C_OFF" "$1" >&2
  exit "${2:-1}"
}
have() { command -v "$1" >/dev/null 2>&1; }

# Oldest kubectl the overlays are written for: kustomize v5 (built in since kubectl 1.27) renders
# `labels` with includeTemplates and `components`.
KUBECTL_MIN_MINOR=27
# Memory Docker must give a kind node: every memory request of the local stack, the ECK operator
# and kind's own pods (etcd, CoreDNS, kindnet). Below KIND_FULL_MEMORY_MIB the stack fits, but not
# with every container at its limit. test/deploy/resources.test.ts keeps both in step with the
# manifests; docs/deploy.md ("What the local stack needs") shows the sums.
KIND_MIN_MEMORY_MIB=6400
KIND_FULL_MEMORY_MIB=8750

# version_ge <a> <b>: true when dotted version a >= b (numeric parts; "1.32+" and "v20.19.0" work).
version_ge() {
  local a="${1#v}" b="${2#v}" x y i
  for i in 1 2 3; do
    x="$(echo "$a" | cut -d. -f"$i" | tr -cd '0-9')"
    y="$(echo "$b" | cut -d. -f"$i" | tr -cd '0-9')"
    x="${x:-0}" y="${y:-0}"
    [ "$x" -gt "$y" ] && return 0
    [ "$x" -lt "$y" ] && return 1
  done
  return 0
}

# engines_allow <version> <range>: true when the version satisfies package.json's engines range, written
# as alternatives joined by "||", each "^X.Y.Z" (same major, at least X.Y.Z) or ">=X.Y.Z".
engines_allow() {
  local v="${1#v}" alt major
  local IFS='|'
  for alt in $2; do
    alt="$(echo "$alt" | tr -d ' ')"
    case "$alt" in
      '') continue ;;
      '^'*)
        major="${alt#^}"; major="${major%%.*}"
        [ "${v%%.*}" = "$major" ] && version_ge "$v" "${alt#^}" && return 0 ;;
      '>='*)
        version_ge "$v" "${alt#>=}" && return 0 ;;
    esac
  done
  return 1
}

# Tools make deploy needs, checked before anything is installed: Node.js (a line package.json's
# engines names; provisioning and these scripts run it) and kubectl >= 1.${KUBECTL_MIN_MINOR}.
check_tools() {
  local want have_v minor
  want="$(sed -n 's/^    "node": "\([^"]*\)".*/\1/p' package.json | head -n 1)"
  have node || die "Node.js is not installed (package.json's engines: ${want:-any}); install it from https://nodejs.org/ and run again" 2
  have_v="$(node --version)"
  if [ -n "$want" ] && ! engines_allow "$have_v" "$want"; then
    die "Node.js ${have_v} is not supported: package.json's engines need ${want}; install one of those lines from https://nodejs.org/" 2
  fi
  have kubectl || die "kubectl is not installed; install it from https://kubernetes.io/docs/tasks/tools/ and run again" 2
  # A kubectl that prints no "minor" (a wrapper, an old client) must reach the message below, not set -e.
  minor="$(kubectl version --client -o json 2>/dev/null | grep -o '"minor": *"[0-9]*' | head -n 1 | tr -cd '0-9' || true)"
  if [ -z "$minor" ] || [ "$minor" -lt "$KUBECTL_MIN_MINOR" ]; then
    die "kubectl 1.${minor:-?} is too old: the overlays need kubectl >= 1.${KUBECTL_MIN_MINOR} (kustomize v5); install a current one from https://kubernetes.io/docs/tasks/tools/" 2
  fi
  ok "tools: node ${have_v}, kubectl 1.${minor}"
}

# kind runs the whole stack in one Docker container: Docker's memory must hold the requests.
check_docker_memory() {
  local bytes mib
  bytes="$(docker info --format '{{.MemTotal}}' 2>/dev/null || true)"
  case "$bytes" in '' | *[!0-9]*) warn "could not read Docker's memory ('docker info'); the local stack needs ${KIND_MIN_MEMORY_MIB} MiB"; return 0 ;; esac
  mib=$((bytes / 1048576))
  if [ "$mib" -lt "$KIND_MIN_MEMORY_MIB" ]; then
    die "Docker has ${mib} MiB of memory; the local stack on kind requests ${KIND_MIN_MEMORY_MIB} MiB. Give Docker at least 8 GiB (Docker Desktop: Settings > Resources > Memory) and run again." 2
  fi
  if [ "$mib" -lt "$KIND_FULL_MEMORY_MIB" ]; then
    warn "Docker has ${mib} MiB: enough for the local stack's requests (${KIND_MIN_MEMORY_MIB} MiB), not for every container at its limit (${KIND_FULL_MEMORY_MIB} MiB); 10 GiB leaves headroom"
  else
    ok "Docker memory: ${mib} MiB"
  fi
}

overlay_names() {
  local dir
  for dir in k8s/overlays/*/; do basename "$dir"; done | tr '\n' ' '
}

check_overlay() {
  if [ ! -f "k8s/overlays/${OVERLAY}/kustomization.yaml" ]; then
    die "unknown OVERLAY='${OVERLAY}': choose one of: $(overlay_names)" 2
  fi
}

# The settings' values, checked before a cluster is looked for or created: a typo (TRIAL=yes, a
# NODE_CIDR that is no subnet) stops here instead of after minutes of work, or of being ignored.
check_settings() {
  local name
  for name in TRIAL SKIP_BUILD VERIFY; do
    case "${!name:-}" in
      '' | 0 | 1) ;;
      *) die "${name}='${!name}' is not a switch: set ${name}=1 to turn it on (0 or unset: off)" 2 ;;
    esac
  done
  case "$DEPLOY_TIMEOUT" in
    '' | *[!0-9]* | 0) die "DEPLOY_TIMEOUT='${DEPLOY_TIMEOUT}' is not a number of seconds (for example 900)" 2 ;;
  esac
  if [ -n "${IMAGE_DIGEST:-}" ] && ! [[ "$IMAGE_DIGEST" =~ ^sha256:[0-9a-f]{64}$ ]]; then
    die "IMAGE_DIGEST='${IMAGE_DIGEST}' is not an image digest (sha256: and 64 hex digits, as docker buildx prints it)" 2
  fi
  # A digest names an image in a registry: an image loaded into kind, or built here, has none to pull.
  if [ -n "${IMAGE_DIGEST:-}" ] && { [ "${SKIP_BUILD:-0}" != 1 ] || [ -z "${REGISTRY:-}" ]; }; then
    die "IMAGE_DIGEST applies only with SKIP_BUILD=1 and REGISTRY (an image already pushed there); without them make deploy builds the image and pins the digest it pushed" 2
  fi
  if [ -n "${NODE_CIDR:-}" ]; then check_node_cidr_value "$NODE_CIDR"; fi
}

# Sets CONTEXT and KIND_CLUSTER (empty when the cluster is not a kind cluster).
# Order: the current kube context; else a kind cluster (created when kind and Docker are present);
# else stop, naming what is missing.
select_cluster() {
  CONTEXT="$(kubectl config current-context 2>/dev/null || true)"
  KIND_CLUSTER=""
  if [ -n "$CONTEXT" ]; then
    if ! kubectl version --request-timeout=15s >/dev/null 2>&1; then
      die "kube context '${CONTEXT}' is selected but its cluster does not answer (kubectl version failed). Start that cluster, or switch context with 'kubectl config use-context <name>', then run again." 2
    fi
    case "$CONTEXT" in kind-*) KIND_CLUSTER="${CONTEXT#kind-}" ;; esac
    ok "cluster: context ${CONTEXT}${KIND_CLUSTER:+ (kind cluster ${KIND_CLUSTER})}"
    if [ -n "$KIND_CLUSTER" ] && have docker; then check_docker_memory; fi
    return 0
  fi

  local missing=""
  have kind || missing="kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)"
  if ! have docker; then
    missing="${missing:+$missing and }Docker (https://docs.docker.com/get-docker/)"
  elif ! docker info >/dev/null 2>&1; then
    missing="${missing:+$missing and }a running Docker engine ('docker info' cannot reach one)"
  fi
  if [ -n "$missing" ]; then
    die "no Kubernetes cluster to deploy to: kubectl has no current context (KUBECONFIG=${KUBECONFIG:-~/.kube/config}), and a local kind cluster cannot be created without ${missing}. Point kubectl at a cluster ('kubectl config use-context <name>'), or install what is missing and run 'make deploy' again." 2
  fi

  check_docker_memory
  if kind get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER_NAME"; then
    info "kind cluster ${KIND_CLUSTER_NAME} exists; selecting it"
    kind export kubeconfig --name "$KIND_CLUSTER_NAME"
  else
    step "Creating kind cluster ${KIND_CLUSTER_NAME} (k8s/kind/kind-config.yaml)"
    kind create cluster --name "$KIND_CLUSTER_NAME" --config k8s/kind/kind-config.yaml --wait 180s
  fi
  CONTEXT="kind-${KIND_CLUSTER_NAME}"
  KIND_CLUSTER="$KIND_CLUSTER_NAME"
  ok "cluster: context ${CONTEXT} (kind)"
}

# wait_for <what> <timeout s> <command...>
# Runs the command every POLL_SECONDS; it prints a one-line state and succeeds when ready.
# Shows the state while waiting; on timeout names what is not ready and why, and fails.
wait_for() {
  local what="$1" timeout="$2" state="" start elapsed
  shift 2
  start=$SECONDS
  while :; do
    if state="$("$@" 2>&1)"; then
      ok "${what}: ${state}"
      return 0
    fi
    elapsed=$((SECONDS - start))
    if [ "$elapsed" -ge "$timeout" ]; then
      printf '%serror:%s timed out after %ss: %s is not ready (last state: %s)\n' "$C_RED" "$C_OFF" "$elapsed" "$what" "${state:-unknown}" >&2
      return 1
    fi
    info "… ${what}: ${state:-pending} (${elapsed}s of ${timeout}s)"
    sleep "$POLL_SECONDS"
  done
}

# eck_state <kind> <name> [accepted healths, default "green"]: prints health/phase; ready when accepted.
eck_state() {
  local kind="$1" name="$2" accepted="${3:-green}" out health phase
  out="$(kubectl -n "$ELASTIC_NS" get "$kind" "$name" -o jsonpath='{.status.health} {.status.phase}{" "}{.status.availableNodes}/{.status.expectedNodes}' 2>&1)" || {
    echo "not found yet"
    return 1
  }
  health="${out%% *}"
  phase="$(echo "$out" | cut -d' ' -f2)"
  echo "health=${health:-unknown}${phase:+ phase=$phase} pods=$(echo "$out" | cut -d' ' -f3)"
  case " $accepted " in *" ${health} "*) return 0 ;; esac
  return 1
}

# Explains a timeout: the object's status and the latest events in the namespace.
explain() { # <namespace> <kind/name>
  warn "status of $2:"
  kubectl -n "$1" get "$2" -o wide >&2 || true
  warn "latest events in namespace $1:"
  kubectl -n "$1" get events --sort-by=.lastTimestamp 2>/dev/null | tail -n 15 >&2 || true
}

# Addresses a node's own traffic to its pods may carry, as /32 blocks (IPv4): each node's
# InternalIP, and the first address of its pod CIDR, which ptp-style CNIs (kind's kindnet among them)
# give a hostNetwork process's packets to a pod on the same node. The hostNetwork Elastic Agents
# scrape from there; so do the kubelet's probes.
node_source_addresses() {
  kubectl get nodes --request-timeout=30s -o jsonpath='{range .items[*]}{.status.addresses[?(@.type=="InternalIP")].address}{" "}{.spec.podCIDR}{" "}{end}' 2>/dev/null | node -e '
    let input = "";
    process.stdin.on("data", (c) => (input += c)).on("end", () => {
      const out = new Set();
      for (const word of input.split(/\s+/)) {
        if (/^\d+\.\d+\.\d+\.\d+$/.test(word)) out.add(word + "/32");
        if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(word)) continue;
        const [a, b, c, d] = word.split("/")[0].split(".").map(Number);
        const n = (((a << 24) | (b << 16) | (c << 8) | d) >>> 0) + 1;
        out.add([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".") + "/32");
      }
      console.log([...out].join(" "));
    });
  ' 2>/dev/null || true
}

# new_cidrs <overlay> <cidr...>: the CIDRs the overlay's NetworkPolicies do not already name.
new_cidrs() {
  local overlay="$1" present cidr
  shift
  present=" $(kubectl kustomize "k8s/overlays/${overlay}" 2>/dev/null | sed -n 's/^ *cidr: *\([0-9./]*\).*/\1/p' | tr '\n' ' ')"
  for cidr in "$@"; do
    case "$present" in *" ${cidr} "*) ;; *) printf '%s ' "$cidr" ;; esac
  done
}

# The kube-dns Service IP as a /32: with NodeLocal DNSCache and kube-proxy in iptables mode,
# node-local-dns answers on that address from the node, so DNS packets never reach a kube-dns pod.
dns_service_address() {
  local ip
  ip="$(kubectl -n kube-system get service kube-dns --request-timeout=30s -o jsonpath='{.spec.clusterIP}' 2>/dev/null || true)"
  case "$ip" in *.*.*.*) echo "${ip}/32" ;; esac
}

# Refuses a NODE_CIDR that is not an IPv4 CIDR or is wider than /16: a wide private range (10/8)
# usually holds the pod network too and would admit every pod.
check_node_cidr_value() { # <cidr>
  local cidr="$1" bits
  if ! echo "$cidr" | grep -Eq '^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$'; then
    die "NODE_CIDR='${cidr}' is not an IPv4 CIDR (for example 10.20.0.0/16)" 2
  fi
  bits="${cidr##*/}"
  if [ "$bits" -lt 16 ] || [ "$bits" -gt 32 ]; then
    die "NODE_CIDR='${cidr}' is wider than /16: it would admit the pod network too and defeat the service's default deny. Name your nodes' subnet (for example 10.20.0.0/20)." 2
  fi
}

# The platforms of the cluster's nodes, comma-separated (linux/amd64,linux/arm64): what the image
# must be built for. An image built on an Apple-silicon laptop without --platform is arm64 and fails
# on amd64 nodes with "exec format error".
cluster_platforms() {
  kubectl get nodes --request-timeout=30s -o jsonpath='{range .items[*]}{.status.nodeInfo.operatingSystem}/{.status.nodeInfo.architecture}{"\n"}{end}' 2>/dev/null |
    grep -E '^[a-z0-9]+/[a-z0-9]+$' | sort -u | paste -sd, - || true
}

# The digest (sha256:...) from `docker buildx build --metadata-file` output.
digest_from_metadata() { # <file>
  node -e 'const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const d = m["containerimage.digest"]; if (!/^sha256:[0-9a-f]{64}$/.test(d ?? "")) process.exit(1); console.log(d);' "$1"
}

# The Elasticsearch data volumes need a StorageClass: the one named (STORAGE_CLASS) must exist, or
# the cluster must have a default one. EKS >= 1.30 has none: the claim would stay Pending and the
# deploy would time out. Says which class the claims use; fails naming the classes there are.
check_storage_class() { # <STORAGE_CLASS or "">
  local wanted="$1" classes defaults names c
  classes="$(kubectl get storageclass --request-timeout=30s -o jsonpath='{range .items[*]}{.metadata.name}{"="}{.metadata.annotations.storageclass\.kubernetes\.io/is-default-class}{.metadata.annotations.storageclass\.beta\.kubernetes\.io/is-default-class}{" "}{end}' 2>/dev/null)" ||
    die "cannot list StorageClasses (kubectl get storageclass failed)" 2
  names="" defaults=""
  for c in $classes; do
    names="${names:+$names }${c%%=*}"
    case "$c" in *=true) defaults="${defaults:+$defaults }${c%%=*}" ;; esac
  done
  if [ -n "$wanted" ]; then
    case " ${names} " in *" ${wanted} "*) ok "StorageClass ${wanted} (STORAGE_CLASS) for the Elasticsearch volumes"; return 0 ;; esac
    die "StorageClass '${wanted}' (STORAGE_CLASS) does not exist; the cluster has: ${names:-none}" 2
  fi
  if [ -z "$defaults" ]; then
    die "the cluster has no default StorageClass, so the Elasticsearch volume claims would stay Pending until the deploy times out. Name one with make deploy STORAGE_CLASS=<name> (the cluster has: ${names:-none}), or mark one as the default." 2
  fi
  ok "StorageClass: the cluster default (${defaults}) for the Elasticsearch volumes"
}

# The deploy kustomization's settings, read by write_deploy_kustomization from the environment:
#   DK_IMAGE_NAME, DK_TAG, DK_DIGEST (sha256:..., deploys by digest when set),
#   DK_SCRAPE_CIDRS (added to the service's ingress rule for the agents),
#   DK_DNS_CIDRS (added to the service's DNS egress rule),
#   DK_STORAGE_CLASS (storageClassName of the Elasticsearch data volumes).
# write_deploy_kustomization <dir> <overlay>
# The small kustomization make deploy applies: the overlay with this cluster's image reference and
# addresses, and the StorageClass when one is named.
write_deploy_kustomization() {
  local dir="$1" overlay="$2" rel cidr
  mkdir -p "$dir"
  rel="$(cd "$dir" && pwd)"
  rel="$(node -e 'console.log(require("path").relative(process.argv[1], process.argv[2]))' "$rel" "${REPO_ROOT}/k8s/overlays/${overlay}")"
  {
    echo "# Generated by scripts/deploy (make deploy); do not edit."
    echo "apiVersion: kustomize.config.k8s.io/v1beta1"
    echo "kind: Kustomization"
    echo "resources:"
    echo "  - ${rel}"
    echo "images:"
    echo "  - name: sample-service"
    echo "    newName: ${DK_IMAGE_NAME:-sample-service}"
    if [ -n "${DK_DIGEST:-}" ]; then
      echo "    digest: ${DK_DIGEST}"
    else
      echo "    newTag: \"${DK_TAG}\""
    fi
    if [ -n "${DK_SCRAPE_CIDRS:-}${DK_DNS_CIDRS:-}${DK_STORAGE_CLASS:-}" ]; then echo "patches:"; fi
    if [ -n "${DK_SCRAPE_CIDRS:-}" ]; then
      echo "  - target: { kind: NetworkPolicy, name: sample-service-ingress }"
      echo "    patch: |-"
      for cidr in $DK_SCRAPE_CIDRS; do
        echo "      - { op: add, path: /spec/ingress/0/from/-, value: { ipBlock: { cidr: ${cidr} } } }"
      done
    fi
    if [ -n "${DK_DNS_CIDRS:-}" ]; then
      echo "  - target: { kind: NetworkPolicy, name: sample-service-egress }"
      echo "    patch: |-"
      for cidr in $DK_DNS_CIDRS; do
        echo "      - { op: add, path: /spec/egress/0/to/-, value: { ipBlock: { cidr: ${cidr} } } }"
      done
    fi
    if [ -n "${DK_STORAGE_CLASS:-}" ]; then
      echo "  - target: { group: elasticsearch.k8s.elastic.co, kind: Elasticsearch, name: elasticsearch }"
      echo "    patch: |-"
      echo "      - { op: add, path: /spec/nodeSets/0/volumeClaimTemplates/0/spec/storageClassName, value: \"${DK_STORAGE_CLASS}\" }"
    fi
  } >"${dir}/kustomization.yaml"
}

package_version() {
  sed -n 's/^  "version": "\([^"]*\)".*/\1/p' package.json | head -n 1
}
