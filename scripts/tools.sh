#!/usr/bin/env bash
# Developer and CI tools, pinned: Go tools built with `go install` into the cache, plus a few Debian packages.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# name=module/package@version; the binary is named after the last path element of the package.
GO_TOOLS=(
  "helm.sh/helm/v3/cmd/helm@v3.21.4"
  "github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0"
  "github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3"
  "github.com/bojand/ghz/cmd/ghz@v0.121.0"
)
# kube-linter's module path may be refused by the Go module proxy; checkov (PyPI) covers the same checks.
KUBE_LINTER="golang.stackrox.io/kube-linter/cmd/kube-linter@v0.8.3"
CHECKOV_VERSION=3.3.30
DEBIAN_TOOLS=(prometheus yamllint jq) # prometheus ships promtool

KEY="$(printf '%s\n' "${GO_TOOLS[@]}" "$KUBE_LINTER" "checkov==${CHECKOV_VERSION}" | sha256sum | cut -c1-12)"
TOOLS_DIR="${ADDISPAY_CACHE}/tools-${KEY}"
BIN="${TOOLS_DIR}/bin"

usage() {
  cat <<EOF
Usage: scripts/tools.sh {install|path|--help}

  install  go install (GOBIN=${BIN}):
$(printf '             %s\n' "${GO_TOOLS[@]}" "$KUBE_LINTER (or checkov ${CHECKOV_VERSION} in a venv if the proxy refuses it)")
           and Debian packages: ${DEBIAN_TOOLS[*]} (promtool comes with prometheus).
           Tools already present at the pinned version are skipped.
  path     print the bin directory to put on PATH:  export PATH="\$(scripts/tools.sh path):\$PATH"
EOF
}

# binary_name PKG@VERSION: go install names the binary after the package's last path element.
binary_name() {
  local pkg="${1%@*}"
  printf '%s' "${pkg##*/}"
}

# module_version BIN: the module version a Go binary was built from (captured whole: no early-exit pipes).
module_version() {
  local info
  info="$(go version -m "$1" 2>/dev/null)" || return 0
  awk '$1 == "mod" { print $3; exit }' <<<"$info"
}

go_install() {
  local spec="$1" name version bin
  name="$(binary_name "$spec")"
  version="${spec##*@}"
  bin="${BIN}/${name}"
  if [[ -x "$bin" && "$(module_version "$bin")" == "$version" ]]; then
    log "${name} ${version}: present"
    return 0
  fi
  log "${name} ${version}: go install ${spec}"
  GOBIN="$BIN" CGO_ENABLED=0 nice -n 10 go install "$spec"
}

install_checkov() {
  local venv="${ADDISPAY_CACHE}/checkov-${CHECKOV_VERSION}"
  if [[ -x "${venv}/bin/checkov" && "$("${venv}/bin/pip" show checkov 2>/dev/null)" == *$'\nVersion: '"${CHECKOV_VERSION}"$'\n'* ]]; then
    log "checkov ${CHECKOV_VERSION}: present"
  else
    require_cmd python3 "checkov needs Python 3"
    python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
    log "checkov ${CHECKOV_VERSION}: pip install into ${venv}"
    rm -rf "$venv"
    python3 -m venv "$venv" || die "could not create a Python venv at ${venv}"
    "${venv}/bin/pip" install --quiet --disable-pip-version-check "checkov==${CHECKOV_VERSION}" ||
      {
        rm -rf "$venv"
        die "pip could not install checkov==${CHECKOV_VERSION}"
      }
  fi
  ln -sf "${venv}/bin/checkov" "${BIN}/checkov"
}

install_kube_linter_or_checkov() {
  local version="${KUBE_LINTER##*@}"
  if [[ -x "${BIN}/kube-linter" && "$(module_version "${BIN}/kube-linter")" == "$version" ]]; then
    log "kube-linter ${version}: present"
    return 0
  fi
  if [[ ! -e "${TOOLS_DIR}/.kube-linter-refused" ]]; then
    log "kube-linter ${version}: go install ${KUBE_LINTER}"
    if GOBIN="$BIN" CGO_ENABLED=0 nice -n 10 go install "$KUBE_LINTER" 2>"${TOOLS_DIR}/kube-linter.err"; then
      return 0
    fi
    log "kube-linter could not be installed ($(tail -n 1 "${TOOLS_DIR}/kube-linter.err")); using checkov instead"
    touch "${TOOLS_DIR}/.kube-linter-refused" # remembered per tools key: later runs go straight to checkov
  fi
  install_checkov
}

cmd_install() {
  require_cmd go "install Go (https://go.dev/dl) to build the pinned tools"
  mkdir -p "$BIN"
  local spec
  for spec in "${GO_TOOLS[@]}"; do
    go_install "$spec" || die "go install ${spec} failed (see above)"
  done
  install_kube_linter_or_checkov
  apt_install "${DEBIAN_TOOLS[@]}"
  local tool
  for tool in promtool yamllint jq; do require_cmd "$tool" "expected from Debian's packages"; done
  log "tools ready in ${BIN}"
}

case "${1:-}" in
  install) cmd_install ;;
  path) echo "$BIN" ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
