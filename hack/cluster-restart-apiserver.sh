#!/usr/bin/env bash
# Kills the kube-apiserver of the cluster in CLUSTER_DIR (the PID that
# cluster-up.sh saved), leaves it down for DOWN seconds (default 5), then
# starts it again with the arguments it ran with, and returns once /readyz
# answers. etcd and the other components keep running: for tests of clients
# that must ride out an API server that goes away.
#   usage: CLUSTER_DIR=... hack/cluster-restart-apiserver.sh [DOWN]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

down=${1:-5}
[[ $down =~ ^[0-9]+$ ]] || die "usage: $0 [DOWN_SECONDS]"
CLUSTER_DIR=$(realpath -m "$CLUSTER_DIR") # as cluster-up.sh wrote it into the arguments
pid=$(cluster_pid kube-apiserver) || die "no kube-apiserver running in $CLUSTER_DIR"
# Its command line as cluster-up.sh started it, read before it goes.
mapfile -d '' args <"/proc/$pid/cmdline"
port=$(sed -n 's/.*--secure-port=\([0-9]*\).*/\1/p' <<<"${args[*]}")

kill -KILL "$pid"
while [ "$(cluster_pid kube-apiserver)" = "$pid" ]; do sleep 0.05; done
log "kube-apiserver (pid $pid) killed; down for ${down}s"
sleep "$down"

cd "$CLUSTER_DIR"
setsid "${args[@]}" </dev/null >>"$CLUSTER_DIR/logs/kube-apiserver.log" 2>&1 &
echo $! >"$CLUSTER_DIR/pids/kube-apiserver.pid"
# Until the fork has exec'd the binary, cluster_pid takes it for gone.
for ((i = 0; i < 100; i++)); do
  cluster_pid kube-apiserver >/dev/null && break
  sleep 0.01
done
deadline=$((SECONDS + ${CLUSTER_TIMEOUT:-60}))
until curl -sfk --noproxy '*' --max-time 2 --cert "$CLUSTER_DIR/pki/admin.crt" --key "$CLUSTER_DIR/pki/admin.key" \
  "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
  cluster_pid kube-apiserver >/dev/null || die "kube-apiserver exited during restart: see $CLUSTER_DIR/logs/kube-apiserver.log"
  ((SECONDS < deadline)) || die "kube-apiserver: no /readyz after ${CLUSTER_TIMEOUT:-60}s: see $CLUSTER_DIR/logs/kube-apiserver.log"
  sleep 0.1
done
log "kube-apiserver (pid $(cat "$CLUSTER_DIR/pids/kube-apiserver.pid")) ready again"
