#!/usr/bin/env bash
# Starts the e2e cluster on 127.0.0.1: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, and kwok playing the kubelet of
# NODES fake nodes (default 1), from the binaries of hack/build-cluster.sh.
# Certificates in CLUSTER_DIR are kept between runs, etcd data is not: every
# start gives an empty cluster. Stop it with hack/cluster-down.sh.
# CONTROLLER_QPS raises the request rate of the controller manager and the
# scheduler (their own defaults are 20 and 50 per second), for fixtures of
# thousands of pods such as make bench's. KWOK_STAGES names more kwok stage
# files (space-separated), for a cluster that must misbehave in its own way.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

NODES=${NODES:-1}
CONTROLLER_QPS=${CONTROLLER_QPS:-}
KWOK_STAGES=${KWOK_STAGES:-}
CLUSTER_TIMEOUT=${CLUSTER_TIMEOUT:-60}
[[ $NODES =~ ^[1-9][0-9]*$ ]] || die "NODES must be a positive number, not '$NODES'"
[[ $CONTROLLER_QPS =~ ^([1-9][0-9]*)?$ ]] || die "CONTROLLER_QPS must be a positive number, not '$CONTROLLER_QPS'"
rate=()
[ -z "$CONTROLLER_QPS" ] || rate=(--kube-api-qps="$CONTROLLER_QPS" --kube-api-burst=$((2 * CONTROLLER_QPS)))
for f in etcd kube-apiserver kube-controller-manager kube-scheduler kwok kubectl kwok-stages.yaml; do
  [ -e "$CLUSTER_BIN/$f" ] || die "$CLUSTER_BIN/$f is missing: run hack/build-cluster.sh"
done
extra_stages=()
for f in $KWOK_STAGES; do
  [ -f "$f" ] || die "KWOK_STAGES: $f is not a file"
  extra_stages+=(--config="$(realpath "$f")")
done

# Absolute: it is printed in the KUBECONFIG line and, through the components'
# arguments, is how cluster_pid recognises them.
CLUSTER_DIR=$(realpath -m "$CLUSTER_DIR")
pki=$CLUSTER_DIR/pki
kubeconfig=$CLUSTER_DIR/kubeconfig
export KUBECACHEDIR=$CLUSTER_DIR/kube-cache # else kubectl writes ~/.kube/cache
start_ms=$(date +%s%3N)

kubectl() { "$CLUSTER_BIN/kubectl" --kubeconfig="$kubeconfig" --request-timeout=5s "$@"; }
# https GET PORT PATH: fails unless the answer is 2xx. As admin, so it also
# works where anonymous requests are forbidden; -k because the controller
# manager and the scheduler serve self-signed certificates.
https() {
  curl -sfk --noproxy '*' --max-time 2 --cert "$pki/admin.crt" --key "$pki/admin.key" "https://127.0.0.1:$1$2"
}

running=() stopped=()
for c in "${CLUSTER_COMPONENTS[@]}"; do
  if cluster_pid "$c" >/dev/null; then running+=("$c"); else stopped+=("$c"); fi
