#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# make port-forward: Kibana on https://localhost:5601, the service on http://localhost:8080,
# Elasticsearch on https://localhost:9200 and APM Server (OTLP) on https://localhost:8200, until
# Ctrl-C. Ports: KIBANA_PORT, SERVICE_PORT, ES_PORT, APM_PORT.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

have kubectl || die "kubectl is not installed" 2
[ -n "$(kubectl config current-context 2>/dev/null || true)" ] || die "kubectl has no current context: run 'make deploy' first" 2

pids=""
cleanup() {
  # shellcheck disable=SC2086 # one pid per word
  [ -z "$pids" ] || kill $pids 2>/dev/null || true
}
trap cleanup EXIT INT TERM

forward() { # <namespace> <service> <local port> <remote port> <label>
  kubectl -n "$1" port-forward "service/$2" "$3:$4" >/dev/null &
  pids="$pids $!"
  info "$5"
}

step "Forwarding (Ctrl-C to stop)"
forward "$ELASTIC_NS" kibana-kb-http "${KIBANA_PORT:-5601}" 5601 "Kibana          https://localhost:${KIBANA_PORT:-5601}  (user elastic)"
forward "$SERVICE_NS" sample-service "${SERVICE_PORT:-8080}" 8080 "sample-service  http://localhost:${SERVICE_PORT:-8080}/health"
forward "$ELASTIC_NS" elasticsearch-es-http "${ES_PORT:-9200}" 9200 "Elasticsearch   https://localhost:${ES_PORT:-9200}"
forward "$ELASTIC_NS" apm-server-apm-http "${APM_PORT:-8200}" 8200 "APM Server      https://localhost:${APM_PORT:-8200}  (OTLP/HTTP and gRPC)"
info ""
info "elastic password: kubectl -n ${ELASTIC_NS} get secret elasticsearch-es-elastic-user -o go-template='{{.data.elastic | base64decode}}'"
# Exits (and stops the others) as soon as one forward ends, e.g. when its pod restarts.
wait -n 2>/dev/null || wait
