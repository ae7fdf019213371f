#!/usr/bin/env bash
# Traffic generator for the sample service (thin wrapper around `npm run traffic`).
#   ./scripts/generate-traffic.sh 60                  # the default pattern for 60 s against http://localhost:8080
#   ./scripts/generate-traffic.sh --port-forward 300  # through kubectl port-forward to svc/sample-service
#   ./scripts/generate-traffic.sh --help              # every option and scenario
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TSX="$ROOT/node_modules/.bin/tsx"

if ! command -v node >/dev/null 2>&1; then
  echo "error: node is not installed (Node.js >= 20.19 is required)" >&2
  exit 1
fi
if [[ ! -x "$TSX" ]]; then
  echo "error: dependencies are not installed: run 'npm ci' in $ROOT first" >&2
  exit 1
fi

export TRAFFIC_SCRIPT_NAME="${TRAFFIC_SCRIPT_NAME:-$(basename "$0")}"
exec "$TSX" "$ROOT/scripts/traffic/cli.ts" "$@"
