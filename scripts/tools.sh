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
# skaffold's go.mod has replace directives, so `go install` refuses it: install-skaffold builds it in a wrapper
# module (see install_skaffold). v2.24.0 reads and writes skaffold/v4beta14, the schema skaffold.yaml uses.
SKAFFOLD_MODULE="github.com/GoogleContainerTools/skaffold/v2"
SKAFFOLD_VERSION=v2.24.0

KEY="$(printf '%s\n' "${GO_TOOLS[@]}" "$KUBE_LINTER" "checkov==${CHECKOV_VERSION}" | sha256sum | cut -c1-12)"
TOOLS_DIR="${ADDISPAY_CACHE}/tools-${KEY}"
BIN="${TOOLS_DIR}/bin"

usage() {
  cat <<EOF
Usage: scripts/tools.sh {install|install-skaffold|path|--help}

  install  go install (GOBIN=${BIN}):
$(printf '             %s\n' "${GO_TOOLS[@]}" "$KUBE_LINTER (or checkov ${CHECKOV_VERSION} in a venv if the proxy refuses it)")
           and Debian packages: ${DEBIAN_TOOLS[*]} (promtool comes with prometheus).
           Tools already present at the pinned version are skipped.
  install-skaffold
           skaffold ${SKAFFOLD_VERSION} into ${BIN}: a wrapper module in ${ADDISPAY_CACHE}/skaffold-${SKAFFOLD_VERSION}
           requires ${SKAFFOLD_MODULE} and repeats its replace directives; then go build of cmd/skaffold
           with the release's version ldflags (about 10 minutes cold on 2 cores; skipped when present).
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

# install_skaffold: skaffold's own go.mod replaces modules, which `go install pkg@version` refuses. The wrapper
# module requires skaffold at the pin and repeats those replace lines (read from skaffold's go.mod in the module
# cache, so a new pin brings its own), then builds cmd/skaffold as its release Makefile does (tags, version
# ldflags from the release's commit and date), statically, without cgo.
install_skaffold() {
  local bin="${BIN}/skaffold" work="${ADDISPAY_CACHE}/skaffold-${SKAFFOLD_VERSION}"
  local logfile="${ADDISPAY_LOCAL}/logs/skaffold-build.log" pkg="${SKAFFOLD_MODULE}/cmd/skaffold"
  if [[ -x "$bin" && "$("$bin" version 2>/dev/null)" == "$SKAFFOLD_VERSION" ]]; then
    log "skaffold ${SKAFFOLD_VERSION}: present"
    return 0
  fi
  require_cmd go "install Go (https://go.dev/dl) to build skaffold"
  command -v jq >/dev/null 2>&1 || apt_install jq
  mkdir -p "$BIN" "$(dirname "$logfile")"
  : >"$logfile"
  local started=$SECONDS info
  log "skaffold ${SKAFFOLD_VERSION}: go mod download ${SKAFFOLD_MODULE}@${SKAFFOLD_VERSION} (log: ${logfile})"
  info="$(nice -n 10 go mod download -json "${SKAFFOLD_MODULE}@${SKAFFOLD_VERSION}" 2>>"$logfile")" ||
    die "go mod download ${SKAFFOLD_MODULE}@${SKAFFOLD_VERSION} failed: $(tail -n 3 "$logfile")"
  local gomod commit date go_version
  gomod="$(jq -r '.GoMod // empty' <<<"$info")"
  [[ -f "$gomod" ]] || die "go mod download gave no go.mod for skaffold: ${info}"
  commit="$(jq -r '.Origin.Hash // empty' "$(jq -r '.Info' <<<"$info")")"
  date="$(jq -r '.Time // empty' "$(jq -r '.Info' <<<"$info")")"
  go_version="$(go mod edit -json "$gomod" | jq -r '.Go')"

  # The wrapper module: generated afresh each build, so it always matches the pin.
  local edits=() replace
  edits+=("-go=${go_version}" "-require=${SKAFFOLD_MODULE}@${SKAFFOLD_VERSION}" "-tool=${pkg}")
  while IFS= read -r replace; do
    [[ "$replace" == *"=>"* ]] || continue
    [[ "${replace#*=>}" == .* || "${replace#*=>}" == /* ]] && die "skaffold's go.mod replaces with a local path (${replace}): cannot be repeated"
    edits+=("-replace=${replace%=>*}=${replace#*=>}")
  done < <(go mod edit -json "$gomod" |
    jq -r '.Replace[]? | "\(.Old.Path)\(if .Old.Version then "@" + .Old.Version else "" end)=>\(.New.Path)\(if .New.Version then "@" + .New.Version else "" end)"')
  rm -rf "$work" && mkdir -p "$work"
  (cd "$work" && go mod init addispay.local/skaffold-build >>"$logfile" 2>&1 && go mod edit "${edits[@]}") ||
    die "could not write the skaffold wrapper module in ${work}: $(tail -n 3 "$logfile")"
  log "skaffold ${SKAFFOLD_VERSION}: wrapper module ${work}/go.mod ($((${#edits[@]} - 3)) replace lines); go mod tidy"
  (cd "$work" && nice -n 10 go mod tidy >>"$logfile" 2>&1) ||
    die "go mod tidy of the skaffold wrapper failed; last lines of ${logfile}:"$'\n'"$(tail -n 20 "$logfile")"
  log "skaffold ${SKAFFOLD_VERSION}: go build ${pkg} (CGO_ENABLED=0, nice -n 10)"
  local version_pkg="${SKAFFOLD_MODULE}/pkg/skaffold/version"
  (cd "$work" && CGO_ENABLED=0 nice -n 10 go build -trimpath -tags "timetzdata osusergo netgo release" \
    -ldflags "-s -w -X ${version_pkg}.version=${SKAFFOLD_VERSION} -X ${version_pkg}.gitCommit=${commit} -X ${version_pkg}.buildDate=${date}" \
    -o "${bin}.new" "$pkg" >>"$logfile" 2>&1) ||
    die "go build of skaffold failed; last lines of ${logfile}:"$'\n'"$(tail -n 20 "$logfile")"
  mv -f "${bin}.new" "$bin"
  [[ "$("$bin" version)" == "$SKAFFOLD_VERSION" ]] || die "built skaffold reports $("$bin" version), not ${SKAFFOLD_VERSION}"
  log "skaffold ${SKAFFOLD_VERSION}: built in $((SECONDS - started))s -> ${bin}"
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
  install-skaffold) install_skaffold ;;
  path) echo "$BIN" ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
