#!/usr/bin/env bash
# The whole platform on this machine: MariaDB, the Pulsar broker and the three services, started and stopped together.
set -euo pipefail
SCRIPT_NAME=stack
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUN="${ADDISPAY_LOCAL}/run"
LOGS="${ADDISPAY_LOCAL}/logs"
SERVICES=(order-service payment-service logger-service)
ORDER_GRPC_PORT="${ORDER_GRPC_PORT:-50051}"
LOGGER_GRPC_PORT="${LOGGER_GRPC_PORT:-50052}"

usage() {
  cat <<EOF
Usage: scripts/stack.sh {up|down|status|run|migrate|env SERVICE|--help}

  up       start MariaDB and Pulsar (installing them on first use), apply migrations, start the built services
  down     stop the services, Pulsar and MariaDB; nothing is left running
  status   one line per component; exit 0 only when all are healthy
  run      up, then follow the services' logs until Ctrl-C, which stops everything
  migrate  apply every service's migrations to the local MariaDB
  env      print the environment SERVICE runs with (DSNs included: keep it to yourself)
EOF
}

metrics_port() {
  case "$1" in order-service) echo 9464 ;; payment-service) echo 9465 ;; logger-service) echo 9466 ;; esac
}

service_env() {
  eval "$("${ADDISPAY_ROOT}/scripts/mariadb.sh" env)"
  export PULSAR_URL="ws://127.0.0.1:${PULSAR_WEB_PORT:-8080}" PULSAR_TRANSPORT=websocket LOG_LEVEL="${LOG_LEVEL:-info}"
  case "$1" in
    order-service) export MYSQL_DSN="$ORDER_MYSQL_DSN" GRPC_PORT="$ORDER_GRPC_PORT" ;;
    payment-service) export MYSQL_DSN="$PAYMENT_MYSQL_DSN" ;;
    logger-service) export MYSQL_DSN="$LOGGER_MYSQL_DSN" GRPC_PORT="$LOGGER_GRPC_PORT" ;;
    *) die "unknown service '$1'" ;;
  esac
  METRICS_PORT="$(metrics_port "$1")"
  export METRICS_PORT LOG_FILE="${LOGS}/$1.log"
}

cmd_migrate() {
  eval "$("${ADDISPAY_ROOT}/scripts/mariadb.sh" env)"
  local tsx="${ADDISPAY_ROOT}/node_modules/.bin/tsx" cli="${ADDISPAY_ROOT}/packages/mysql/src/migrate-cli.ts"
  "$tsx" "$cli" --dsn "$ORDER_MIGRATOR_MYSQL_DSN" --dir "${ADDISPAY_ROOT}/apps/order-service/migrations"
  "$tsx" "$cli" --dsn "$PAYMENT_MIGRATOR_MYSQL_DSN" --dir "${ADDISPAY_ROOT}/apps/payment-service/migrations"
  "$tsx" "$cli" --dsn "$LOGGER_MIGRATOR_MYSQL_DSN" --dir "${ADDISPAY_ROOT}/apps/logger-service/migrations"
}

service_ready() {
  curl -fsS "http://127.0.0.1:$(metrics_port "$1")/readyz" >/dev/null 2>&1
}

start_service() {
  local service="$1" pidfile="${RUN}/$1.pid" main="${ADDISPAY_ROOT}/apps/$1/dist/main.js" port
  if pid_alive "$pidfile"; then
    log "$service already running (pid $(<"$pidfile"))"
    return 0
  fi
  [[ -f "$main" ]] || die "$main is missing; run 'make build' first"
  port="$(metrics_port "$service")"
  port_free "$port" || die "port $port (metrics of $service) is taken by another process; stop it or free the port"
  (
    service_env "$service"
    cd "$ADDISPAY_ROOT"
    # --max-old-space-size as in the images (Dockerfile): V8 would otherwise size the heap from this host's memory.
    # SERVICE_NODE_ARGS: extra node flags, e.g. --cpu-prof (which NODE_OPTIONS does not allow).
    # shellcheck disable=SC2086
    exec node --enable-source-maps --max-old-space-size=128 ${SERVICE_NODE_ARGS:-} \
      --import @addispay/telemetry/instrumentation "$main" \
      >>"${LOGS}/${service}.out" 2>&1
  ) &
  echo $! >"$pidfile"
  if ! wait_for 60 "$service" service_ready "$service"; then
    tail -n 20 "${LOGS}/${service}.out" >&2 || true
    stop_service "$service"
    die "$service did not become ready; its output is above and in ${LOGS}/${service}.out"
  fi
}

stop_service() {
  local pidfile="${RUN}/$1.pid" pid waited=0
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid="$(<"$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < 30)); do sleep 1; waited=$((waited + 1)); done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  log "$1 stopped"
}

cmd_up() {
  mkdir -p "$RUN" "$LOGS"
  "${ADDISPAY_ROOT}/scripts/mariadb.sh" start
  "${ADDISPAY_ROOT}/scripts/pulsar.sh" start
  cmd_migrate
  local service
  for service in "${SERVICES[@]}"; do start_service "$service"; done
  log "platform up: orders gRPC on 127.0.0.1:${ORDER_GRPC_PORT}, logs gRPC on 127.0.0.1:${LOGGER_GRPC_PORT}"
}

cmd_down() {
  local service
  for service in "${SERVICES[@]}"; do stop_service "$service"; done
  "${ADDISPAY_ROOT}/scripts/pulsar.sh" stop
  "${ADDISPAY_ROOT}/scripts/mariadb.sh" stop
}

cmd_status() {
  local healthy=0 service
  "${ADDISPAY_ROOT}/scripts/mariadb.sh" status || healthy=1
  "${ADDISPAY_ROOT}/scripts/pulsar.sh" status || healthy=1
  for service in "${SERVICES[@]}"; do
    if pid_alive "${RUN}/${service}.pid" && service_ready "$service"; then
      echo "${service}: healthy (pid $(<"${RUN}/${service}.pid"), metrics on :$(metrics_port "$service"))"
    else
      echo "${service}: not running"
      healthy=1
    fi
  done
  return "$healthy"
}

cmd_run() {
  trap 'echo; cmd_down; exit 0' INT TERM
  cmd_up
  cat <<EOF

The platform is running. In another terminal:
  npm run -s cli -- place --customer alice --item BOOK-1:2:1250 --currency USD --token tok_approve
  npm run -s cli -- list --customer alice
Following the services' output below; Ctrl-C stops everything.

EOF
  tail -n 0 -F "${LOGS}"/*.out &
  wait
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  run) cmd_run ;;
  migrate) cmd_migrate ;;
  env) (service_env "${2:-order-service}" && env | grep -E '^(MYSQL_DSN|PULSAR_|GRPC_PORT|METRICS_PORT|LOG_)') ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
