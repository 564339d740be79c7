#!/usr/bin/env bash
# The platform on a real single-node Kubernetes on this machine: the cluster (scripts/cluster.sh), this checkout's
# images built and pushed to the cluster's registry (scripts/images.sh), the bed's own MySQL and Pulsar as plain
# workloads in namespace addispay-deps, and the chart installed in bring-your-own mode with `helm install --wait`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly NAMESPACE=addispay
readonly DEPS_NAMESPACE=addispay-deps
readonly RELEASE=addispay
readonly CHART="${ADDISPAY_ROOT}/charts/addispay"
readonly REGISTRY=127.0.0.1:5001
readonly HELM_TIMEOUT="${BED_HELM_TIMEOUT:-15m}"
readonly STATE_DIR="${ADDISPAY_LOCAL}/bed"

usage() {
  cat <<EOF
Usage: scripts/bed.sh COMMAND

  up [--fresh-release]  build what is missing, start the cluster, push this checkout's images, start the bed's
                        MySQL and Pulsar, then helm install (or upgrade) release "${RELEASE}" with --wait
                        (--fresh-release uninstalls it first, so the install itself is what runs)
  deps-up               the same without the release: cluster, images, MySQL and Pulsar
  env                   print the environment for kubectl, helm and the CLI against the bed (eval it)
  mysql-env             give the bed's MySQL the users of scripts/mariadb.sh and print their DSNs, reaching it
                        through its ClusterIP: eval it, and the integration suites run against Oracle MySQL
  status                the cluster's components, the dependencies and the release; exit 1 if any is not ready
  down                  stop the whole cluster, release included (scripts/cluster.sh down leaves nothing behind)
  --help                this text

The image tag is derived from the checkout's content (tracked and modified files under apps/, packages/, proto/,
and the Dockerfile), so an unchanged checkout reuses its images. Helm waits up to \$BED_HELM_TIMEOUT (${HELM_TIMEOUT}).
EOF
}

tools_path() { printf '%s:%s' "$("${ADDISPAY_ROOT}/scripts/cluster.sh" bin-path)" "$("${ADDISPAY_ROOT}/scripts/tools.sh" path)"; }

# image_tag: a digest of what goes into the service images, committed or not.
image_tag() {
  (
    cd "$ADDISPAY_ROOT"
    git ls-files -s -- apps packages proto Dockerfile .dockerignore package.json package-lock.json
    git diff HEAD -- apps packages proto Dockerfile .dockerignore package.json package-lock.json
  ) | sha256sum | cut -c1-12
}

# bed_env [--new-tag]: kubectl, helm and the image tag; the tag is the one `up` last pushed, or a new one for `up`.
bed_env() {
  export KUBECONFIG="${ADDISPAY_LOCAL}/cluster/kubeconfig"
  PATH="$(tools_path):${PATH}"
  export PATH
  if [[ "${1:-}" == --new-tag ]]; then
    ADDISPAY_BED_IMAGE_TAG="bed-$(image_tag)"
    mkdir -p "$STATE_DIR"
    echo "$ADDISPAY_BED_IMAGE_TAG" >"${STATE_DIR}/image-tag"
  else
    [[ -s "${STATE_DIR}/image-tag" ]] || die "no images pushed yet: run scripts/bed.sh up"
    ADDISPAY_BED_IMAGE_TAG="$(<"${STATE_DIR}/image-tag")"
  fi
  export ADDISPAY_BED_IMAGE_TAG ADDISPAY_BED_REGISTRY="$REGISTRY"
}

cmd_env() {
  bed_env
  local name
  for name in KUBECONFIG PATH ADDISPAY_BED_IMAGE_TAG ADDISPAY_BED_REGISTRY; do printf "export %s='%s'\n" "$name" "${!name}"; done
}

# ensure_secret NAMESPACE NAME: a random password under key "password", created once and never printed.
ensure_secret() {
  kubectl -n "$1" get secret "$2" >/dev/null 2>&1 && return 0
  kubectl -n "$1" create secret generic "$2" --from-literal=password="$(openssl rand -hex 24)" >/dev/null
}

# copy_secret FROM_NAMESPACE TO_NAMESPACE NAME: the same Secret in another namespace (the bootstrap Job's admin).
copy_secret() {
  local password
  password="$(kubectl -n "$1" get secret "$3" -o jsonpath='{.data.password}' | base64 -d)"
  kubectl -n "$2" create secret generic "$3" --from-literal=password="$password" --dry-run=client -o yaml |
    kubectl apply -f - >/dev/null
}

ensure_namespace() { kubectl create namespace "$1" --dry-run=client -o yaml | kubectl apply -f - >/dev/null; }

