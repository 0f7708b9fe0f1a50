#!/usr/bin/env bash
# Renders krew-manifest.yaml.tmpl (beside this script) to stdout for release
# VERSION, with the sums from SUMS (goreleaser's checksums.txt: "SUM  ARCHIVE").
# Fails unless every archive in the template has a sum and every summed
# archive has a platform, so the manifest never names a missing archive.
# Usage: render-krew-manifest.sh VERSION SUMS
set -euo pipefail
tmpl=$(dirname "$0")/krew-manifest.yaml.tmpl
awk -v version="$1" '
  NR == FNR { sum[$2] = $1; next }
  FNR == 1 { print "# Rendered by make dist from hack/dist/krew-manifest.yaml.tmpl: edit that, not this." }
  /^#/ { next }
  /^ *uri: / { n = split($2, part, "/"); archive = part[n] }
  index($0, "{{SHA256}}") {
    if (!(archive in sum)) { print "error: no sum for " archive > "/dev/stderr"; bad = 1; exit }
    sub(/[{][{]SHA256[}][}]/, sum[archive]); used[archive] = 1
  }
  { gsub(/[{][{]VERSION[}][}]/, version); print }
  END {
    if (!bad) for (a in sum) if (!(a in used)) { print "error: no platform for " a > "/dev/stderr"; bad = 1 }
    exit bad
  }' "$2" "$tmpl"
