# Shared settings for the hack/ scripts: where the pinned cluster binaries and
# the running cluster live. Sourced, not run.
HACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(dirname "$HACK_DIR")

# K8S_PIN names the control plane's module under hack/cluster: k8s, the
# release the e2e suite is tested on, or k8s-1.34, the oldest supported minor
# (make e2e-compat). The version is the one that module requires.
K8S_PIN=${K8S_PIN:-k8s}
[ -f "$HACK_DIR/cluster/$K8S_PIN/go.mod" ] || { echo "error: K8S_PIN: no hack/cluster/$K8S_PIN/go.mod" >&2; exit 1; }
K8S_MODULE=$HACK_DIR/cluster/$K8S_PIN
K8S_VERSION=$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$K8S_MODULE/go.mod")
KWOK_VERSION=v0.8.0

# The binaries live outside the checkout, keyed by the pinned module sums, so a
# fresh clone on the same machine (CI, a later session) reuses them.
SHIP_CACHE=${SHIP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-ship}
pin_hash=$(cat "$K8S_MODULE"/go.mod "$HACK_DIR"/cluster/kwok/go.mod "$K8S_MODULE"/go.sum "$HACK_DIR"/cluster/kwok/go.sum \
  "$HACK_DIR/build-cluster.sh" | sha256sum | cut -c1-12)
CLUSTER_BIN=${CLUSTER_BIN:-$SHIP_CACHE/cluster-$K8S_VERSION-$pin_hash/bin}

# The running cluster: certificates, data, logs, PIDs and the kubeconfig.
CLUSTER_DIR=${CLUSTER_DIR:-$ROOT_DIR/_output/cluster}
ETCD_PORT=${ETCD_PORT:-2379}
ETCD_PEER_PORT=${ETCD_PEER_PORT:-2380}
APISERVER_PORT=${APISERVER_PORT:-6443}
KCM_PORT=${KCM_PORT:-10257}
SCHEDULER_PORT=${SCHEDULER_PORT:-10259}
KWOK_PORT=${KWOK_PORT:-10247}

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The cluster's processes in start order; cluster-up.sh saves the PID of each
# in $CLUSTER_DIR/pids/NAME.pid.
CLUSTER_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

# cluster_pid NAME prints the PID that cluster-up.sh saved for component NAME,
# if that process still runs: a stale file's PID may since belong to another
# program. Matched by binary name (not full path, so a cluster started from an
# older CLUSTER_BIN can still be stopped) and by its arguments naming
# CLUSTER_DIR, which the callers first make absolute.
cluster_pid() {
  local pid exe
  pid=$(cat "$CLUSTER_DIR/pids/$1.pid" 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  exe=${exe% (deleted)}
  [ "${exe##*/}" = "$1" ] && grep -qzF "$CLUSTER_DIR/" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}
