# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it after `set -euo pipefail`; it only defines variables and functions.
#   ADDISPAY_ROOT   repository root
#   ADDISPAY_LOCAL  runtime state (data dirs, pids, logs, local secrets), git-ignored
#   ADDISPAY_CACHE  downloads and installed tools, outside the clone so fresh CI clones reuse them

ADDISPAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDISPAY_LOCAL="${ADDISPAY_ROOT}/.local"
ADDISPAY_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/addispay"
SCRIPT_NAME="${SCRIPT_NAME:-$(basename "$0" .sh)}"

log() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*" >&2; }

die() {
  printf '[%s] error: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 1
}

# require_cmd CMD [HINT]: fail with one message naming the missing command and how to get it.
require_cmd() {
  command -v "$1" >/dev/null 2>&1 && return 0
  die "'$1' not found on PATH${2:+ ($2)}"
}

# port_free PORT: true when nothing accepts connections on 127.0.0.1:PORT.
port_free() {
  if command -v ss >/dev/null 2>&1; then
    [[ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]]
    return
  fi
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_for TIMEOUT_SECONDS DESCRIPTION CMD [ARGS...]: poll CMD every second, printing progress dots.
wait_for() {
  local timeout="$1" what="$2" waited=0
  shift 2
  printf '[%s] waiting for %s ' "$SCRIPT_NAME" "$what" >&2
  until "$@" >/dev/null 2>&1; do
    if ((waited >= timeout)); then
      printf ' timed out after %ss\n' "$timeout" >&2
      return 1
    fi
    printf '.' >&2
    sleep 1
    waited=$((waited + 1))
  done
  printf ' ready (%ss)\n' "$waited" >&2
}

# free_disk_mib DIR: MiB available on the filesystem holding DIR (or its nearest existing parent).
free_disk_mib() {
  local dir="$1"
  while [[ ! -d "$dir" ]]; do dir="$(dirname "$dir")"; done
  df -Pm "$dir" | awk 'NR == 2 { print $4 }'
}

# pid_alive PIDFILE: true when PIDFILE names a running process.
pid_alive() {
  local pid
  [[ -s "$1" ]] || return 1
  pid="$(<"$1")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

_apt_updated=0
# apt_install PKG...: install the Debian packages that are missing. Runs `apt-get update` once per script run,
# never prompts, and keeps package post-install scripts from starting system services (we run our own instances).
apt_install() {
  local missing=() pkg rc=0 policy=/usr/sbin/policy-rc.d created_policy=0
  for pkg in "$@"; do
    [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" == 'install ok installed' ]] || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  require_cmd apt-get "this script installs Debian packages: ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "installing ${missing[*]} needs root (or sudo)"
    sudo=(sudo)
  fi
  log "installing Debian packages: ${missing[*]}"
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null && "${sudo[@]}" chmod 755 "$policy"
    created_policy=1
  fi
  if ((_apt_updated == 0)); then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || rc=$?
    _apt_updated=1
  fi
  if ((rc == 0)); then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
      rc=$?
  fi
  ((created_policy == 1)) && "${sudo[@]}" rm -f "$policy"
  ((rc == 0)) || die "apt-get could not install: ${missing[*]} (exit $rc)"
}
