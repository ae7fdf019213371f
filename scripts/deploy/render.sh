#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# make render: every overlay's manifests, rendered offline with `kubectl kustomize` (no cluster):
#   k8s/overlays/<env>     -> $RENDER_DIR/<env>.yaml          (what `make deploy` applies)
#   elastic/overlays/<env> -> $RENDER_DIR/elastic-<env>.yaml  (the Elastic side alone)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RENDER_DIR="${RENDER_DIR:-out/rendered}"
have kubectl || die "kubectl is needed to render (it includes kustomize); install it from https://kubernetes.io/docs/tasks/tools/" 2
mkdir -p "$RENDER_DIR"
for dir in k8s/overlays/*/ elastic/overlays/*/; do
  name="$(basename "$dir")"
  case "$dir" in elastic/*) name="elastic-${name}" ;; esac
  kubectl kustomize "$dir" >"${RENDER_DIR}/${name}.yaml.tmp"
  mv "${RENDER_DIR}/${name}.yaml.tmp" "${RENDER_DIR}/${name}.yaml"
  printf '%s -> %s (%s objects)\n' "${dir%/}" "${RENDER_DIR}/${name}.yaml" "$(grep -c '^kind: ' "${RENDER_DIR}/${name}.yaml")"
done
