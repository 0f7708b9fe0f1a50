#!/usr/bin/env bash
# Stops the clusters hack/fleet-up.sh started in FLEET_DIR (each with
# hack/cluster-down.sh, so exactly their own processes), at once. With
# --purge it also deletes FLEET_DIR.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FLEET_DIR=$(realpath -m "${FLEET_DIR:-$ROOT_DIR/_output/fleet}")
case "${1-}" in
  "") purge= ;;
  --purge) purge=1 ;;
  *) die "usage: $0 [--purge]" ;;
esac

pids=()
for dir in "$FLEET_DIR"/*/; do
  [ -d "$dir/pids" ] || continue
  CLUSTER_DIR=$dir "$HACK_DIR/cluster-down.sh" &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do
  wait "$pid" || status=1
done
[ $status = 0 ] || die "could not stop every cluster of $FLEET_DIR"
if [ -n "$purge" ] && [ -e "$FLEET_DIR" ]; then
  rm -rf "$FLEET_DIR"
  log "deleted $FLEET_DIR"
fi
