#!/usr/bin/env bash
# A narrated walkthrough of the seed's release flow through kubectl ship, on
# the local cluster of hack/cluster-up.sh. It leaves the cluster up to play on.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export KUBECONFIG=$CLUSTER_DIR/kubeconfig KUBECACHEDIR=$CLUSTER_DIR/kube-cache
export PATH=$ROOT_DIR/bin:$CLUSTER_BIN:$PATH
ns=ship-demo

say() { printf '\n\033[1m# %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

kubectl delete namespace "$ns" --ignore-not-found --wait=true >/dev/null
kubectl create namespace "$ns" >/dev/null
kubectl config set-context --current --namespace "$ns" >/dev/null

say "kubectl finds the plugin on PATH"
run kubectl ship version

say "A Deployment and a Service: 3 pods of ctwoc 1.0.0"
kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: ctwoc}
spec:
  replicas: 3
  selector: {matchLabels: {app: ctwoc}}
  template:
    metadata: {labels: {app: ctwoc, track: stable}}
    spec: {containers: [{name: ctwoc, image: "example/ctwoc:1.0.0"}]}
---
apiVersion: v1
kind: Service
metadata: {name: ctwoc}
spec:
  selector: {app: ctwoc}
  ports: [{port: 80}]
YAML
run kubectl rollout status deployment/ctwoc

say "Scale it, as kubectl does"
run kubectl scale deployment ctwoc --replicas=5
run kubectl rollout status deployment/ctwoc
run kubectl scale deployment ctwoc --replicas=3
run kubectl rollout status deployment/ctwoc

say "A rolling update, paused, resumed and undone with kubectl rollout"
run kubectl set image deployment/ctwoc ctwoc=example/ctwoc:1.1.0
run kubectl rollout pause deployment/ctwoc
run kubectl rollout resume deployment/ctwoc
run kubectl rollout status deployment/ctwoc
run kubectl rollout undo deployment/ctwoc
run kubectl rollout status deployment/ctwoc

say "A canary of 2.0.0 taking 25% of the pods, each client IP sticking to one version"
run kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --weight 25 --sticky
run kubectl get endpointslices -l kubernetes.io/service-name=ctwoc

say "Grow it to half the pods, then promote it"
run kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --weight 50
run kubectl ship promote ctwoc
run kubectl get deployments,pods -o wide

say "A canary that goes wrong is aborted: the stable pods never changed"
run kubectl ship canary ctwoc --image example/ctwoc:3.0.0-rc1
run kubectl ship status ctwoc
run kubectl ship abort ctwoc

say "Blue-green: 3.0.0 comes up fully in green while blue serves (twice the capacity)"
run kubectl ship bluegreen ctwoc --image example/ctwoc:3.0.0
run kubectl ship status ctwoc

say "Switch the Service to green at once, then back to blue: the rollback"
run kubectl ship bluegreen-switch ctwoc
run kubectl ship bluegreen-switch ctwoc --to blue
run kubectl ship bluegreen-switch ctwoc --to green

say "Once sure, scale the idle color down"
run kubectl ship bluegreen cleanup ctwoc
run kubectl ship list

say "A StatefulSet's canary: its partition puts db:2 on the highest ordinal only, the others stay untouched"
kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 4
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "example/db:1"}]}
YAML
run kubectl rollout status statefulset/db
run kubectl ship canary db --image example/db:2 --replicas 1
run kubectl get pods -l app=db -L controller-revision-hash
run kubectl ship status db

say "Its history: the ControllerRevisions kubectl knows, beside ship's record; then promote"
run kubectl ship history db
run kubectl ship promote db
run kubectl rollout history statefulset/db

say "A second cluster (its own etcd, API server, controllers and kwok), and one kubeconfig with both"
fleet_dir=$ROOT_DIR/_output/fleet
FLEET_DIR=$fleet_dir FLEET_CLUSTERS=west hack/fleet-up.sh
fleet_config=$fleet_dir/demo-kubeconfig
KUBECONFIG=$KUBECONFIG:$fleet_dir/kubeconfig kubectl config view --flatten >"$fleet_config"
export KUBECONFIG=$fleet_config
kubectl config rename-context ship-e2e east >/dev/null
for c in east west; do
  kubectl config set-context "$c" --namespace "$ns" >/dev/null
done
kubectl --context west create namespace "$ns" >/dev/null
for c in east west; do
  kubectl --context "$c" apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop, track: stable}}
    spec: {containers: [{name: shop, image: "example/shop:1.0.0"}]}
---
apiVersion: v1
kind: Service
metadata: {name: shop}
spec:
  selector: {app: shop}
  ports: [{port: 80}]
YAML
  kubectl --context "$c" rollout status deployment/shop >/dev/null
done
run kubectl config get-contexts
run kubectl ship list --all-contexts

say "A canary in two waves: west only once east has stayed healthy for 5s"
run kubectl ship canary shop --image example/shop:2.0.0 --weight 25 --wave east --wave west --soak 5s
run kubectl ship status shop --all-contexts

say "Promote across both, in the same order; history in each cluster shows the fleet's waves"
run kubectl ship promote shop --wave east --wave west
run kubectl ship history shop --all-contexts

printf '\nThe clusters are still up. To keep playing:\n  export KUBECONFIG=%s PATH=%s:$PATH\nStop them with: make cluster-down\n' \
  "$KUBECONFIG" "$ROOT_DIR/bin:$CLUSTER_BIN"
