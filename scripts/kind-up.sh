#!/usr/bin/env bash
# Creates the local kind cluster from k8s/kind-cluster.yaml (idempotent) and switches kubectl to it.
# Needs Docker, kind and kubectl; the operators and the platform are then deployed by `make dev` (skaffold).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CONFIG="${ADDISPAY_ROOT}/k8s/kind-cluster.yaml"
CLUSTER="addispay" # must match `name:` in k8s/kind-cluster.yaml; the kube context is kind-addispay

usage() {
  cat <<EOF
Usage: scripts/kind-up.sh [--help]

Creates the kind cluster "${CLUSTER}" from k8s/kind-cluster.yaml unless it exists, and makes kind-${CLUSTER}
the current kube context. Requires: docker (running), kind (go install sigs.k8s.io/kind@v0.32.0), kubectl.
Next: make dev (skaffold dev: builds the images, installs the operators and the chart).
Delete it with: kind delete cluster --name ${CLUSTER}
EOF
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; die "unknown argument: $1" ;;
esac

require_cmd docker "kind runs its nodes as Docker containers: install Docker"
require_cmd kind "install kind: go install sigs.k8s.io/kind@v0.32.0"
require_cmd kubectl "install kubectl (https://kubernetes.io/docs/tasks/tools/)"
docker info >/dev/null 2>&1 || die "the Docker daemon is not reachable (docker info failed)"

if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  log "kind cluster ${CLUSTER} exists"
else
  log "creating kind cluster ${CLUSTER} (${CONFIG})"
  kind create cluster --config "$CONFIG" --wait 180s || die "kind create cluster failed (see above)"
fi
kubectl config use-context "kind-${CLUSTER}" >/dev/null || die "no kube context kind-${CLUSTER}"
kubectl wait --for=condition=Ready nodes --all --timeout=180s >/dev/null || die "kind nodes did not become Ready"
log "kind-${CLUSTER} is ready; next: make dev"
