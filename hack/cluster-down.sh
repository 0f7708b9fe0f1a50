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

names=() pids=()
for f in "$CLUSTER_DIR"/pids/*.pid; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .pid)
  if pid=$(cluster_pid "$name"); then
    names+=("$name") pids+=("$pid")
  fi
done

# still_running: those of names[] whose saved process is still alive.
still_running() {
  local i left=()
  for i in "${!names[@]}"; do
    [ "$(cluster_pid "${names[i]}")" = "${pids[i]}" ] && left+=("${names[i]}")
  done
  echo "${left[*]}"
}
# wait_gone TENTHS: waits up to TENTHS/10 s; fails if some are still running.
wait_gone() {
  local t
  for ((t = 0; t < $1; t++)); do
    [ -z "$(still_running)" ] && return 0
    sleep 0.1
  done
  [ -z "$(still_running)" ]
}

if [ ${#pids[@]} = 0 ]; then
  log "no cluster running in $CLUSTER_DIR"
else
  start_ms=$(date +%s%3N)
  kill -TERM "${pids[@]}" 2>/dev/null || true
  if ! wait_gone 50; then
    log "still running after 5s, killing: $(still_running)"
    for i in "${!names[@]}"; do
      if [ "$(cluster_pid "${names[i]}")" = "${pids[i]}" ]; then kill -KILL "${pids[i]}" 2>/dev/null || true; fi
    done
    wait_gone 20 || die "could not stop: $(still_running)"
  fi
  ms=$(($(date +%s%3N) - start_ms))
  log "stopped ${names[*]} in $((ms / 1000)).$((ms % 1000 / 100))s"
fi
rm -f "$CLUSTER_DIR"/pids/*.pid

if [ -n "$purge" ] && [ -e "$CLUSTER_DIR" ]; then
  # Guards against a mistyped CLUSTER_DIR: delete only a cluster-up.sh folder.
  [ -d "$CLUSTER_DIR/pids" ] || die "not deleting $CLUSTER_DIR: no pids/ folder, so cluster-up.sh did not make it"
  rm -rf "$CLUSTER_DIR"
  log "deleted $CLUSTER_DIR"
fi
