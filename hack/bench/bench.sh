#!/usr/bin/env bash
# make bench: builds the floor binary (cobra + kubectl's connection flags, the
# least a cli-runtime plugin links) and measures kubectl-ship against it and
# the project's kubectl: start-up, then, on a cluster of its own, the API
# requests of every verb, the latency of its waits, and list and status at
# 1,000 releases; then, with two more clusters, list across clusters and
# over 50 simulated contexts, and the dashboard over two of them. Writes the
# report to docs/benchmarks.md, then appends the Go benchmarks of the
# planners and the status model.
# Needs bin/kubectl-ship (make build) and the cluster binaries (make cluster-build).
# ROUNDS sets the start-up runs per binary and command (100 keep the CPU
# ratios within about 0.02 from run to run; 30 drift by 0.1), CLUSTER_ROUNDS
# the runs against the cluster; SHIP_BINARY measures another kubectl-ship.
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

# Its own cluster, on ports of its own, with room for 4,000 pods and
# controllers fast enough to start 3,000 of them in a minute or two.
# BENCH_PORT_BASE moves them all, for a machine where they are taken.
if [ -n "${BENCH_PORT_BASE:-}" ]; then
  p=$BENCH_PORT_BASE
  export APISERVER_PORT=$p ETCD_PORT=$((p + 1)) ETCD_PEER_PORT=$((p + 2)) KCM_PORT=$((p + 3)) SCHEDULER_PORT=$((p + 4)) KWOK_PORT=$((p + 5))
  FLEET_PORT_BASE=$((p + 10))
else
  export APISERVER_PORT=26443 ETCD_PORT=22379 ETCD_PEER_PORT=22380 KCM_PORT=20357 SCHEDULER_PORT=20359 KWOK_PORT=20347
fi
export CLUSTER_DIR=$ROOT_DIR/$out/cluster NODES=4 CONTROLLER_QPS=500
export KUBECACHEDIR=$CLUSTER_DIR/kube-cache # kubectl's discovery cache, warm after the first run
fleet_dir=$ROOT_DIR/$out/fleet
trap 'FLEET_DIR=$fleet_dir hack/fleet-down.sh; hack/cluster-down.sh' EXIT
hack/cluster-up.sh

"$out/measure" -rounds "${ROUNDS:-100}" -cluster-rounds "${CLUSTER_ROUNDS:-10}" -kubeconfig "$CLUSTER_DIR/kubeconfig" \
  -o docs/benchmarks.md kubectl="$kubectl" floor="$out/floor" kubectl-ship="$ship"

# Two more clusters beside it, for list across clusters, started only now so
# that their idle load does not touch the measurements above.
FLEET_DIR=$fleet_dir FLEET_CLUSTERS="bench-b bench-c" FLEET_PORT_BASE=${FLEET_PORT_BASE:-23400} hack/fleet-up.sh
"$out/measure" -cluster-rounds "${CLUSTER_ROUNDS:-10}" -kubeconfig "$CLUSTER_DIR/kubeconfig" \
  -fleet-kubeconfig "$fleet_dir/kubeconfig" kubectl-ship="$ship" | tee -a docs/benchmarks.md
# The dashboard over two of them, each with the 1,000 releases above.
"$out/measure" -cluster-rounds "${CLUSTER_ROUNDS:-10}" -kubeconfig "$CLUSTER_DIR/kubeconfig" \
  -fleet-kubeconfig "$fleet_dir/kubeconfig" -dashboard kubectl-ship="$ship" | tee -a docs/benchmarks.md
FLEET_DIR=$fleet_dir hack/fleet-down.sh

# How the binary was brought under its size budget, kept with the figures.
tee -a docs/benchmarks.md < hack/bench/size.md
{
  printf '\n## Go benchmarks\n\nThe planners and the status model, without a cluster (`go test -bench . ./pkg/...`).\n\n```\n'
  go test -run '^$' -bench . -benchmem ./pkg/... | grep -E '^(Benchmark|pkg:)'
  printf '```\n'
} | tee -a docs/benchmarks.md
