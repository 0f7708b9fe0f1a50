#!/usr/bin/env bash
# Stops the cluster that hack/cluster-up.sh started in CLUSTER_DIR: exactly the
# processes whose PIDs it saved, never anything found by name. With --purge it
# also deletes CLUSTER_DIR (certificates, logs, kubeconfig).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case "${1-}" in
  "") purge= ;;
  --purge) purge=1 ;;
  *) die "usage: $0 [--purge]" ;;
esac
CLUSTER_DIR=$(realpath -m "$CLUSTER_DIR") # as cluster-up.sh wrote it into the arguments

# gone NAME PID TENTHS: waits up to TENTHS/10 s for that process to exit.
gone() {
  local t
  for ((t = 0; t < $3; t++)); do
    [ "$(cluster_pid "$1")" = "$2" ] || return 0
    sleep 0.1
  done
  return 1
}

# In reverse start order: on TERM the apiserver waits up to 60 s for its
# clients' watches to end, so they must be gone first.
stopped=()
start_ms=$(date +%s%3N)
for ((i = ${#CLUSTER_COMPONENTS[@]} - 1; i >= 0; i--)); do
  name=${CLUSTER_COMPONENTS[i]}
  pid=$(cluster_pid "$name") || continue
  kill -TERM "$pid" 2>/dev/null || true
  if ! gone "$name" "$pid" 50; then
    log "$name (pid $pid) still running 5s after TERM: killing it"
    kill -KILL "$pid" 2>/dev/null || true
    gone "$name" "$pid" 20 || die "could not stop $name (pid $pid)"
  fi
  stopped+=("$name")
done
rm -f "$CLUSTER_DIR"/pids/*.pid
if [ ${#stopped[@]} = 0 ]; then
  log "no cluster running in $CLUSTER_DIR"
else
  ms=$(($(date +%s%3N) - start_ms))
  log "stopped ${stopped[*]} in $((ms / 1000)).$((ms % 1000 / 100))s"
fi

if [ -n "$purge" ] && [ -e "$CLUSTER_DIR" ]; then
  # Guards against a mistyped CLUSTER_DIR: delete only a cluster-up.sh folder.
  [ -d "$CLUSTER_DIR/pids" ] || die "not deleting $CLUSTER_DIR: no pids/ folder, so cluster-up.sh did not make it"
  rm -rf "$CLUSTER_DIR"
  log "deleted $CLUSTER_DIR"
fi
