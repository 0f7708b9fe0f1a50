#!/usr/bin/env bash
# Start-up benchmark: builds the floor binary (cobra + kubectl's connection
# flags, the least a cli-runtime plugin links) and measures it against
# kubectl-ship and the project's kubectl; writes the table to docs/benchmarks.md.
# Needs bin/kubectl-ship (make build) and the cluster binaries (make cluster-build).
# ROUNDS sets the runs per binary and command (100 keep the CPU ratios within
# about 0.02 from run to run; 30 drift by 0.1); SHIP_BINARY another kubectl-ship.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$ROOT_DIR"

ship=${SHIP_BINARY:-bin/kubectl-ship}
kubectl=$CLUSTER_BIN/kubectl
[ -x "$ship" ] || die "$ship is missing: run make build"
[ -x "$kubectl" ] || die "$kubectl is missing: run make cluster-build"

# Built as kubectl-ship is (static, stripped), so the sizes compare too.
out=_output/bench
mkdir -p "$out" docs
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/floor" ./hack/bench/floor
CGO_ENABLED=0 go build -trimpath -o "$out/measure" ./hack/bench/measure

"$out/measure" -rounds "${ROUNDS:-100}" -o docs/benchmarks.md \
  kubectl="$kubectl" floor="$out/floor" kubectl-ship="$ship"