done
if [ ${#stopped[@]} = 0 ] && kubectl get --raw /readyz >/dev/null 2>&1; then
  log "cluster already running in $CLUSTER_DIR"
  echo "export KUBECONFIG=$kubeconfig" >&2
  exit 0
fi
[ ${#running[@]} = 0 ] || die "cluster in $CLUSTER_DIR is unhealthy (not running: ${stopped[*]:-none, but /readyz fails}):" \
  "see $CLUSTER_DIR/logs, then run hack/cluster-down.sh"

for var in ETCD_PORT ETCD_PEER_PORT APISERVER_PORT KCM_PORT SCHEDULER_PORT KWOK_PORT; do
  # A connection that opens means something listens there already.
  if (exec 3<>"/dev/tcp/127.0.0.1/${!var}") 2>/dev/null; then
    die "port ${!var} is in use: set $var to a free port"
  fi
done

mkdir -p "$CLUSTER_DIR/logs" "$CLUSTER_DIR/pids"
rm -rf "$CLUSTER_DIR/etcd"
umask 077 # from here on: private keys, the kubeconfig, etcd data
# The components inherit this directory: anything they write to a relative
# path lands in the run folder, not wherever the script was called from.
cd "$CLUSTER_DIR"

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
# new_cert DIR NAME SUBJECT EXTENSION...: NAME.key and NAME.crt signed by the CA.
new_cert() {
  local dir=$1 name=$2 subject=$3 out
  shift 3
  new_key "$dir/$name.key"
  # x509 -req reports "signature ok" on stderr: show its output only on failure.
  out=$(openssl req -new -key "$dir/$name.key" -subj "$subject" |
    openssl x509 -req -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
      -days 3650 -extfile <(printf '%s\n' "$@") -out "$dir/$name.crt" 2>&1) || die "openssl: $out"
}
# Built aside and renamed, so an existing pki folder is always complete.
if [ ! -d "$pki" ]; then
  rm -rf "$pki.new" && mkdir "$pki.new"
  new_key "$pki.new/ca.key"
  openssl req -x509 -new -key "$pki.new/ca.key" -subj /CN=ship-e2e-ca -days 3650 -out "$pki.new/ca.crt" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
  new_cert "$pki.new" apiserver /CN=kube-apiserver keyUsage=critical,digitalSignature extendedKeyUsage=serverAuth \
    subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc
  new_cert "$pki.new" admin /O=system:masters/CN=kubernetes-admin \
    keyUsage=critical,digitalSignature extendedKeyUsage=clientAuth
  new_key "$pki.new/sa.key"
  openssl pkey -in "$pki.new/sa.key" -pubout -out "$pki.new/sa.pub"
  mv "$pki.new" "$pki"
fi

# Rewritten every time, as APISERVER_PORT may have changed.
cat >"$kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: ship-e2e
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
- name: ship-admin
  user:
    client-certificate-data: $(base64 -w0 "$pki/admin.crt")
    client-key-data: $(base64 -w0 "$pki/admin.key")
contexts:
- name: ship-e2e
  context: {cluster: ship-e2e, user: ship-admin}
current-context: ship-e2e
EOF

started=() up=
# If the start fails or is interrupted, stop what it started: no half cluster.
# A flag, not $?, because after a Ctrl-C or kill bash runs this with $? = 0.
trap '[ -n "$up" ] || [ ${#started[@]} = 0 ] || CLUSTER_DIR=$CLUSTER_DIR "$HACK_DIR/cluster-down.sh"' EXIT

# start NAME ARG...: runs the component in a session of its own (setsid), so
# it outlives this script and a Ctrl-C or hang-up of this terminal.
start() {
  local name=$1 i
  shift
  setsid "$CLUSTER_BIN/$name" "$@" </dev/null >"$CLUSTER_DIR/logs/$name.log" 2>&1 &
  echo $! >"$CLUSTER_DIR/pids/$name.pid"
  started+=("$name")
  # Until the fork has exec'd the binary, cluster_pid takes it for gone.
  for ((i = 0; i < 100; i++)); do
    cluster_pid "$name" >/dev/null && return
    sleep 0.01
  done
}

deadline=$((SECONDS + CLUSTER_TIMEOUT))
# wait_for NAME WHAT CMD...: retries CMD until it succeeds. Fails, naming NAME
# and its log, at the deadline or as soon as any started component has exited.
wait_for() {
  local name=$1 what=$2 c
  shift 2
  until "$@" >/dev/null 2>&1; do
    for c in "${started[@]}"; do
      cluster_pid "$c" >/dev/null && continue
      tail -n 20 "$CLUSTER_DIR/logs/$c.log" >&2
      die "$c exited during start: see $CLUSTER_DIR/logs/$c.log"
    done
    ((SECONDS < deadline)) ||
      die "$name: no $what after ${CLUSTER_TIMEOUT}s (CLUSTER_TIMEOUT): see $CLUSTER_DIR/logs/$name.log"
    sleep 0.2
  done
}

start etcd --name=ship-e2e --data-dir="$CLUSTER_DIR/etcd" --unsafe-no-fsync \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="ship-e2e=http://127.0.0.1:$ETCD_PEER_PORT"
# The default endpoint reconciler refuses to run with 127.0.0.1 as the
# advertise address, hence --endpoint-reconciler-type=none.
start kube-apiserver --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
  --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" --client-ca-file="$pki/ca.crt" \
  --authorization-mode=RBAC --service-cluster-ip-range=10.96.0.0/16 --endpoint-reconciler-type=none \
  --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$pki/sa.pub" \
  --service-account-signing-key-file="$pki/sa.key"
wait_for kube-apiserver /readyz https "$APISERVER_PORT" /readyz

# Not --authentication/--authorization-kubeconfig: they make the controller
# manager log CA bundle errors forever. The flex volume folder would otherwise
# be created under /usr/libexec.
start kube-controller-manager --kubeconfig="$kubeconfig" --bind-address=127.0.0.1 --secure-port="$KCM_PORT" \
  --leader-elect=false --controllers='*' --root-ca-file="$pki/ca.crt" \
  --service-account-private-key-file="$pki/sa.key" --flex-volume-plugin-dir="$CLUSTER_DIR/flexvolume" "${rate[@]}"
# kwok does not bind pods to nodes: without a scheduler they stay Pending.
start kube-scheduler --kubeconfig="$kubeconfig" --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" \
  --leader-elect=false "${rate[@]}"
# KWOK_WORKDIR keeps kwok from also loading a user's ~/.kwok/kwok.yaml. The
# stages renew node heartbeats only every 10-20 min, so kwok must keep node
# leases: without them the controller manager marks the node unreachable after
# ~50 s, and its pods, so their endpoints, stay not ready from then on.
# The fault stages make pods of images tagged crashloop, oomkill, pullfail or
# notready misbehave, for the health gates' tests; other pods are unaffected.
KWOK_WORKDIR=$CLUSTER_DIR/kwok start kwok --kubeconfig="$kubeconfig" --config="$CLUSTER_BIN/kwok-stages.yaml" \
  --config="$HACK_DIR/cluster/kwok-fault-stages.yaml" "${extra_stages[@]}" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --cidr=10.244.0.0/16 --node-ip=127.0.0.1 --node-lease-duration-seconds=40 \
  --server-address="127.0.0.1:$KWOK_PORT"

for ((i = 0; i < NODES; i++)); do
  cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations: {kwok.x-k8s.io/node: fake}
  labels: {type: kwok, kubernetes.io/hostname: kwok-node-$i, kubernetes.io/os: linux, kubernetes.io/arch: amd64}
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "1000"}
  capacity: {cpu: "32", memory: 256Gi, pods: "1000"}
---
EOF
done | kubectl create -f - >/dev/null

wait_for kwok "Ready node" kubectl wait --for=condition=Ready node -l type=kwok --timeout=2s
# Pods are refused until the controller manager has created this account.
wait_for kube-controller-manager "default ServiceAccount" \
  https "$APISERVER_PORT" /api/v1/namespaces/default/serviceaccounts/default
wait_for kube-controller-manager /healthz https "$KCM_PORT" /healthz
wait_for kube-scheduler /healthz https "$SCHEDULER_PORT" /healthz

up=1
ms=$(($(date +%s%3N) - start_ms))
log "cluster up in $((ms / 1000)).$((ms % 1000 / 100))s: $NODES kwok node(s), logs in $CLUSTER_DIR/logs"
echo "export KUBECONFIG=$kubeconfig" >&2
