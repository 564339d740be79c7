#!/usr/bin/env bash
# shellcheck disable=SC2317 # the final `exit` (see main) makes functions run through step/check/await look unreachable
# The Kubernetes test bed: a real single-node Kubernetes made of host processes (no Docker, no kind, no pulls).
# Every binary is built here from the Go module proxy, every image with buildah from scratch; runtime state lives
# in .local/cluster, builds and the registry's storage in $ADDISPAY_CACHE. See docs/kubernetes-bed.md.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Pinned versions (the bed's topology in ../notes/bed-conventions.md depends on the first two).
K8S_VERSION=v1.34.4
K8S_STAGING_VERSION=v0.34.4
ETCD_VERSION=v3.6.16
KUBE_ROUTER_VERSION=v2.1.0
COREDNS_VERSION=v1.14.7
REGISTRY_VERSION=v3.1.2 # github.com/distribution/distribution/v3
CRICTL_VERSION=v1.34.0
PAUSE_TAG=1.0.0 # our own pause program, k8s/bed/pause.c

# Fixed topology.
NODE_NAME=addispay-bed
NODE_IP=10.244.0.1
BRIDGE=addispay0
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
API_SERVICE_IP=10.96.0.1
DNS_SERVICE_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
API_PORT=6443
ETCD_PORT=2379
ETCD_PEER_PORT=2380
REGISTRY=127.0.0.1:5001
PAUSE_IMAGE="${REGISTRY}/addispay/pause:${PAUSE_TAG}"
COREDNS_IMAGE="${REGISTRY}/addispay/coredns:${COREDNS_VERSION#v}"
TOOLBOX_IMAGE="${REGISTRY}/addispay/bed-toolbox:1.0.1" # busybox, for the smoke test only

