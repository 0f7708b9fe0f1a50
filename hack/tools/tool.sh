#!/usr/bin/env bash
# Prints the directory holding the binaries of the pinned tool module
# hack/tools/NAME, building them first from the Go module proxy if needed.
# The binaries live outside the checkout, keyed by the module's pins and this
# script, so a fresh clone on the same machine (CI, a later session) reuses them.
# Usage: hack/tools/tool.sh NAME
set -euo pipefail
dir=$(cd "$(dirname "$0")/$1" && pwd)
cache=${SHIP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-ship}
bin=$cache/tools/$1-$(cat "$dir/go.mod" "$dir/go.sum" "$0" | sha256sum | cut -c1-12)/bin
if [ ! -d "$bin" ]; then
  start=$SECONDS
  mkdir -p "$(dirname "$bin")"
  tmp=$(mktemp -d "$bin.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/" tool)
  # Atomic: a half-built directory is never taken as done, and a build that
  # finished first in another shell is kept.
  mv -T "$tmp" "$bin" || [ -d "$bin" ]
  printf 'built %s in %ss: %s\n' "$1" "$((SECONDS - start))" "$bin" >&2
fi
echo "$bin"
