#!/usr/bin/env bash
# Prints the directory of the Gateway API's standard channel CRDs
# (config/crd/standard), from the sigs.k8s.io/gateway-api module pinned in
# hack/tools/gateway-api: downloaded from the Go module proxy the first time,
# checked against that module's go.sum, and kept in the Go module cache.
# The e2e suite applies them into its cluster (kubectl apply --server-side).
set -euo pipefail
dir=$(cd "$(dirname "$0")/tools/gateway-api" && pwd)
mod=$(cd "$dir" && go mod download -json sigs.k8s.io/gateway-api | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
crds=$mod/config/crd/standard
[ -f "$crds/gateway.networking.k8s.io_httproutes.yaml" ] || { echo "error: no HTTPRoute CRD in $crds" >&2; exit 1; }
echo "$crds"
