#!/usr/bin/env bash
# The end-to-end benchmark (make bench): the limits of Pulsar and MariaDB on this machine, then the local stack under
# load (ghz and `addispay load`); writes bench/results/<timestamp>.json and the platform section of docs/benchmarks.md.
set -euo pipefail
SCRIPT_NAME=bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUN="${ADDISPAY_LOCAL}/run"
SERVICES=(order-service payment-service logger-service)

usage() {
  cat <<EOF
Usage: scripts/bench.sh [--quick] [--duration SECONDS] [--restart] [--note TEXT] [--skip-limits] [--no-docs]
       scripts/bench.sh --profile [--duration SECONDS]

Uses the running local stack (scripts/stack.sh up) or starts it; what this script started, it stops again.

  --quick         4-second steps and small limit runs: checks the harness, measures nothing worth quoting
  --duration S    seconds per load step (default 20)
  --restart       restart the stack's services first, so the knobs below apply (they are restarted with
                  the default settings at the end)
  --note TEXT     recorded in the result (e.g. what else ran on the machine)
  --skip-limits   only the platform steps
  --no-docs       leave docs/benchmarks.md alone (the result file is still written)
  --profile       instead: restart the services under 'node --cpu-prof', load them with 64 callers for the
                  duration, and write each service's profile summary and flame graph to docs/profiles/

Knobs passed to services this script starts (stated in the result): PAYMENT_LATENCY_MS (service default 20),
CONSUMER_CONCURRENCY (64), LOG_LEVEL (info). Needs 'make build' (services run from dist/).
EOF
}

args=()
restart=false
profile=false
duration=20
while (($# > 0)); do
  case "$1" in
    --quick | --skip-limits | --no-docs) args+=("$1") ;;
    --duration | --note)
      (($# >= 2)) || die "$1 needs a value"
      args+=("$1" "$2")
      [[ "$1" == --duration ]] && duration="$2"
      shift
      ;;
    --restart) restart=true ;;
    --profile) profile=true restart=true ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
  shift
done

for service in "${SERVICES[@]}" cli; do
  [[ -f "${ADDISPAY_ROOT}/apps/${service}/dist/main.js" ]] || die "apps/${service}/dist/main.js is missing: run 'make build'"
done
[[ -x "${ADDISPAY_ROOT}/node_modules/.bin/tsx" ]] || die "node_modules is missing: run 'make node-deps'"
[[ -x "$("${ADDISPAY_ROOT}/scripts/tools.sh" path)/ghz" ]] || die "ghz is missing: run 'scripts/tools.sh install'"

infra_was_up=true
"${ADDISPAY_ROOT}/scripts/mariadb.sh" status >/dev/null 2>&1 || infra_was_up=false
"${ADDISPAY_ROOT}/scripts/pulsar.sh" status >/dev/null 2>&1 || infra_was_up=false
services_were_up=true
for service in "${SERVICES[@]}"; do pid_alive "${RUN}/${service}.pid" || services_were_up=false; done

stop_services() {
  local service pid waited
  for service in "${SERVICES[@]}"; do
    pid_alive "${RUN}/${service}.pid" || continue
    pid="$(<"${RUN}/${service}.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    waited=0
    while kill -0 "$pid" 2>/dev/null && ((waited < 30)); do sleep 1; waited=$((waited + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "${RUN}/${service}.pid"
  done
}

restore() {
  local status=$?
  trap - EXIT INT TERM
  if [[ "$infra_was_up" == false ]]; then
    log "stopping the stack this run started"
    "${ADDISPAY_ROOT}/scripts/stack.sh" down >/dev/null 2>&1 || true
  elif [[ "$restart" == true || "$services_were_up" == false ]]; then
    stop_services
    if [[ "$services_were_up" == true ]]; then
      log "restarting the services with their default settings"
      (unset PAYMENT_LATENCY_MS CONSUMER_CONCURRENCY LOG_LEVEL NODE_OPTIONS && "${ADDISPAY_ROOT}/scripts/stack.sh" up >/dev/null) ||
        log "warning: restarting the services failed; run scripts/stack.sh up"
    fi
  fi
  exit "$status"
}
trap restore EXIT
trap 'exit 130' INT TERM

if [[ "$restart" == true ]]; then stop_services; fi
if [[ "$profile" == true ]]; then
  profiles="${ADDISPAY_LOCAL}/bench/profiles/$(date -u +%Y%m%dT%H%M%S)"
  mkdir -p "$profiles"
  SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=${profiles}" "${ADDISPAY_ROOT}/scripts/stack.sh" up
else
  "${ADDISPAY_ROOT}/scripts/stack.sh" up
fi
unset NODE_OPTIONS

profile_services() {
  local service pid file out="${ADDISPAY_ROOT}/docs/profiles"
  local -A pids=()
  for service in "${SERVICES[@]}"; do pids[$service]="$(<"${RUN}/${service}.pid")"; done
  log "profiling: 64 callers for ${duration} s"
  node apps/cli/dist/main.js load --concurrency 64 --duration "${duration}s"
  stop_services # the profiles are written at exit
  mkdir -p "$out"
  for service in "${SERVICES[@]}"; do
    file="$(ls "${profiles}"/CPU.*."${pids[$service]}".*.cpuprofile)"
    node --import tsx bench/cpu-profile.ts "$file" --top 20 >"${out}/${service}.txt"
    node --import tsx bench/flamegraph.ts "$file" "${out}/${service}.svg" \
      --title "${service}: 64 callers for ${duration} s ($(date -u +%Y-%m-%d))"
    log "${service}: docs/profiles/${service}.txt and .svg (profile: ${file#"${ADDISPAY_ROOT}/"})"
  done
}

log "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
cd "$ADDISPAY_ROOT"
if [[ "$profile" == true ]]; then
  profile_services
else
  node --conditions=development --import tsx bench/run.ts "${args[@]}"
fi
