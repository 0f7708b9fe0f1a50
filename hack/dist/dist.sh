#!/usr/bin/env bash
# Builds the release archives and dist/checksums.txt with goreleaser (pinned
# in hack/tools/goreleaser), then renders dist/krew-manifest.yaml with their
# sums (make krew-manifest copies it to the top level for a release).
# Run by `make dist`, which passes DIST_VERSION and LDFLAGS.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DIST_VERSION:?}" "${LDFLAGS:?}"
bin=$(hack/tools/tool.sh goreleaser)

# Every file in the archives gets the commit's date, so one commit always
# gives the same archives and sums. (goreleaser finds that date itself only
# in a checkout with a remote.)
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
SOURCE_DATE=$(git log -1 --format=%cI)
export DIST_VERSION LDFLAGS SOURCE_DATE_EPOCH SOURCE_DATE
"$bin/goreleaser" release --snapshot --clean --skip=publish

hack/dist/render-krew-manifest.sh "$DIST_VERSION" dist/checksums.txt > dist/krew-manifest.yaml

