# shellcheck shell=bash
# The service's credentials for APM Server, copied from what ECK generated in elastic-stack:
#   Secret apm-server-apm-token (key secret-token)        -> Secret apm-credentials (key secret-token)
#   Secret apm-server-apm-http-certs-public (key ca.crt)  -> Secret apm-ca (key ca.crt)
# Values never reach the terminal or the process list; they pass through a private temp directory.
# When they change (first deploy, token or CA rotation), running pods are restarted to pick them up.

copy_apm_credentials() {
  local tmp before after
  tmp="$(umask 077 && mktemp -d)"
  # shellcheck disable=SC2064 # expand now: the path is fixed
  trap "rm -rf '$tmp'" EXIT

  kubectl -n "$ELASTIC_NS" get secret apm-server-apm-token -o jsonpath='{.data.secret-token}' | base64 --decode >"$tmp/secret-token"
  kubectl -n "$ELASTIC_NS" get secret apm-server-apm-http-certs-public -o jsonpath='{.data.ca\.crt}' | base64 --decode >"$tmp/ca.crt"
  [ -s "$tmp/secret-token" ] || die "Secret ${ELASTIC_NS}/apm-server-apm-token has no secret-token yet"
  [ -s "$tmp/ca.crt" ] || die "Secret ${ELASTIC_NS}/apm-server-apm-http-certs-public has no ca.crt yet"

  before="$(kubectl -n "$SERVICE_NS" get secret apm-credentials apm-ca -o jsonpath='{.items[*].data}' 2>/dev/null || true)"
  kubectl -n "$SERVICE_NS" create secret generic apm-credentials --from-file=secret-token="$tmp/secret-token" \
    --dry-run=client -o yaml | kubectl label --local -f - app.kubernetes.io/part-of=sample-service-observability -o yaml |
    kubectl apply -f - >/dev/null
  kubectl -n "$SERVICE_NS" create secret generic apm-ca --from-file=ca.crt="$tmp/ca.crt" \
    --dry-run=client -o yaml | kubectl label --local -f - app.kubernetes.io/part-of=sample-service-observability -o yaml |
    kubectl apply -f - >/dev/null
  after="$(kubectl -n "$SERVICE_NS" get secret apm-credentials apm-ca -o jsonpath='{.items[*].data}')"
  rm -rf "$tmp"
  ok "Secrets ${SERVICE_NS}/apm-credentials and ${SERVICE_NS}/apm-ca"

  if [ "$before" != "$after" ] && [ -n "$before" ]; then
    # Pods that already started read the old values (env and mounted file); restart them.
    kubectl -n "$SERVICE_NS" rollout restart deployment/sample-service >/dev/null
    info "credentials changed: restarted deployment/sample-service"
  fi
}