start_dependencies() {
  log "dependencies: MySQL and Pulsar in namespace ${DEPS_NAMESPACE}"
  ensure_namespace "$DEPS_NAMESPACE"
  ensure_secret "$DEPS_NAMESPACE" mysql-root
  "${ADDISPAY_ROOT}/scripts/images.sh" deps-manifests "$REGISTRY" --tag "$ADDISPAY_BED_IMAGE_TAG" | kubectl apply -f - >/dev/null
  kubectl -n "$DEPS_NAMESPACE" rollout status deployment/mysql --timeout=300s >/dev/null ||
    die "MySQL did not become ready (kubectl -n ${DEPS_NAMESPACE} logs deploy/mysql)"
  kubectl -n "$DEPS_NAMESPACE" rollout status deployment/pulsar --timeout=300s >/dev/null ||
    die "Pulsar did not become ready (kubectl -n ${DEPS_NAMESPACE} logs deploy/pulsar)"
}

install_release() {
  local fresh="$1" action=install
  ensure_namespace "$NAMESPACE"
  copy_secret "$DEPS_NAMESPACE" "$NAMESPACE" mysql-root
  if helm -n "$NAMESPACE" status "$RELEASE" >/dev/null 2>&1; then
    if [[ "$fresh" == 1 ]]; then
      log "uninstalling the previous release first (--fresh-release)"
      helm -n "$NAMESPACE" uninstall "$RELEASE" --wait --timeout 5m >/dev/null
    else
      action=upgrade
    fi
  fi
  local args=(-n "$NAMESPACE" -f "${CHART}/values.yaml" -f "${CHART}/values-bed.yaml" --wait --timeout "$HELM_TIMEOUT")
  local key
  for key in orderService paymentService loggerService; do args+=(--set "services.${key}.image.tag=${ADDISPAY_BED_IMAGE_TAG}"); done
  log "helm ${action} ${RELEASE} --wait (images ${ADDISPAY_BED_IMAGE_TAG})"
  mkdir -p "$STATE_DIR"
  local started=$SECONDS
  if [[ "$action" == install ]]; then
    helm install "$RELEASE" "$CHART" "${args[@]}" >"${STATE_DIR}/helm.log" 2>&1 || helm_failed
  else
    helm upgrade "$RELEASE" "$CHART" "${args[@]}" >"${STATE_DIR}/helm.log" 2>&1 || helm_failed
  fi
  log "release ${RELEASE} deployed in $((SECONDS - started))s"
}

helm_failed() {
  tail -n 20 "${STATE_DIR}/helm.log" >&2
  kubectl -n "$NAMESPACE" get pods,jobs >&2 || true
  die "helm could not deploy ${RELEASE} (full output: ${STATE_DIR}/helm.log)"
}

cmd_deps_up() {
  "${ADDISPAY_ROOT}/scripts/tools.sh" install >/dev/null
  "${ADDISPAY_ROOT}/scripts/tools.sh" install-skaffold
  "${ADDISPAY_ROOT}/scripts/cluster.sh" install
  "${ADDISPAY_ROOT}/scripts/cluster.sh" up
  bed_env --new-tag
  "${ADDISPAY_ROOT}/scripts/images.sh" all --tag "$ADDISPAY_BED_IMAGE_TAG" --push "$REGISTRY"
  start_dependencies
}

cmd_up() {
  local fresh=0
  [[ "${1:-}" == --fresh-release ]] && fresh=1
  cmd_deps_up
  install_release "$fresh"
}

cmd_mysql_env() {
  bed_env
  local address
  address="$(kubectl -n "$DEPS_NAMESPACE" get service mysql -o jsonpath='{.spec.clusterIP}' 2>/dev/null)" ||
    die "no MySQL on the bed: run scripts/bed.sh up"
  # shellcheck disable=SC2016 # the password file is read inside the pod
  MARIADB_ACCOUNT_HOST='%' "${ADDISPAY_ROOT}/scripts/mariadb.sh" provisioning-sql |
    kubectl -n "$DEPS_NAMESPACE" exec -i deploy/mysql -- sh -c 'MYSQL_PWD="$(cat /run/secrets/mysql/password)" mysql -uroot' ||
    die "could not create the users on the bed's MySQL"
  MARIADB_DSN_HOST="$address" MARIADB_DSN_PORT=3306 "${ADDISPAY_ROOT}/scripts/mariadb.sh" env | grep -v MARIADB_PORT
}

cmd_status() {
  bed_env
  local rc=0
  "${ADDISPAY_ROOT}/scripts/cluster.sh" status || rc=1
  kubectl -n "$DEPS_NAMESPACE" get deployments 2>/dev/null || rc=1
  helm -n "$NAMESPACE" status "$RELEASE" 2>/dev/null | sed -n '1,6p' || rc=1
  return "$rc"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  deps-up) cmd_deps_up ;;
  env) cmd_env ;;
  mysql-env) cmd_mysql_env ;;
  status) cmd_status ;;
  down) "${ADDISPAY_ROOT}/scripts/cluster.sh" down ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
