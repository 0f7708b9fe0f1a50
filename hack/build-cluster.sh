#!/usr/bin/env bash
# Builds the e2e cluster's binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, etcd, kwok) from the Go module proxy, at the versions
# pinned in hack/cluster/$K8S_PIN and hack/cluster/kwok. A build that already
# exists is kept.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)
missing=0
for b in "${bins[@]}"; do [ -x "$CLUSTER_BIN/$b" ] || missing=1; done
if [ "$missing" = 0 ]; then
  log "cluster binaries $K8S_VERSION already built in $CLUSTER_BIN"
  exit 0
fi

# Without the version stamps every binary reports v0.0.0-master and kubectl
# version fails to parse the server version.
minor=${K8S_VERSION#v1.}
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor%%.*}"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=2026-01-01T00:00:00Z"
done

tmp=$(mktemp -d "$SHIP_CACHE.build.XXXXXX" 2>/dev/null || { mkdir -p "$SHIP_CACHE"; mktemp -d "$SHIP_CACHE.build.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
export CGO_ENABLED=0 GOFLAGS=-mod=mod
start=$SECONDS
log "building Kubernetes $K8S_VERSION control plane and etcd (cold: about 12 minutes on 2 cores for the first)"
(cd "$K8S_MODULE" && go build -trimpath -ldflags "$ldflags" -o "$tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
(cd "$K8S_MODULE" && go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3)
log "building kwok $KWOK_VERSION"
(cd "$HACK_DIR/cluster/kwok" && go build -trimpath -ldflags "-s -w" -o "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok)

# kwok alone has no stages: take the fast node and pod stages from its module.
stages=$(cd "$HACK_DIR/cluster/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage
for s in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
  pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
  cat "$stages/$s.yaml"; echo "---"
done > "$tmp/kwok-stages.yaml"

mkdir -p "$(dirname "$CLUSTER_BIN")"
rm -rf "$CLUSTER_BIN" && mv "$tmp" "$CLUSTER_BIN"
trap - EXIT
log "built in $((SECONDS - start))s: $CLUSTER_BIN"
