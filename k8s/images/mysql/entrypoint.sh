#!/usr/bin/env bash
# Entrypoint of the bed's MySQL image (k8s/images/mysql): initialises the data directory on first start, then runs
# mysqld in the foreground. Runs as the image's non-root user (uid 10001); writes only MYSQL_DATADIR and /tmp.
#   MYSQL_ROOT_PASSWORD or MYSQL_ROOT_PASSWORD_FILE   root's password, for root@localhost and root@'%'
#   MYSQL_ALLOW_EMPTY_PASSWORD=yes                     allow starting without one (tests only)
#   MYSQL_DATADIR                                      default /var/lib/mysql/data (a subdirectory of the volume,
#                                                      so a volume's lost+found never blocks --initialize)
#   MYSQL_INITDB_DIR                                   *.sql run once after initialisation (default none)
# Arguments are passed to mysqld (e.g. --innodb-buffer-pool-size=256M).
set -euo pipefail

log() { printf '[mysql-entrypoint] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

datadir="${MYSQL_DATADIR:-/var/lib/mysql/data}"

root_password() {
  if [[ -n "${MYSQL_ROOT_PASSWORD_FILE:-}" ]]; then
    [[ -r "$MYSQL_ROOT_PASSWORD_FILE" ]] || die "MYSQL_ROOT_PASSWORD_FILE=${MYSQL_ROOT_PASSWORD_FILE} is not readable"
    tr -d '\n' <"$MYSQL_ROOT_PASSWORD_FILE"
  elif [[ -n "${MYSQL_ROOT_PASSWORD:-}" ]]; then
    printf '%s' "$MYSQL_ROOT_PASSWORD"
  elif [[ "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" == yes ]]; then
    printf ''
  else
    die "set MYSQL_ROOT_PASSWORD or MYSQL_ROOT_PASSWORD_FILE (or MYSQL_ALLOW_EMPTY_PASSWORD=yes)"
  fi
}

# sql_string S: S as a single-quoted SQL literal.
sql_string() {
  local s="${1//\\/\\\\}"
  printf "'%s'" "${s//\'/\'\'}"
}

initialise() {
  local password init_sql
  password="$(root_password)"
  mkdir -p "$datadir" || die "cannot create ${datadir}: is the volume writable by uid $(id -u)?"
  [[ -z "$(ls -A "$datadir")" ]] || die "${datadir} holds files but no MySQL data directory: empty it"
  init_sql="$(mktemp /tmp/init.XXXXXX.sql)"
  chmod 600 "$init_sql"
  {
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_string "$password");"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $(sql_string "$password");"
    echo "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    echo "FLUSH PRIVILEGES;"
  } >"$init_sql"
  if [[ -n "${MYSQL_INITDB_DIR:-}" ]]; then
    local f
    for f in "${MYSQL_INITDB_DIR}"/*.sql; do
      [[ -e "$f" ]] || continue
      log "init file: ${f}"
      cat "$f" >>"$init_sql"
      echo >>"$init_sql"
    done
  fi
  log "initialising ${datadir} ($(mysqld --version))"
  # --init-file runs once, right after the system tables are created; then this mysqld exits.
  if ! mysqld --initialize-insecure --datadir="$datadir" --init-file="$init_sql"; then
    rm -f "$init_sql"
    rm -rf "${datadir:?}"/*
    die "mysqld --initialize failed (its messages are above); ${datadir} emptied for the next try"
  fi
  rm -f "$init_sql"
  touch "${datadir}/.addispay-initialised"
  log "initialised: root@localhost and root@'%' have the given password"
}

if [[ ! -f "${datadir}/.addispay-initialised" ]]; then
  if [[ -d "${datadir}/mysql" ]]; then
    # Initialisation was interrupted (container killed): start over, the data directory holds nothing of value yet.
    log "${datadir} holds a half-initialised data directory: removing it"
    rm -rf "${datadir:?}"/* "${datadir:?}"/.[!.]*
  fi
  initialise
fi

log "starting $(mysqld --version)"
exec mysqld --datadir="$datadir" "$@"
