#!/usr/bin/env bash
# The chaos run (make chaos): crashes, stalls and restarts under a steady load of retrying clients, then checks
# that no acknowledged order was lost, nobody was charged twice and every order became final (bench/chaos.ts).
set -euo pipefail
SCRIPT_NAME=chaos
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<EOF
Usage: scripts/chaos.sh [--rate N] [--duration SECONDS] [--small] [--no-infra] [--settle-s SECONDS]

Starts its own order-service and payment-service (from sources, on fresh test_* databases and suffixed topics of
the local MariaDB and Pulsar, which are started if needed) and places orders at --rate (default 45/s) for
--duration (default 240 s: 10,800 orders). Meanwhile: SIGKILL payment-service 3 times and order-service twice
(restarted each time), SIGSTOP payment-service for 40 s, restart the Pulsar broker and MariaDB.

  --no-infra   skip the broker and MariaDB restarts (they break anything else using them, e.g. running tests)
  --small      a short check of the harness: 20/s for 60 s, no infrastructure restarts
  --settle-s   how long after the last fault every order must be final (default 60)

Writes bench/results/chaos-<timestamp>.json; service output in .local/chaos/<timestamp>/. Exit code 1 when a
guarantee is broken (the databases and topics are then kept for inspection).
EOF
}

for arg in "$@"; do
  case "$arg" in -h | --help) usage; exit 0 ;; esac
done
[[ -x "${ADDISPAY_ROOT}/node_modules/.bin/tsx" ]] || die "node_modules is missing: run 'make node-deps'"

"${ADDISPAY_ROOT}/scripts/mariadb.sh" start
"${ADDISPAY_ROOT}/scripts/pulsar.sh" start
cd "$ADDISPAY_ROOT"
exec node --conditions=development --import tsx bench/chaos.ts "$@"