BED="${ADDISPAY_ROOT}/k8s/bed"
DIR="${ADDISPAY_LOCAL}/cluster"
PKI="${DIR}/pki"
LOGS="${DIR}/logs"
RUN="${DIR}/run"
KUBECONFIG_ADMIN="${DIR}/kubeconfig"
BUILD_LOGS="${DIR}/build"
CTR_DIR="${DIR}/containerd"
CTR_SOCK="${CTR_DIR}/containerd.sock"
# A unix socket path may not exceed 107 bytes: deep checkouts put it in /run, keyed by the checkout path.
if ((${#CTR_SOCK} > 100)); then
  CTR_SOCK="/run/addispay-containerd-$(printf '%s' "$DIR" | sha256sum | cut -c1-12).sock"
fi
CNI_CONF_DIR="${DIR}/cni/net.d"
CNI_IPAM_DIR="${DIR}/cni/ipam"
KUBELET_DIR="${DIR}/kubelet"

K8S_CACHE="${ADDISPAY_CACHE}/k8s-${K8S_VERSION}"
ETCD_CACHE="${ADDISPAY_CACHE}/etcd-${ETCD_VERSION}"
TOOLS_CACHE="${ADDISPAY_CACHE}/k8s-bed-tools" # kube-router, coredns, registry, crictl: one GOBIN per version
IMAGES_CACHE="${ADDISPAY_CACHE}/k8s-bed-images"
REGISTRY_STORAGE="${ADDISPAY_CACHE}/registry"
K8S_BIN="${K8S_CACHE}/bin"
KUBE_ROUTER="${TOOLS_CACHE}/kube-router-${KUBE_ROUTER_VERSION}/kube-router"
COREDNS="${TOOLS_CACHE}/coredns-${COREDNS_VERSION}/coredns"
REGISTRY_BIN="${TOOLS_CACHE}/registry-${REGISTRY_VERSION}/registry"
CRICTL="${TOOLS_CACHE}/crictl-${CRICTL_VERSION}/crictl"
ETCD="${ETCD_CACHE}/bin/etcd"
KUBECTL="${K8S_BIN}/kubectl"
K8S_COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
DEBIAN_PACKAGES=(containerd runc containernetworking-plugins iptables ipset conntrack openssl buildah kmod iproute2
  procps util-linux curl gcc libc6-dev busybox-static)

# Daemons in start order; `down` stops them in reverse.
DAEMONS=(registry etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy kube-router)

usage() {
  cat <<EOF
Usage: scripts/cluster.sh {install|up|down|status|kubeconfig|bin-path|smoke|reset|--help}

  install     Debian packages (containerd, runc, CNI plugins, iptables, buildah, ...), then builds into
              \$ADDISPAY_CACHE (${ADDISPAY_CACHE}): Kubernetes ${K8S_VERSION}, etcd ${ETCD_VERSION},
              kube-router ${KUBE_ROUTER_VERSION}, CoreDNS ${COREDNS_VERSION}, registry ${REGISTRY_VERSION},
              crictl ${CRICTL_VERSION}, and the node's images (pause, coredns). Idempotent; build logs in
              .local/cluster/build. Cold: about 19 min on 2 busy cores; warm: under a second.
  up          install if needed, then start (idempotent) the registry on ${REGISTRY}, the bridge ${BRIDGE}
              (${NODE_IP}/24 = node IP), etcd, kube-apiserver on https://127.0.0.1:${API_PORT},
              kube-controller-manager, kube-scheduler, containerd, kubelet, kube-proxy (iptables),
              kube-router (NetworkPolicy only) and CoreDNS (${DNS_SERVICE_IP}); waits for a Ready node and DNS.
  down        stop everything and remove every trace on the host: containers and shims, iptables chains,
              ipsets, veths, the bridge, netns and container mounts, CNI IP state, cgroups, sysctls we changed.
              Verifies and fails if anything is left. Keeps etcd data, certificates and the registry storage.
  status      one line per component; exit 0 only when all are healthy
  kubeconfig  print the kubeconfig path (context addispay-bed), e.g. export KUBECONFIG=\$(scripts/cluster.sh kubeconfig)
  bin-path    print the PATH entries holding kubectl (${K8S_VERSION}) and crictl, e.g. PATH=\$(scripts/cluster.sh bin-path):\$PATH
  smoke       end-to-end check on a running bed: a non-root read-only pod behind a ClusterIP Service, DNS and
              the Service from another pod, an ingress NetworkPolicy, kubectl logs/exec/port-forward
  reset       down, then delete .local/cluster (etcd data, certificates) for a fresh cluster

Needs root (network, mounts, cgroups). Logs and pids: .local/cluster/logs, .local/cluster/run.
EOF
}

# ---------------------------------------------------------------------------------------------------------------
# install

# step NAME LOGFILE CMD...: run CMD with its output in LOGFILE, print one line with the time it took.
step() {
  local name="$1" logfile="$2" start=$SECONDS
  shift 2
  mkdir -p "$(dirname "$logfile")"
  printf '[%s] %-34s ' "$SCRIPT_NAME" "$name" >&2
  if ! "$@" >"$logfile" 2>&1; then
    printf 'FAILED after %ss\n' "$((SECONDS - start))" >&2
    tail -n 25 "$logfile" | sed 's/^/    /' >&2
    die "${name} failed; full log: ${logfile}"
  fi
  printf 'done (%ss)\n' "$((SECONDS - start))" >&2
}

gobuild() { nice -n 10 env CGO_ENABLED=0 GOWORK=off GOFLAGS=-mod=mod "$@"; }
in_dir() { (cd "$1" && shift && "$@"); }

# apt holds a lock that other engineers' scripts may hold too: wait for it rather than fail at once.
install_packages() {
  local missing=() pkg tries=0
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" == 'install ok installed' ]] || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  until (apt_install "${missing[@]}"); do
    tries=$((tries + 1))
    ((tries < 10)) || die "could not install Debian packages: ${missing[*]}"
    log "apt is busy (another install?); retrying in 15s"
    sleep 15
  done
}

# The staging modules (k8s.io/api, k8s.io/client-go, ...) are `replace`d with local paths in k8s.io/kubernetes's
# go.mod, so `go install k8s.io/kubernetes/cmd/...` is refused; a wrapper module replaces each with its release.
write_k8s_module() {
  local src="$1" gomod
  gomod="$(cd "$src" && GOWORK=off go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -s "$gomod" ]] || die "go mod download k8s.io/kubernetes@${K8S_VERSION} gave no go.mod"
  local staging
  staging="$(awk '$2 == "=>" && $3 ~ /^\.\/staging\/src\// { print $1 }' "$gomod" | sort -u)"
  [[ -n "$staging" ]] || die "no staging replace lines found in ${gomod}"
  {
    echo '// Generated by scripts/cluster.sh: builds the Kubernetes commands from the Go module proxy.'
    echo 'module addispay.local/k8sbuild'
    echo
    echo 'go 1.24.0'
    echo
    echo "require k8s.io/kubernetes ${K8S_VERSION}"
    echo
    echo 'replace ('
    local m
    for m in $staging; do printf '\t%s => %s %s\n' "$m" "$m" "$K8S_STAGING_VERSION"; done
    echo ')'
  } >"${src}/go.mod"
  {
    echo '//go:build tools'
    echo
    echo 'package tools'
    echo
    echo 'import ('
    local c
    for c in "${K8S_COMMANDS[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$c"; done
    echo ')'
  } >"${src}/tools.go"
  echo "staging modules replaced: $(wc -w <<<"$staging")"
  (cd "$src" && GOWORK=off GOFLAGS=-mod=mod go mod tidy)
}

build_kubernetes() {
  local src="${K8S_CACHE}/src" stamp="${K8S_CACHE}/.built" c absent=0
  for c in "${K8S_COMMANDS[@]}"; do [[ -x "${K8S_BIN}/${c}" ]] || absent=1; done
  [[ "$absent" == 0 && -f "$stamp" ]] && return 0
  mkdir -p "$src" "$K8S_BIN"
  [[ -f "${src}/go.sum" && -f "${src}/tools.go" ]] ||
    step "kubernetes module" "${BUILD_LOGS}/k8s-module.log" write_k8s_module "$src"
  local pkg=k8s.io/component-base/version cgo=k8s.io/client-go/pkg/version minor="${K8S_VERSION#v1.}"
  minor="${minor%%.*}"
  local ldflags="-s -w -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
  ldflags+=" -X ${pkg}.gitTreeState=clean -X ${cgo}.gitVersion=${K8S_VERSION} -X ${cgo}.gitMajor=1"
  ldflags+=" -X ${cgo}.gitMinor=${minor} -X ${cgo}.gitTreeState=clean"
  for c in "${K8S_COMMANDS[@]}"; do
    [[ -x "${K8S_BIN}/${c}" ]] && continue
    step "build ${c}" "${BUILD_LOGS}/${c}.log" in_dir "$src" gobuild go build -ldflags "$ldflags" -o "${K8S_BIN}/${c}.tmp" "k8s.io/kubernetes/cmd/${c}"
    mv "${K8S_BIN}/${c}.tmp" "${K8S_BIN}/${c}"
  done
  "${K8S_BIN}/kube-apiserver" --version | grep -qx "Kubernetes ${K8S_VERSION}" ||
    die "kube-apiserver reports '$("${K8S_BIN}/kube-apiserver" --version)', expected ${K8S_VERSION}"
  touch "$stamp"
}

build_etcd() {
  [[ -x "$ETCD" ]] && return 0
  local src="${ETCD_CACHE}/src"
  mkdir -p "$src" "${ETCD_CACHE}/bin"
  cat >"${src}/go.mod" <<EOF
// Generated by scripts/cluster.sh.
module addispay.local/etcdbuild

go 1.24.0

require go.etcd.io/etcd/server/v3 ${ETCD_VERSION}
EOF
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >"${src}/tools.go"
  step "etcd module" "${BUILD_LOGS}/etcd-module.log" in_dir "$src" env GOWORK=off GOFLAGS=-mod=mod go mod tidy
  step "build etcd" "${BUILD_LOGS}/etcd.log" in_dir "$src" gobuild go build -ldflags "-s -w" -o "${ETCD}.tmp" \
    go.etcd.io/etcd/server/v3
  mv "${ETCD}.tmp" "$ETCD"
}

# go_install BINARY_PATH MODULE_PATH@VERSION: `go install` into the binary's own directory (a GOBIN per version).
go_install() {
  local bin="$1" pkg="$2"
  [[ -x "$bin" ]] && return 0
  mkdir -p "$(dirname "$bin")"
  step "build $(basename "$bin") ${pkg##*@}" "${BUILD_LOGS}/$(basename "$bin").log" \
    in_dir / gobuild env GOBIN="$(dirname "$bin")" go install -ldflags "-s -w" "$pkg"
}

build_pause() {
  local out="${IMAGES_CACHE}/pause/pause" stamp
  stamp="${IMAGES_CACHE}/pause/.source-$(sha256sum "${BED}/pause.c" | cut -c1-16)"
  [[ -x "$out" && -f "$stamp" ]] && return 0
  mkdir -p "$(dirname "$out")"
  step "build pause (gcc -static)" "${BUILD_LOGS}/pause.log" \
    gcc -static -Os -Wall -Wextra -Werror -o "$out" "${BED}/pause.c"
  rm -f "${IMAGES_CACHE}/pause/.source-"* && touch "$stamp"
}

buildah_() { buildah --root "${IMAGES_CACHE}/storage" --runroot "${IMAGES_CACHE}/runroot" --storage-driver vfs "$@"; }

# An image is rebuilt when its input file (the program it packs) or its tag changes.
image_stamp() { printf '%s/.%s-%s-%s' "$IMAGES_CACHE" "$(basename "${1%:*}")" "${1##*:}" "$(sha256sum "$2" | cut -c1-16)"; }
image_current() { [[ -f "$(image_stamp "$1" "$2")" ]] && buildah_ inspect --type image "$1" >/dev/null 2>&1; }

# make_image NAME INPUT USER ENTRYPOINT_JSON SRC:DEST...: a from-scratch image in our buildah storage.
make_image() {
  local image="$1" input="$2" user="$3" entrypoint="$4" ctr pair
  shift 4
  ctr="$(buildah_ from scratch)"
  for pair in "$@"; do buildah_ copy --chown "${user}" "$ctr" "${pair%%:*}" "${pair#*:}" >/dev/null; done
  buildah_ config --user "$user" --entrypoint "$entrypoint" \
    --label "org.opencontainers.image.source=addispay scripts/cluster.sh" "$ctr"
  buildah_ commit --rm "$ctr" "$image" >/dev/null
  touch "$(image_stamp "$image" "$input")"
}

# The smoke test's image: busybox (Debian's static build) as uid 10001. Bump its tag when the applets change.
TOOLBOX_APPLETS=(sh ls cat echo sleep wget nslookup httpd nc id hostname ip ps env grep sed tail timeout seq)
build_toolbox_image() {
  local root="${IMAGES_CACHE}/toolbox-rootfs" applet
  rm -rf "$root" && mkdir -p "${root}/bin" "${root}/tmp" "${root}/etc"
  cp /bin/busybox "${root}/bin/busybox"
  for applet in "${TOOLBOX_APPLETS[@]}"; do ln -s busybox "${root}/bin/${applet}"; done
  printf 'root:x:0:0:root:/:/bin/sh\nbed:x:10001:10001:bed:/:/bin/sh\n' >"${root}/etc/passwd"
  printf 'root:x:0:\nbed:x:10001:\n' >"${root}/etc/group"
  make_image "$TOOLBOX_IMAGE" /bin/busybox 10001:10001 '["/bin/sh"]' "${root}/.:/"
}

build_images() {
  build_pause
  image_current "$PAUSE_IMAGE" "${IMAGES_CACHE}/pause/pause" ||
    step "image pause:${PAUSE_TAG}" "${BUILD_LOGS}/image-pause.log" make_image "$PAUSE_IMAGE" \
      "${IMAGES_CACHE}/pause/pause" 65535:65535 '["/pause"]' "${IMAGES_CACHE}/pause/pause:/pause"
  image_current "$COREDNS_IMAGE" "$COREDNS" ||
    step "image coredns:${COREDNS_VERSION#v}" "${BUILD_LOGS}/image-coredns.log" make_image "$COREDNS_IMAGE" \
      "$COREDNS" 65532:65532 '["/coredns"]' "${COREDNS}:/coredns"
  image_current "$TOOLBOX_IMAGE" /bin/busybox ||
    step "image ${TOOLBOX_IMAGE#"${REGISTRY}"/}" "${BUILD_LOGS}/image-toolbox.log" build_toolbox_image
  return 0
}

cmd_install() {
  ((EUID == 0)) || die "the bed needs root (network namespaces, iptables, mounts, cgroups)"
  require_cmd go "install Go 1.24 or newer"
  mkdir -p "$BUILD_LOGS"
  local start=$SECONDS
  install_packages
  build_kubernetes
  build_etcd
  go_install "$KUBE_ROUTER" "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@${KUBE_ROUTER_VERSION}"
  go_install "$COREDNS" "github.com/coredns/coredns@${COREDNS_VERSION}"
  go_install "$REGISTRY_BIN" "github.com/distribution/distribution/v3/cmd/registry@${REGISTRY_VERSION}"
  go_install "$CRICTL" "sigs.k8s.io/cri-tools/cmd/crictl@${CRICTL_VERSION}"
  build_images
  log "install complete ($((SECONDS - start))s); binaries under ${ADDISPAY_CACHE}"
}

# ---------------------------------------------------------------------------------------------------------------
# runtime helpers

installed() {
  local c
  for c in "${K8S_COMMANDS[@]}"; do [[ -x "${K8S_BIN}/${c}" ]] || return 1; done
  [[ -f "${K8S_CACHE}/.built" && -x "$ETCD" && -x "$KUBE_ROUTER" && -x "$COREDNS" && -x "$REGISTRY_BIN" &&
    -x "$CRICTL" && -x "${IMAGES_CACHE}/pause/pause" ]] || return 1
  command -v containerd >/dev/null && command -v runc >/dev/null && command -v iptables >/dev/null &&
    command -v buildah >/dev/null && [[ -x /usr/lib/cni/bridge ]]
}

kubectl_() { "$KUBECTL" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
crictl_() { "$CRICTL" --runtime-endpoint "unix://${CTR_SOCK}" --image-endpoint "unix://${CTR_SOCK}" --timeout 20s "$@"; }
ctr_() { ctr --address "$CTR_SOCK" "$@"; }

# render TEMPLATE OUTPUT: fill the @NAME@ placeholders of a k8s/bed template.
render() {
  local out="$2"
  mkdir -p "$(dirname "$out")"
  sed -e "s|@DIR@|${DIR}|g" -e "s|@CTR_DIR@|${CTR_DIR}|g" -e "s|@CTR_SOCK@|${CTR_SOCK}|g" \
    -e "s|@PKI@|${PKI}|g" -e "s|@CNI_CONF_DIR@|${CNI_CONF_DIR}|g" -e "s|@CNI_IPAM_DIR@|${CNI_IPAM_DIR}|g" \
    -e "s|@PAUSE_IMAGE@|${PAUSE_IMAGE}|g" -e "s|@BRIDGE@|${BRIDGE}|g" -e "s|@POD_CIDR@|${POD_CIDR}|g" \
    -e "s|@NODE_IP@|${NODE_IP}|g" -e "s|@NODE_NAME@|${NODE_NAME}|g" -e "s|@DNS_SERVICE_IP@|${DNS_SERVICE_IP}|g" \
    -e "s|@CLUSTER_DOMAIN@|${CLUSTER_DOMAIN}|g" -e "s|@REGISTRY_STORAGE@|${REGISTRY_STORAGE}|g" \
    -e "s|@REGISTRY@|${REGISTRY}|g" "$1" >"${out}.tmp"
  if grep -q '@[A-Z_]*@' "${out}.tmp"; then
    die "unknown placeholder in $1: $(grep -o '@[A-Z_]*@' "${out}.tmp" | sort -u | tr '\n' ' ')"
  fi
  mv "${out}.tmp" "$out"
}

pidfile() { printf '%s/%s.pid' "$RUN" "$1"; }

# ours PID: the process was started by this bed (its command line names .local/cluster).
ours() { [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$DIR"; }

daemon_pid() {
  local file
  file="$(pidfile "$1")"
  pid_alive "$file" && ours "$(<"$file")" && cat "$file"
}

# start_daemon NAME CMD...: start CMD detached (own session), log to logs/NAME.log; no-op when it runs already.
start_daemon() {
  local name="$1"
  shift
  if daemon_pid "$name" >/dev/null; then
    return 0
  fi
  mkdir -p "$RUN" "$LOGS"
  [[ -s "${LOGS}/${name}.log" ]] && mv -f "${LOGS}/${name}.log" "${LOGS}/${name}.log.1" # one previous run kept
  printf '==== %s started %s\n' "$name" "$(date -u +%FT%TZ)" >"${LOGS}/${name}.log"
  setsid "$@" </dev/null >>"${LOGS}/${name}.log" 2>&1 9>&- &
  echo $! >"$(pidfile "$name")"
}

# await NAME TIMEOUT HEALTH_FUNCTION: wait for a daemon to be healthy; fail at once if it exits.
await() {
  local name="$1" timeout="$2" probe="$3"
  "$probe" && return 0
  local start=$SECONDS
  printf '[%s] %-34s ' "$SCRIPT_NAME" "$name" >&2
  until "$probe"; do
    if ! daemon_pid "$name" >/dev/null; then
      printf 'EXITED\n' >&2
      tail -n 20 "${LOGS}/${name}.log" | sed 's/^/    /' >&2
      die "${name} exited during start-up; log: ${LOGS}/${name}.log"
    fi
    if ((SECONDS - start >= timeout)); then
      printf 'NOT healthy after %ss\n' "$timeout" >&2
      tail -n 20 "${LOGS}/${name}.log" | sed 's/^/    /' >&2
      die "${name} did not become healthy; log: ${LOGS}/${name}.log"
    fi
    sleep 0.25
  done
  printf 'up (%ss)\n' "$((SECONDS - start))" >&2
}

curl_() { curl -fsS --max-time 3 -o /dev/null "$@" 2>/dev/null; }
admin_curl() { curl_ --cacert "${PKI}/ca.crt" --cert "${PKI}/admin.crt" --key "${PKI}/admin.key" "$@"; }

healthy_registry() { curl_ "http://${REGISTRY}/v2/"; }
healthy_etcd() { curl -fsS --max-time 3 "http://127.0.0.1:${ETCD_PORT}/health" 2>/dev/null | grep -q '"health":"true"'; }
healthy_kube_apiserver() { admin_curl "https://127.0.0.1:${API_PORT}/readyz"; }
healthy_kube_controller_manager() { curl_ -k https://127.0.0.1:10257/healthz; }
healthy_kube_scheduler() { curl_ -k https://127.0.0.1:10259/healthz; }
healthy_containerd() { [[ -S "$CTR_SOCK" ]] && timeout 5 ctr --address "$CTR_SOCK" version >/dev/null 2>&1; }
healthy_kubelet() { curl_ http://127.0.0.1:10248/healthz; }
healthy_kube_proxy() { curl_ http://127.0.0.1:10256/healthz; }
healthy_kube_router() { curl_ http://127.0.0.1:20244/healthz; }
node_ready() {
  [[ "$(kubectl_ get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}
node_has_pod_cidr() { [[ -n "$(kubectl_ get node "$NODE_NAME" -o jsonpath='{.spec.podCIDR}' 2>/dev/null)" ]]; }
# After a down/up the API still shows the old Ready state for a while: *_since TIME asks for a status the
# kubelet reported at or after TIME (RFC 3339, UTC, compared as strings).
node_ready_since() {
  local out
  out="$(kubectl_ get node "$NODE_NAME" \
    -o jsonpath='{range .status.conditions[?(@.type=="Ready")]}{.status} {.lastHeartbeatTime}{end}' 2>/dev/null)"
  [[ "${out%% *}" == True && ! "${out#* }" < "$1" ]]
}
coredns_ready_since() {
  local t
  coredns_ready || return 1
  for t in $(kubectl_ -n kube-system get pods -l k8s-app=kube-dns \
    -o jsonpath='{range .items[*].status.conditions[?(@.type=="Ready")]}{.status}={.lastTransitionTime} {end}'); do
    [[ "${t%%=*}" == True && ! "${t#*=}" < "$1" ]] && return 0
  done
  return 1
}
coredns_ready() {
  [[ "$(kubectl_ -n kube-system get deploy coredns -o jsonpath='{.status.readyReplicas}' 2>/dev/null)" == 1 ]]
}

# ---------------------------------------------------------------------------------------------------------------
# up

check_prerequisites() {
  ((EUID == 0)) || die "the bed needs root (network namespaces, iptables, mounts, cgroups)"
  [[ -d /sys/fs/cgroup ]] || die "/sys/fs/cgroup is not mounted"
  # The kubelet puts unix sockets (device plugins, CSI registration) under its root: keep room below 107 bytes.
  ((${#KUBELET_DIR} <= 64)) || die "the checkout path is too deep for the kubelet's sockets (${KUBELET_DIR}); use a shorter path"
  local mod
  for mod in overlay br_netfilter bridge veth ip_set xt_set nf_conntrack; do modprobe -q "$mod" 2>/dev/null || true; done
  [[ -d /proc/sys/net/bridge ]] || die "bridge netfilter is missing (modprobe br_netfilter failed, /proc/sys/net/bridge absent)"
  grep -qw overlay /proc/filesystems || die "the kernel has no overlay filesystem (modprobe overlay failed)"
  # A port is fine when it is free or when the daemon of ours that owns it is running.
  local entry port owner
  for entry in "${REGISTRY##*:}:registry" "${ETCD_PORT}:etcd" "${ETCD_PEER_PORT}:etcd" "${API_PORT}:kube-apiserver" \
    10257:kube-controller-manager 10259:kube-scheduler 10248:kubelet 10250:kubelet 10256:kube-proxy \
    10249:kube-proxy 20244:kube-router; do
    port="${entry%%:*}" owner="${entry#*:}"
    port_free "$port" || daemon_pid "$owner" >/dev/null ||
      die "port ${port} (for ${owner}) is in use by another process: $(ss -Htlnp "sport = :${port}" | awk '{print $NF}' | head -1)"
  done
  local free
  free="$(free_disk_mib "$DIR")"
  ((free >= 4096)) || die "only ${free} MiB free under ${DIR}; the bed needs at least 4 GiB"
}

# Host sysctls the node needs (and the kubelet sets): saved once before the first change, restored by `down`.
SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  net.ipv4.conf.all.route_localnet vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes)

set_sysctls() {
  local saved="${DIR}/sysctl.saved" key
  if [[ ! -f "$saved" ]]; then
    for key in "${SYSCTLS[@]}"; do
      [[ -e "/proc/sys/${key//.//}" ]] && printf '%s=%s\n' "$key" "$(sysctl -n "$key")"
    done >"${saved}.tmp"
    mv "${saved}.tmp" "$saved"
  fi
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 ||
    die "could not set net.ipv4.ip_forward / net.bridge.bridge-nf-call-iptables"
}

ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge || die "could not create bridge ${BRIDGE}"
  fi
  ip -4 addr show dev "$BRIDGE" | grep -q "inet ${NODE_IP}/24" || ip addr add "${NODE_IP}/24" dev "$BRIDGE" ||
    die "could not give ${BRIDGE} the address ${NODE_IP}/24"
  ip link set "$BRIDGE" up
}

# cert NAME SUBJECT EXTENDED_KEY_USAGE [SUBJECT_ALT_NAMES]: a key and a certificate signed by the bed's CA.
cert() {
  local name="$1" subject="$2" usage="$3" san="${4:-}"
  [[ -s "${PKI}/${name}.crt" && -s "${PKI}/${name}.key" ]] && return 0
  openssl req -new -newkey rsa:2048 -nodes -keyout "${PKI}/${name}.key" -out "${PKI}/${name}.csr" \
    -subj "$subject" 2>/dev/null
  {
    echo 'basicConstraints = critical, CA:FALSE'
    echo 'keyUsage = critical, digitalSignature, keyEncipherment'
    echo "extendedKeyUsage = ${usage}"
    if [[ -n "$san" ]]; then echo "subjectAltName = ${san}"; fi
  } >"${PKI}/${name}.ext"
  openssl x509 -req -in "${PKI}/${name}.csr" -CA "${PKI}/ca.crt" -CAkey "${PKI}/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "${PKI}/${name}.ext" -out "${PKI}/${name}.crt" 2>/dev/null
  rm -f "${PKI}/${name}.csr" "${PKI}/${name}.ext"
}

# kubeconfig FILE USER CERT_NAME: a kubeconfig with embedded certificates, context addispay-bed.
kubeconfig() {
  local file="$1" user="$2" name="$3"
  [[ -s "$file" ]] && return 0
  local k=("$KUBECTL" config --kubeconfig "${file}.tmp")
  "${k[@]}" set-cluster addispay-bed --server "https://127.0.0.1:${API_PORT}" \
    --certificate-authority "${PKI}/ca.crt" --embed-certs >/dev/null
  "${k[@]}" set-credentials "$user" --client-certificate "${PKI}/${name}.crt" --client-key "${PKI}/${name}.key" \
    --embed-certs >/dev/null
  "${k[@]}" set-context addispay-bed --cluster addispay-bed --user "$user" >/dev/null
  "${k[@]}" use-context addispay-bed >/dev/null
  mv "${file}.tmp" "$file"
}

ensure_pki() {
  mkdir -p "$PKI" && chmod 700 "$PKI"
  (
    umask 077
    if [[ ! -s "${PKI}/ca.crt" ]]; then
      openssl req -x509 -newkey rsa:2048 -nodes -keyout "${PKI}/ca.key" -out "${PKI}/ca.crt" -days 3650 -sha256 \
        -subj "/CN=addispay-bed-ca" -addext 'basicConstraints=critical,CA:TRUE' \
        -addext 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature' 2>/dev/null
    fi
    if [[ ! -s "${PKI}/sa.key" ]]; then
      openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "${PKI}/sa.key" 2>/dev/null
      openssl pkey -in "${PKI}/sa.key" -pubout -out "${PKI}/sa.pub" 2>/dev/null
    fi
    local d="kubernetes.default.svc.${CLUSTER_DOMAIN}"
    cert apiserver "/CN=kube-apiserver" serverAuth \
      "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:${d},DNS:localhost,IP:127.0.0.1,IP:${API_SERVICE_IP},IP:${NODE_IP}"
    cert kubelet "/CN=${NODE_NAME}" serverAuth "DNS:${NODE_NAME},IP:${NODE_IP}"
    cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
    cert admin "/O=system:masters/CN=addispay-bed-admin" clientAuth
    cert controller-manager "/CN=system:kube-controller-manager" clientAuth
    cert scheduler "/CN=system:kube-scheduler" clientAuth
    cert kubelet-client "/O=system:nodes/CN=system:node:${NODE_NAME}" clientAuth
    cert kube-proxy "/CN=system:kube-proxy" clientAuth
    cert kube-router "/CN=addispay-bed:kube-router" clientAuth
    # Aggregated APIs (metrics-server for the chart's HPAs, ...) authenticate the API server by this certificate.
    cert front-proxy-client "/CN=front-proxy-client" clientAuth
    kubeconfig "$KUBECONFIG_ADMIN" addispay-bed-admin admin
    kubeconfig "${PKI}/controller-manager.kubeconfig" system:kube-controller-manager controller-manager
    kubeconfig "${PKI}/scheduler.kubeconfig" system:kube-scheduler scheduler
    kubeconfig "${PKI}/kubelet.kubeconfig" "system:node:${NODE_NAME}" kubelet-client
    kubeconfig "${PKI}/kube-proxy.kubeconfig" system:kube-proxy kube-proxy
    kubeconfig "${PKI}/kube-router.kubeconfig" addispay-bed:kube-router kube-router
  )
}

registry_has() {
  local repo="${1#"${REGISTRY}"/}"
  curl_ -I -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://${REGISTRY}/v2/${repo%:*}/manifests/${repo##*:}"
}

push_images() {
  local image id record
  mkdir -p "${IMAGES_CACHE}/pushed"
  for image in "$PAUSE_IMAGE" "$COREDNS_IMAGE" "$TOOLBOX_IMAGE"; do
    id="$(buildah_ inspect --type image --format '{{.FromImageID}}' "$image" 2>/dev/null)" ||
      die "image ${image} is not in ${IMAGES_CACHE}/storage: run scripts/cluster.sh install"
    record="${IMAGES_CACHE}/pushed/$(basename "${image%:*}")-${image##*:}"
    [[ -f "$record" && "$(<"$record")" == "$id" ]] && registry_has "$image" && continue
    step "push ${image#"${REGISTRY}"/}" "${BUILD_LOGS}/push.log" \
      buildah_ push --tls-verify=false "$image" "docker://${image}"
    echo "$id" >"$record"
  done
}

start_registry() {
  render "${BED}/registry.yml" "${DIR}/registry.yml"
  mkdir -p "$REGISTRY_STORAGE"
  # distribution v3 exports OpenTelemetry traces to localhost:4318 unless told not to.
  start_daemon registry env OTEL_TRACES_EXPORTER=none "$REGISTRY_BIN" serve "${DIR}/registry.yml"
  await registry 30 healthy_registry
}

start_etcd() {
  mkdir -p "${DIR}/etcd" && chmod 700 "${DIR}/etcd"
  start_daemon etcd "$ETCD" --name "$NODE_NAME" --data-dir "${DIR}/etcd" \
    --listen-client-urls "http://127.0.0.1:${ETCD_PORT}" --advertise-client-urls "http://127.0.0.1:${ETCD_PORT}" \
    --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-cluster "${NODE_NAME}=http://127.0.0.1:${ETCD_PEER_PORT}" --listen-metrics-urls "" \
    --quota-backend-bytes 4294967296 --log-level warn
  await etcd 60 healthy_etcd
}

start_control_plane() {
  start_daemon kube-apiserver "${K8S_BIN}/kube-apiserver" \
    --advertise-address "$NODE_IP" --bind-address 0.0.0.0 --secure-port "$API_PORT" \
    --etcd-servers "http://127.0.0.1:${ETCD_PORT}" \
    --tls-cert-file "${PKI}/apiserver.crt" --tls-private-key-file "${PKI}/apiserver.key" \
    --client-ca-file "${PKI}/ca.crt" \
    --service-account-issuer "https://kubernetes.default.svc.${CLUSTER_DOMAIN}" \
    --service-account-key-file "${PKI}/sa.pub" --service-account-signing-key-file "${PKI}/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction --allow-privileged=true \
    --kubelet-client-certificate "${PKI}/apiserver-kubelet-client.crt" \
    --kubelet-client-key "${PKI}/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "${PKI}/ca.crt" --kubelet-preferred-address-types InternalIP \
    --requestheader-client-ca-file "${PKI}/ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "${PKI}/front-proxy-client.crt" --proxy-client-key-file "${PKI}/front-proxy-client.key" \
    --profiling=false --v=1
  await kube-apiserver 120 healthy_kube_apiserver
  kubectl_ apply -f "${BED}/kube-router-rbac.yaml" >/dev/null || die "could not apply the kube-router RBAC"

  start_daemon kube-controller-manager "${K8S_BIN}/kube-controller-manager" \
    --kubeconfig "${PKI}/controller-manager.kubeconfig" \
    --authentication-kubeconfig "${PKI}/controller-manager.kubeconfig" \
    --authorization-kubeconfig "${PKI}/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --cluster-name addispay-bed --leader-elect=false \
    --cluster-signing-cert-file "${PKI}/ca.crt" --cluster-signing-key-file "${PKI}/ca.key" \
    --root-ca-file "${PKI}/ca.crt" --service-account-private-key-file "${PKI}/sa.key" \
    --use-service-account-credentials=true --service-cluster-ip-range "$SERVICE_CIDR" \
    --allocate-node-cidrs=true --cluster-cidr "$POD_CIDR" --node-cidr-mask-size 24 --profiling=false --v=1
  start_daemon kube-scheduler "${K8S_BIN}/kube-scheduler" \
    --kubeconfig "${PKI}/scheduler.kubeconfig" --authentication-kubeconfig "${PKI}/scheduler.kubeconfig" \
    --authorization-kubeconfig "${PKI}/scheduler.kubeconfig" --bind-address 127.0.0.1 --leader-elect=false \
    --profiling=false --v=1
  await kube-controller-manager 60 healthy_kube_controller_manager
  await kube-scheduler 60 healthy_kube_scheduler
}

start_containerd() {
  render "${BED}/containerd.toml" "${CTR_DIR}/config.toml"
  mkdir -p "${CTR_DIR}/certs.d/${REGISTRY}"
  cat >"${CTR_DIR}/certs.d/${REGISTRY}/hosts.toml" <<EOF
# Generated by scripts/cluster.sh: the bed's registry speaks plain HTTP.
server = "http://${REGISTRY}"

[host."http://${REGISTRY}"]
  capabilities = ["pull", "resolve"]
EOF
  render "${BED}/10-addispay.conflist" "${CNI_CONF_DIR}/10-addispay.conflist"
  mkdir -p "$CNI_IPAM_DIR"
  # A containerd that died with the host (or was killed) leaves its state directory behind; a new one must start
  # clean, unless shims (and their containers) survived it and it is to reconnect to them.
  if ! daemon_pid containerd >/dev/null && [[ -z "$(our_shims)" ]] && ! findmnt -rn -o TARGET | grep -qF "${CTR_DIR}/"; then
    rm -rf "${CTR_DIR}/state" "${CTR_DIR}/runc"
  fi
  start_daemon containerd containerd --config "${CTR_DIR}/config.toml"
  await containerd 30 healthy_containerd
}

start_node() {
  render "${BED}/kubelet.yaml" "${DIR}/kubelet.yaml"
  # A kubelet (re)started now must report afresh; one that kept running has nothing stale to wait out.
  KUBELET_STARTED=1970-01-01T00:00:00Z
  daemon_pid kubelet >/dev/null || KUBELET_STARTED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  mkdir -p "$KUBELET_DIR" "${DIR}/pod-logs" "${DIR}/kubelet-plugins"
  start_daemon kubelet "${K8S_BIN}/kubelet" --config "${DIR}/kubelet.yaml" \
    --kubeconfig "${PKI}/kubelet.kubeconfig" --root-dir "$KUBELET_DIR" \
    --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --v=1
  await kubelet 60 healthy_kubelet

  render "${BED}/kube-proxy.yaml" "${DIR}/kube-proxy.yaml"
  start_daemon kube-proxy "${K8S_BIN}/kube-proxy" --config "${DIR}/kube-proxy.yaml" --v=1
  await kube-proxy 60 healthy_kube_proxy

  wait_for 120 "node ${NODE_NAME} to be Ready" node_ready_since "$KUBELET_STARTED" ||
    die "node ${NODE_NAME} is not Ready; see ${LOGS}/kubelet.log and: kubectl describe node ${NODE_NAME}"
  # kube-router reads the node's pod CIDR, which the controller manager assigns once the node registered.
  wait_for 60 "the node's pod CIDR" node_has_pod_cidr ||
    die "node ${NODE_NAME} got no pod CIDR from the controller manager; see ${LOGS}/kube-controller-manager.log"
  start_daemon kube-router "$KUBE_ROUTER" --kubeconfig "${PKI}/kube-router.kubeconfig" \
    --hostname-override "$NODE_NAME" --run-firewall=true --run-router=false --run-service-proxy=false \
    --run-loadbalancer=false --enable-cni=false --enable-ipv4=true --enable-ipv6=false \
    --service-cluster-ip-range "$SERVICE_CIDR" --health-port 20244 --metrics-port 0 --v=1
  await kube-router 60 healthy_kube_router
}

dns_check_pod() {
  cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: bed-dns-check
  namespace: kube-system
  labels: { app.kubernetes.io/name: bed-dns-check }
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext: { runAsNonRoot: true, runAsUser: 10001 }
  containers:
    - name: check
      image: ${TOOLBOX_IMAGE}
      # kube-proxy may not have programmed the DNS Service yet: retry for a minute.
      command:
        - sh
        - -c
        - for i in \$(seq 60); do nslookup kubernetes.default.svc.${CLUSTER_DOMAIN} ${DNS_SERVICE_IP} | grep -q ${API_SERVICE_IP} && exit 0; sleep 1; done; exit 1
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
EOF
}

pod_phase() { kubectl_ -n "$1" get pod "$2" -o jsonpath='{.status.phase}' 2>/dev/null; }

check_dns() {
  kubectl_ -n kube-system delete pod bed-dns-check --ignore-not-found --wait=true >/dev/null
  dns_check_pod | kubectl_ apply -f - >/dev/null || die "could not create the DNS check pod"
  local start=$SECONDS phase=""
  until [[ "$phase" == Succeeded || "$phase" == Failed ]]; do
    ((SECONDS - start < 120)) || break
    sleep 1
    phase="$(pod_phase kube-system bed-dns-check)"
  done
  if [[ "$phase" != Succeeded ]]; then
    kubectl_ -n kube-system describe pod bed-dns-check | tail -n 15 | sed 's/^/    /' >&2
    die "a pod could not resolve kubernetes.default.svc.${CLUSTER_DOMAIN} through ${DNS_SERVICE_IP} (phase: ${phase:-none})"
  fi
  kubectl_ -n kube-system delete pod bed-dns-check --wait=false >/dev/null
  log "DNS: a pod resolved kubernetes.default.svc.${CLUSTER_DOMAIN} -> ${API_SERVICE_IP} ($((SECONDS - start))s)"
}

all_healthy() {
  local d
  for d in "${DAEMONS[@]}"; do daemon_pid "$d" >/dev/null && "healthy_${d//-/_}" || return 1; done
  node_ready && coredns_ready
}

cmd_up() {
  local start=$SECONDS
  ((EUID == 0)) || die "the bed needs root (network namespaces, iptables, mounts, cgroups)"
  mkdir -p "$DIR"
  exec 9>"${DIR}/.lock"
  flock -w 300 9 || die "another scripts/cluster.sh holds ${DIR}/.lock"
  if installed && all_healthy; then
    echo "$DIR" >"$OWNER_FILE"
    log "already up; kubeconfig: ${KUBECONFIG_ADMIN} (context addispay-bed)"
    return 0
  fi
  local other
  if other="$(other_owner)"; then
    die "the bed of another checkout runs on this host (${other}); stop it with its scripts/cluster.sh down"
  fi
  cmd_install # idempotent: seconds when everything is built
  check_prerequisites
  echo "$DIR" >"$OWNER_FILE"
  set_sysctls
  start_registry
  push_images
  ensure_bridge # before the kubelet: its address is the node IP
  ensure_pki
  start_etcd
  start_control_plane
  start_containerd
  start_node
  kubectl_ apply -f "${BED}/coredns.yaml" >/dev/null || die "could not apply k8s/bed/coredns.yaml"
  wait_for 180 "CoreDNS to be ready" coredns_ready_since "$KUBELET_STARTED" ||
    die "CoreDNS is not ready: kubectl -n kube-system describe pod -l k8s-app=kube-dns"
  check_dns
  log "up in $((SECONDS - start))s: Kubernetes ${K8S_VERSION} on https://127.0.0.1:${API_PORT}, node ${NODE_NAME} (${NODE_IP})"
  log "kubeconfig: ${KUBECONFIG_ADMIN} (context addispay-bed); export KUBECONFIG=\$(scripts/cluster.sh kubeconfig)"
}

# ---------------------------------------------------------------------------------------------------------------
# down

# running PID: alive and not a zombie (our daemons are re-parented to an init that may reap them late).
running() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

# stop_daemon NAME [TIMEOUT]: SIGTERM, then SIGKILL after TIMEOUT seconds.
stop_daemon() {
  local name="$1" timeout="${2:-20}" pid
  pid="$(daemon_pid "$name")" || {
    rm -f "$(pidfile "$name")"
    return 0
  }
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while running "$pid" && ((waited < timeout * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if running "$pid"; then
    log "${name} (pid ${pid}) ignored SIGTERM for ${timeout}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$(pidfile "$name")"
  log "stopped ${name}"
}

# Pods are removed through the CRI so that the CNI plugins undo their own work (veth, IP, iptables, netns).
remove_pods() {
  healthy_containerd || return 0
  local ids
  ids="$(crictl_ pods -q 2>/dev/null)" || return 0
  [[ -z "$ids" ]] && return 0
  log "removing $(wc -l <<<"$ids") pod sandboxes through the CRI"
  # shellcheck disable=SC2086 # one id per word
  crictl_ stopp $ids >/dev/null 2>&1 || true
  # shellcheck disable=SC2086
  crictl_ rmp -f $ids >/dev/null 2>&1 || true
  local ns
  for ns in k8s.io default moby; do
    ctr_ -n "$ns" tasks ls -q 2>/dev/null | while read -r id; do
      ctr_ -n "$ns" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
      ctr_ -n "$ns" tasks delete -f "$id" >/dev/null 2>&1 || true
    done
  done
}

OUR_EXECUTABLES=" ${K8S_COMMANDS[*]} etcd kube-router registry coredns crictl containerd containerd-shim-runc-v2 "

# bed_processes STATE_DIR [SOCKET]: pids (one a line) of the bed's programs whose command line names the state
# directory (or containerd's socket) of a checkout; an editor or `tail -f` on a log there is left alone.
bed_processes() {
  local p cmd exe
  for p in /proc/[0-9]*; do
    exe="$(readlink "${p}/exe" 2>/dev/null)" || continue
    exe="${exe% (deleted)}"
    [[ "$OUR_EXECUTABLES" == *" ${exe##*/} "* ]] || continue
    cmd="$(tr '\0' ' ' <"${p}/cmdline" 2>/dev/null)" || continue
    [[ "$cmd" == *"$1"* || "$cmd" == *"${2:-$1}"* ]] && echo "${p#/proc/}"
  done
  return 0
}
our_processes() { bed_processes "$DIR" "$CTR_SOCK"; }

# The bridge, the iptables chains and the kubepods cgroups are host-wide: one bed per host. The checkout whose
# bed holds them is named in OWNER_FILE; another checkout's up refuses and its down leaves them alone.
OWNER_FILE=/run/addispay-bed.owner
other_owner() {
  local other
  [[ -s "$OWNER_FILE" ]] || return 1
  other="$(<"$OWNER_FILE")"
  [[ "$other" != "$DIR" && -n "$(bed_processes "$other")" ]] && echo "$other"
}

our_shims() { pgrep -f "containerd-shim.*${CTR_SOCK}" || true; }

# task_ids: the containers and sandboxes containerd has bundles for (running, or left by a crash).
task_ids() {
  local d
  for d in "${CTR_DIR}/state/io.containerd.runtime.v2.task/k8s.io"/*/; do
    [[ -d "$d" ]] && basename "$d"
  done
  return 0
}

# Files a killed shim or an interrupted CNI DEL leaves for task ID: the shim's socket (containerd 1.6 names it
# sha256(<containerd address>/<namespace>/<id>)) and the CNI result caches.
task_files() {
  local id="$1" sum
  sum="$(printf '%s' "${CTR_SOCK}/k8s.io/${id}" | sha256sum | cut -d' ' -f1)"
  printf '%s\n' "/run/containerd/s/${sum}" /var/lib/cni/results/*-"${id}"-*
}

remove_task_files() {
  local id f
  for id in "$@"; do
    while read -r f; do [[ -e "$f" || -S "$f" ]] && rm -f "$f"; done < <(task_files "$id")
  done
  return 0
}

# Processes still inside the kubelet's pod cgroups (containers whose shim died): all belong to pods of this node.
pod_processes() {
  local f
  for f in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    if [[ -d "$f" ]]; then find "$f" -name cgroup.procs -exec cat {} + 2>/dev/null || true; fi
  done | sort -un
}

# kill_leftovers [all]: SIGKILL the containers and shims left behind (with `all`: every process of the bed).
kill_leftovers() {
  local pids
  if [[ "${1:-}" == all ]]; then
    pids="$( (our_processes; pod_processes) | sort -un | tr '\n' ' ')"
  else
    pids="$( (our_shims; pod_processes) | sort -un | tr '\n' ' ')"
  fi
  [[ -z "${pids// /}" ]] && return 0
  log "killing leftover processes: ${pids}"
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  sleep 1
}

# our_mounts: mount points under .local/cluster, container network namespaces not used by any process, in
# unmount order (deepest first).
our_mounts() {
  findmnt -rn -o TARGET | while read -r m; do
    m="$(printf '%b' "$m")" # findmnt escapes blanks as \x20
    if [[ "$m" == "$DIR"/* ]]; then
      echo "$m"
    elif [[ "$m" =~ ^/(var/)?run/netns/cni- && -z "$(ip netns pids "${m##*/}" 2>/dev/null)" ]]; then
      echo "$m"
    fi
  done | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- | uniq
}

unmount_all() {
  local m n=0
  while read -r m; do
    [[ -z "$m" ]] && continue
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount ${m}"
    n=$((n + 1))
  done < <(our_mounts)
  ((n > 0)) && log "unmounted ${n} mounts"
  local f
  for f in /run/netns/cni-*; do
    [[ -e "$f" ]] && ! mountpoint -q "$f" && rm -f "$f"
  done
  return 0
}

iptables_commands() {
  local c
  for c in iptables ip6tables iptables-legacy ip6tables-legacy iptables-nft ip6tables-nft; do
    command -v "$c" >/dev/null 2>&1 && echo "$c"
  done
}

# iptables_plan MODE TABLE < iptables-save output: what of the bed is in one table. Ours: every KUBE-* chain
# (kube-proxy, the kubelet, kube-router), every rule naming kube-router, and what the CNI plugins made for the
# network "addispay" (rules with its name, their CNI-* chains). The portmap plugin's shared CNI-HOSTPORT-* chains
# are ours only when no other CNI network (podman's, say) has rules on this host. MODE script: an
# iptables-restore --noflush script deleting all that; MODE count: how many rules and chains that is.
iptables_plan() {
  awk -v mode="$1" -v table="$2" '
    { line[NR] = $0 }
    function target(l,   f, n, k) {
      n = split(l, f, " ")
      for (k = 1; k < n; k++) if (f[k] == "-j" || f[k] == "-g") return f[k + 1]
      return ""
    }
    END {
      net = "name: \\\"addispay\\\""
      for (i = 1; i <= NR; i++) {
        l = line[i]
        if (index(l, "name: \\\"") && !index(l, net)) others = 1
        if (l ~ /^:/) { chain[++nc] = substr(l, 2, index(l, " ") - 2); continue }
        if (l !~ /^-A / || !index(l, net)) continue
        split(l, f, " ")
        if (f[2] ~ /^CNI-/ && f[2] !~ /^CNI-HOSTPORT-/) ours[f[2]] = 1
        t = target(l)
        if (t ~ /^CNI-/ && t !~ /^CNI-HOSTPORT-/) ours[t] = 1
      }
      for (i = 1; i <= nc; i++) {
        c = chain[i]
        if (c ~ /^KUBE-/ || (!others && c ~ /^CNI-HOSTPORT-/)) ours[c] = 1
      }
      for (i = 1; i <= NR; i++) {
        l = line[i]
        if (l !~ /^-A /) continue
        split(l, f, " ")
        if (f[2] in ours) continue
        if (l ~ /KUBE-|kube-router/ || index(l, net) || (target(l) in ours)) del[++nd] = "-D" substr(l, 3)
      }
      if (mode == "count") {
        n = nd + 0
        for (c in ours) n++
        print n
        exit
      }
      print "*" table
      for (i = 1; i <= nd; i++) print del[i]
      for (c in ours) print "-F " c
      for (c in ours) print "-X " c
      print "COMMIT"
    }'
}

# clean_iptables SAVE RESTORE: remove the bed's rules and chains, one iptables-restore transaction per table.
clean_iptables() {
  local save="$1" restore="$2" table dump
  for table in raw mangle nat filter security; do
    dump="$("$save" -t "$table" 2>/dev/null)" || continue
    [[ "$(iptables_plan count "$table" <<<"$dump")" == 0 ]] && continue
    iptables_plan script "$table" <<<"$dump" | "$restore" --noflush 2>>"${LOGS}/down.log" ||
      log "${restore} could not clean table ${table} (see ${LOGS}/down.log)"
  done
}

# iptables_leftovers SAVE: how many of the bed's rules and chains are still there, over all tables.
iptables_leftovers() {
  local table n=0 dump
  for table in raw mangle nat filter security; do
    dump="$("$1" -t "$table" 2>/dev/null)" || continue
    n=$((n + $(iptables_plan count "$table" <<<"$dump")))
  done
  echo "$n"
}

clean_network() {
  local c
  while read -r c; do
    clean_iptables "${c/tables/tables-save}" "${c/tables/tables-restore}"
  done < <(iptables_commands)
  if command -v ipset >/dev/null 2>&1; then
    local set
    for set in $(ipset list -n 2>/dev/null | grep -E '^(inet6:)?(KUBE-|kube-router)' || true); do
      ipset destroy "$set" 2>/dev/null || log "could not destroy ipset ${set}"
    done
  fi
  local link
  for link in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
    ip link delete "$link" 2>/dev/null || true
  done
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link delete "$BRIDGE"
  rm -rf "$CNI_IPAM_DIR"
  rm -f /var/lib/cni/results/addispay-* 2>/dev/null || true
  rmdir /var/lib/cni/results /var/lib/cni 2>/dev/null || true
  return 0
}

remove_cgroups() {
  local root
  for root in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    if [[ -d "$root" ]]; then find "$root" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
  done
  return 0
}

restore_sysctls() {
  local saved="${DIR}/sysctl.saved" line
  [[ -f "$saved" ]] || return 0
  while read -r line; do
    [[ -z "$line" ]] || sysctl -qw "$line" >/dev/null 2>&1 || log "could not restore sysctl ${line}"
  done <"$saved"
  rm -f "$saved"
}

# leftovers [TASK_ID...]: one line per trace of the bed still on the host; empty when `down` left nothing behind.
leftovers() {
  local pids c n
  pids="$( (our_processes; pod_processes) | sort -un | tr '\n' ' ')"
  [[ -n "${pids// /}" ]] && echo "processes: ${pids}"
  pids="$(our_shims | tr '\n' ' ')"
  [[ -n "$pids" ]] && echo "containerd shims: ${pids}"
  while read -r c; do
    n="$(iptables_leftovers "${c/tables/tables-save}")"
    ((n > 0)) && echo "${c}: ${n} rules and chains of the bed"
  done < <(iptables_commands)
  if command -v ipset >/dev/null 2>&1; then
    n="$(ipset list -n 2>/dev/null | grep -cE '^(inet6:)?(KUBE-|kube-router)' || true)"
    ((n > 0)) && echo "ipsets: ${n}"
  fi
  ip link show "$BRIDGE" >/dev/null 2>&1 && echo "bridge ${BRIDGE}"
  n="$(our_mounts | wc -l)"
  ((n > 0)) && echo "mounts: ${n} ($(our_mounts | head -3 | tr '\n' ' '))"
  compgen -G '/run/netns/cni-*' >/dev/null && echo "network namespaces: $(compgen -G '/run/netns/cni-*' | tr '\n' ' ')"
  [[ -d "$CNI_IPAM_DIR" ]] && echo "CNI IP allocations: ${CNI_IPAM_DIR}"
  compgen -G '/sys/fs/cgroup/*/kubepods' >/dev/null && echo "cgroups: /sys/fs/cgroup/*/kubepods"
  [[ -f "${DIR}/sysctl.saved" ]] && echo "sysctls not restored (${DIR}/sysctl.saved)"
  local id f
  for id in "$@"; do
    while read -r f; do [[ -e "$f" || -S "$f" ]] && echo "file of task ${id:0:12}: ${f}"; done < <(task_files "$id")
  done
  return 0
}

cmd_down() {
  ((EUID == 0)) || die "the bed needs root (network namespaces, iptables, mounts, cgroups)"
  mkdir -p "$DIR" "$LOGS"
  exec 9>"${DIR}/.lock"
  flock -w 300 9 || die "another scripts/cluster.sh holds ${DIR}/.lock"
  local start=$SECONDS tasks other
  if other="$(other_owner)"; then
    log "the bed on this host belongs to another checkout (${other}): nothing of this checkout's to stop"
    return 0
  fi
  : >"${LOGS}/down.log"
  mapfile -t tasks < <(task_ids)
  stop_daemon kube-router
  # Its NetworkPolicy cleanup works; its service-proxy cleanup then panics on a kernel without IPVS (v2.1.0), which
  # is harmless here: whatever it leaves, clean_network removes.
  if [[ -x "$KUBE_ROUTER" ]]; then "$KUBE_ROUTER" --cleanup-config >>"${LOGS}/down.log" 2>&1 || true; fi
  stop_daemon kube-proxy
  if [[ -x "${K8S_BIN}/kube-proxy" ]]; then "${K8S_BIN}/kube-proxy" --cleanup >>"${LOGS}/down.log" 2>&1 || true; fi
  stop_daemon kubelet
  remove_pods
  stop_daemon containerd
  kill_leftovers
  local d
  for d in kube-scheduler kube-controller-manager kube-apiserver etcd registry; do stop_daemon "$d"; done
  kill_leftovers all
  remove_task_files "${tasks[@]}"
  unmount_all
  clean_network
  remove_cgroups
  restore_sysctls
  rm -rf "${CTR_DIR}/state" "${CTR_DIR}/runc"
  rmdir /run/containerd/s /run/containerd /run/netns 2>/dev/null || true # only when empty
  rm -f "$OWNER_FILE"
  local left line
  left="$(leftovers "${tasks[@]}")"
  if [[ -n "$left" ]]; then
    printf '[%s] error: down left these behind:\n' "$SCRIPT_NAME" >&2
    while read -r line; do printf '    %s\n' "$line" >&2; done <<<"$left"
    exit 1
  fi
  log "down in $((SECONDS - start))s; verified: no processes, shims, KUBE-/CNI- iptables rules, ipsets, bridge, mounts, netns, pod cgroups left"
}

# ---------------------------------------------------------------------------------------------------------------
# status, kubeconfig, reset

cmd_status() {
  local d ok=0 pid
  for d in "${DAEMONS[@]}"; do
    if pid="$(daemon_pid "$d")"; then
      if "healthy_${d//-/_}"; then
        printf '%-24s healthy (pid %s)\n' "$d" "$pid"
      else
        printf '%-24s NOT healthy (pid %s running; log %s)\n' "$d" "$pid" "${LOGS}/${d}.log"
        ok=1
      fi
    else
      printf '%-24s NOT running\n' "$d"
      ok=1
    fi
  done
  if node_ready; then printf '%-24s Ready\n' "node ${NODE_NAME}"; else printf '%-24s NOT Ready\n' "node ${NODE_NAME}" && ok=1; fi
  if coredns_ready; then printf '%-24s ready (%s)\n' coredns "$DNS_SERVICE_IP"; else printf '%-24s NOT ready\n' coredns && ok=1; fi
  return "$ok"
}

cmd_kubeconfig() {
  [[ -s "$KUBECONFIG_ADMIN" ]] || die "no kubeconfig yet: run scripts/cluster.sh up"
  echo "$KUBECONFIG_ADMIN"
}

cmd_reset() {
  cmd_down
  rm -rf "$DIR"
  log "removed ${DIR} (etcd data, certificates, logs); the registry storage in ${REGISTRY_STORAGE} is kept"
}

# ---------------------------------------------------------------------------------------------------------------
# smoke: the bed does what workloads need

SMOKE_NS=bed-smoke

smoke_manifest() {
  local sc='securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }'
  cat <<EOF
apiVersion: v1
kind: Namespace
metadata: { name: ${SMOKE_NS} }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: ${SMOKE_NS}, labels: { app: web } }
spec:
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 1 # httpd as PID 1 has no SIGTERM handler
  securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 }
  containers:
    - name: web
      image: ${TOOLBOX_IMAGE}
      command: [sh, -c, 'echo hello-from-bed >/www/index.html && echo web-started && exec httpd -f -v -p 8080 -h /www']
      ports: [{ containerPort: 8080 }]
      ${sc}
      volumeMounts: [{ name: www, mountPath: /www }]
  volumes: [{ name: www, emptyDir: {} }]
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${SMOKE_NS} }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
EOF
  local pod
  for pod in client:client stranger:stranger; do
    cat <<EOF
---
apiVersion: v1
kind: Pod
metadata: { name: ${pod%%:*}, namespace: ${SMOKE_NS}, labels: { role: ${pod#*:} } }
spec:
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 1
  securityContext: { runAsNonRoot: true, runAsUser: 10001 }
  containers:
    - name: sh
      image: ${TOOLBOX_IMAGE}
      command: [sleep, '3600']
      ${sc}
EOF
  done
}

smoke_policy() {
  cat <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-from-clients, namespace: ${SMOKE_NS} }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { role: client } } }]
      ports: [{ port: 8080 }]
EOF
}

SMOKE_FAILED=0
check() {
  local what="$1"
  shift
  if "$@" >"${LOGS}/smoke-last.log" 2>&1; then
    printf '[%s] PASS %s\n' "$SCRIPT_NAME" "$what" >&2
  else
    printf '[%s] FAIL %s\n' "$SCRIPT_NAME" "$what" >&2
    sed 's/^/    /' "${LOGS}/smoke-last.log" | tail -n 5 >&2
    SMOKE_FAILED=1
  fi
}

in_pod() { kubectl_ -n "$SMOKE_NS" exec "$1" -- "${@:2}"; }
# wget_by_name POD NAME: resolve NAME with the pod's DNS (busybox nslookup: static glibc's getaddrinfo cannot),
# then fetch http://ADDRESS/ within 5 s.
wget_by_name() {
  # shellcheck disable=SC2016 # expanded by the pod's shell
  in_pod "$1" sh -c 'a="$(nslookup "$1" | sed -n "s/^Address: *//p" | tail -n 1)"; [ -n "$a" ] || exit 99
    exec timeout 5 wget -q -O - "http://${a}/"' _ "$2" # (wget -T crashes Debian's static busybox 1.35)
}
fetch_web() { wget_by_name "$1" "$2" | grep -q hello-from-bed; }
# refused_web POD NAME: the name resolves but the connection fails (refused or timed out), wget itself runs.
refused_web() {
  local rc=0
  wget_by_name "$1" "$2" >/dev/null 2>&1 || rc=$?
  ((rc == 1 || rc == 143)) # 1: refused, 143: timed out; 99: no name, 139: wget crashed
}
uid_is() { [[ "$(in_pod web id -u)" == "$1" ]]; }
rootfs_read_only() { ! in_pod web sh -c 'echo x >/probe'; }
logs_show_start() { kubectl_ -n "$SMOKE_NS" logs web | grep -q web-started; }
resolves() { in_pod client nslookup "$1" | grep -q "$2"; }

# port_forward_works: kubectl picks a free local port and names it ("Forwarding from 127.0.0.1:PORT -> 8080").
port_forward_works() {
  local pf rc=1 port=""
  kubectl_ -n "$SMOKE_NS" port-forward --address 127.0.0.1 pod/web :8080 >"${LOGS}/smoke-port-forward.log" 2>&1 &
  pf=$!
  for _ in $(seq 20); do
    port="$(sed -n 's/^Forwarding from 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "${LOGS}/smoke-port-forward.log" | head -n 1)"
    if [[ -n "$port" ]] && curl -fsS --max-time 2 "http://127.0.0.1:${port}/" 2>/dev/null | grep -q hello-from-bed; then
      rc=0
      break
    fi
    sleep 0.5
  done
  kill "$pf" 2>/dev/null || true
  wait "$pf" 2>/dev/null || true
  return "$rc"
}

# policy_enforced: kube-router syncs within seconds of the policy's creation.
policy_enforced() {
  for _ in $(seq 20); do
    refused_web stranger "web.${SMOKE_NS}.svc.${CLUSTER_DOMAIN}" && return 0
    sleep 1
  done
  return 1
}

cmd_smoke() {
  all_healthy || die "the bed is not healthy (scripts/cluster.sh status); run scripts/cluster.sh up"
  local start=$SECONDS
  build_images
  push_images
  kubectl_ delete namespace "$SMOKE_NS" --ignore-not-found --wait=true >/dev/null
  smoke_manifest | kubectl_ apply -f - >/dev/null || die "could not create the smoke test's objects"
  kubectl_ -n "$SMOKE_NS" wait --for=condition=Ready pod --all --timeout=120s >/dev/null ||
    die "smoke test pods did not become Ready: kubectl -n ${SMOKE_NS} describe pods"
  local ip
  ip="$(kubectl_ -n "$SMOKE_NS" get svc web -o jsonpath='{.spec.clusterIP}')"
  check "pod runs as uid 10001" uid_is 10001
  check "pod's root filesystem is read-only" rootfs_read_only
  check "kubectl logs" logs_show_start
  check "kubectl exec" in_pod web hostname
  check "kubectl port-forward" port_forward_works
  check "DNS: kubernetes.default.svc.${CLUSTER_DOMAIN}" resolves "kubernetes.default.svc.${CLUSTER_DOMAIN}" "$API_SERVICE_IP"
  check "DNS: web.${SMOKE_NS}.svc.${CLUSTER_DOMAIN}" resolves "web.${SMOKE_NS}.svc.${CLUSTER_DOMAIN}" "$ip"
  check "ClusterIP ${ip} from the host" bash -c "curl -fsS --max-time 3 http://${ip}/ | grep -q hello-from-bed"
  check "Service by name from another pod" fetch_web client "web.${SMOKE_NS}.svc.${CLUSTER_DOMAIN}"
  check "unlabelled pod reaches web before the policy" fetch_web stranger "web.${SMOKE_NS}.svc.${CLUSTER_DOMAIN}"
  smoke_policy | kubectl_ apply -f - >/dev/null || die "could not create the NetworkPolicy"
  check "NetworkPolicy refuses the unlabelled pod" policy_enforced
  check "NetworkPolicy admits role=client" fetch_web client "web.${SMOKE_NS}.svc.${CLUSTER_DOMAIN}"
  kubectl_ delete namespace "$SMOKE_NS" --wait=false >/dev/null
  ((SMOKE_FAILED == 0)) || die "smoke test failed (namespace ${SMOKE_NS} is being deleted)"
  log "smoke test passed in $((SECONDS - start))s"
}


# Everything is parsed before anything runs: editing this file while it runs cannot derail the running copy.
main() {
  case "${1:-}" in
    install) cmd_install ;;
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    kubeconfig) cmd_kubeconfig ;;
    reset) cmd_reset ;;
    smoke) cmd_smoke ;;
    bin-path) printf '%s:%s\n' "$K8S_BIN" "$(dirname "$CRICTL")" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"; exit
