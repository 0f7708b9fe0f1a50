#!/usr/bin/env bash
# Starts a fleet of local clusters at once, each as hack/cluster-up.sh starts
# one (its own etcd, kube-apiserver, controller manager, scheduler and kwok,
# in FLEET_DIR/NAME, on 127.0.0.1), and writes FLEET_DIR/kubeconfig with one
# context per cluster, named after it. Stop them with hack/fleet-down.sh.
#   FLEET_CLUSTERS   the clusters' names, space-separated (default "east west")
#   FLEET_DIR        where they live (default _output/fleet)
#   FLEET_PORT_BASE  cluster i (from 0) listens on FLEET_PORT_BASE + 10*i + 0..5:
#                    apiserver, etcd, etcd peer, controller manager, scheduler,
#                    kwok (default 30000)
# NODES, CONTROLLER_QPS and KWOK_STAGES pass through to every cluster;
# KWOK_STAGES_<NAME> (dashes as underscores) to that cluster only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FLEET_CLUSTERS=${FLEET_CLUSTERS:-east west}
FLEET_DIR=$(realpath -m "${FLEET_DIR:-$ROOT_DIR/_output/fleet}")
FLEET_PORT_BASE=${FLEET_PORT_BASE:-30000}
[[ $FLEET_PORT_BASE =~ ^[1-9][0-9]*$ ]] && ((FLEET_PORT_BASE < 65000)) ||
  die "FLEET_PORT_BASE must be a port number below 65000, not '$FLEET_PORT_BASE'"
read -ra names <<<"$FLEET_CLUSTERS"
[ ${#names[@]} -gt 0 ] || die "FLEET_CLUSTERS names no cluster"
for name in "${names[@]}"; do
  [[ $name =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "FLEET_CLUSTERS: '$name' is not a lowercase name"
done
mkdir -p "$FLEET_DIR"

# Concurrently: each cluster's start is mostly waiting for its components.
pids=()
for i in "${!names[@]}"; do
  name=${names[i]} port=$((FLEET_PORT_BASE + 10 * i))
  stages_var=KWOK_STAGES_${name//-/_}
  CLUSTER_DIR=$FLEET_DIR/$name APISERVER_PORT=$port ETCD_PORT=$((port + 1)) ETCD_PEER_PORT=$((port + 2)) \
    KCM_PORT=$((port + 3)) SCHEDULER_PORT=$((port + 4)) KWOK_PORT=$((port + 5)) \
    KWOK_STAGES="${KWOK_STAGES:-} ${!stages_var:-}" \
    "$HACK_DIR/cluster-up.sh" >"$FLEET_DIR/$name.up.log" 2>&1 &
  pids+=($!)
done
failed=()
for i in "${!names[@]}"; do
  wait "${pids[i]}" || failed+=("${names[i]}")
done
for name in "${failed[@]}"; do
  tail -n 20 "$FLEET_DIR/$name.up.log" >&2
done
[ ${#failed[@]} = 0 ] || die "could not start ${failed[*]}: see $FLEET_DIR/NAME.up.log"

# One kubeconfig: each cluster's own, its names made the cluster's.
configs=()
for name in "${names[@]}"; do
  sed -e "s/\bship-e2e\b/$name/g" -e "s/\bship-admin\b/$name-admin/g" "$FLEET_DIR/$name/kubeconfig" >"$FLEET_DIR/$name.kubeconfig"
  configs+=("$FLEET_DIR/$name.kubeconfig")
done
(
  umask 077
  KUBECONFIG=$(
    IFS=:
    echo "${configs[*]}"
  ) "$CLUSTER_BIN/kubectl" config view --flatten >"$FLEET_DIR/kubeconfig"
)
log "fleet up: ${names[*]}; contexts in $FLEET_DIR/kubeconfig"
echo "export KUBECONFIG=$FLEET_DIR/kubeconfig" >&2
