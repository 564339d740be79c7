#!/usr/bin/env bash
# The chaos run (make chaos): crashes, stalls and restarts under a steady load of retrying clients, then checks
# that no acknowledged order was lost, nobody was charged twice and every order became final (bench/chaos.ts).
set -euo pipefail
SCRIPT_NAME=chaos
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<EOF
Usage: scripts/chaos.sh [--rate N] [--duration SECONDS] [--small] [--no-infra] [--settle-s SECONDS] [--no-db-restart]
                        [--shared-broker]

Starts its own Pulsar broker (PULSAR_INSTANCE=chaos on ports ${CHAOS_BROKER_PORT}/${CHAOS_WEB_PORT}, stopped at the end), its
own order-service and payment-service (from sources, on fresh test_* databases of the local MariaDB, started if
needed) and places orders at --rate (default 25/s) for
--duration (default 420 s: 10,500 orders). Meanwhile: SIGKILL payment-service 3 times and order-service twice
(restarted each time), SIGSTOP payment-service for 40 s, restart the Pulsar broker and MariaDB.

  --no-infra   skip the broker and MariaDB restarts (the MariaDB restart breaks anything else using it, e.g.
               running tests: run the full chaos when nothing else does)
  --no-db-restart  restart the broker but not MariaDB
  --shared-broker  use (and restart) the default local broker instead of a broker of its own
  --small      a short check of the harness: 20/s for 60 s, no infrastructure restarts
  --settle-s   how long after the last fault every order must be final (default 60)

Writes bench/results/chaos-<timestamp>.json; service output in .local/chaos/<timestamp>/. Exit code 1 when a
guarantee is broken (the databases and topics are then kept for inspection).
EOF
}

CHAOS_BROKER_PORT="${CHAOS_BROKER_PORT:-6652}"
CHAOS_WEB_PORT="${CHAOS_WEB_PORT:-8082}"
own_broker=true
args=()
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
    --shared-broker) own_broker=false ;;
    *) args+=("$arg") ;;
  esac
done
[[ -x "${ADDISPAY_ROOT}/node_modules/.bin/tsx" ]] || die "node_modules is missing: run 'make node-deps'"

"${ADDISPAY_ROOT}/scripts/mariadb.sh" start
if [[ "$own_broker" == true ]]; then
  # The chaos run restarts this broker; the services, the test topics and pulsar.sh stop/start all follow these.
  export PULSAR_INSTANCE=chaos PULSAR_BROKER_PORT="$CHAOS_BROKER_PORT" PULSAR_WEB_PORT="$CHAOS_WEB_PORT"
  stop_broker() { "${ADDISPAY_ROOT}/scripts/pulsar.sh" stop >/dev/null 2>&1 || true; }
  trap stop_broker EXIT
fi
"${ADDISPAY_ROOT}/scripts/pulsar.sh" start
cd "$ADDISPAY_ROOT"
node --conditions=development --import tsx bench/chaos.ts "${args[@]}"
