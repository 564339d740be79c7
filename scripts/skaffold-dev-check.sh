#!/usr/bin/env bash
# A short `skaffold dev -p bed` loop on the local test bed: first deploy, one harmless source change in
# apps/order-service, a rebuilt image rolled out, then skaffold stopped with SIGINT. The change is reverted on
# every exit path (trap), after skaffold has stopped, so it never triggers a build of its own.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT="$ADDISPAY_ROOT"
KUBECONFIG_FILE="${ADDISPAY_LOCAL}/cluster/kubeconfig"
CONTEXT=addispay-bed
REGISTRY=127.0.0.1:5001
DEFAULT_REPO="${REGISTRY}/addispay"
NAMESPACE=addispay
DEPS_NAMESPACE=addispay-deps
DEPLOYMENT=addispay-order-service
CONTAINER=order-service
CHANGED_FILE="apps/order-service/src/main.ts" # in skaffold's watch list: the Dockerfile's `COPY . .`
LOG="${ADDISPAY_LOCAL}/logs/skaffold-dev-check.log"
PIDFILE="${ADDISPAY_LOCAL}/run/skaffold-dev-check.pid"
FIRST_TIMEOUT=2400  # first iteration: three image builds (npm ci, tsc) on 2 cores, then helm --wait
CHANGE_TIMEOUT=1500 # after the change: the rebuild (all three artifacts share `COPY . .`) and the rollout
STOP_TIMEOUT=120
CLEANUP=false

usage() {
  cat <<EOF
Usage: scripts/skaffold-dev-check.sh [--first-timeout S] [--change-timeout S] [--cleanup] [--help]

Runs \`skaffold dev -p bed\` against the bed (${KUBECONFIG_FILE}, context ${CONTEXT}, default repo
${DEFAULT_REPO}) in the background, with its output in ${LOG}, and checks the dev loop:
  1. waits for the first deploy: skaffold's first iteration done, Deployment ${DEPLOYMENT} rolled out with an
     image of ${DEFAULT_REPO}/order-service pinned by digest      (--first-timeout, default ${FIRST_TIMEOUT}s)
  2. appends one comment line to ${CHANGED_FILE}
  3. waits until the Deployment's image changed (new tag/digest) and \`kubectl rollout status\` succeeds
                                                                    (--change-timeout, default ${CHANGE_TIMEOUT}s)
  4. stops skaffold with SIGINT and waits for it to exit (up to ${STOP_TIMEOUT}s)
The comment line is removed again on every exit path (only if the file is otherwise unchanged).
By default skaffold leaves the release deployed on exit (--cleanup=false); --cleanup lets it uninstall it.

Needs: the bed up (scripts/cluster.sh status), its registry on ${REGISTRY}, scripts/images.sh,
charts/addispay/values-bed.yaml, the bed's MySQL and Pulsar (scripts/images.sh deps-apply), skaffold and helm
(scripts/tools.sh install-skaffold, scripts/tools.sh install), kubectl (scripts/cluster.sh bin-path).
EOF
}

while (($#)); do
  case "$1" in
    --first-timeout) FIRST_TIMEOUT="${2:?--first-timeout needs seconds}" && shift ;;
    --change-timeout) CHANGE_TIMEOUT="${2:?--change-timeout needs seconds}" && shift ;;
    --cleanup) CLEANUP=true ;;
    -h | --help) usage && exit 0 ;;
    *) usage >&2 && die "unknown argument: $1" ;;
  esac
  shift
done

# --- preconditions -------------------------------------------------------------------------------------------
cd "$ROOT"
PATH="$("${ROOT}/scripts/tools.sh" path):${PATH}"
[[ -x scripts/cluster.sh ]] || die "scripts/cluster.sh not found: the bed is not available in this checkout"
if kubectl_dir="$(scripts/cluster.sh bin-path 2>/dev/null)" && [[ -n "$kubectl_dir" ]]; then
  PATH="${kubectl_dir}:${PATH}"
fi
export PATH
require_cmd skaffold "build it with scripts/tools.sh install-skaffold"
require_cmd helm "build it with scripts/tools.sh install"
require_cmd kubectl "the bed's kubectl comes from scripts/cluster.sh (bin-path)"
require_cmd curl "apt-get install curl"
[[ -s "$KUBECONFIG_FILE" ]] || die "no bed kubeconfig at ${KUBECONFIG_FILE}: start the bed (scripts/cluster.sh up)"
scripts/cluster.sh status >/dev/null 2>&1 || die "the bed is not healthy: scripts/cluster.sh status"
curl -fsS -o /dev/null "http://${REGISTRY}/v2/" || die "no registry answers on http://${REGISTRY}/v2/"
[[ -x scripts/images.sh ]] || die "scripts/images.sh missing: skaffold's bed profile builds with it"
[[ -f charts/addispay/values-bed.yaml ]] || die "charts/addispay/values-bed.yaml missing: the bed profile deploys with it"
[[ -f "$CHANGED_FILE" ]] || die "${CHANGED_FILE} not found"

# skaffold builds the three services; the other images values-bed.yaml names (the bootstrap Job's MySQL client,
# the helm test pod: mysql:bed, grpcurl:bed) must be in the registry: pushed here when missing, by images.sh's
# skaffold entry point (a retag of the built image, or a build when there is none).
registry_has() {
  local ref="${1#"${REGISTRY}/"}"
  curl -fs -o /dev/null -I \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' \
    "http://${REGISTRY}/v2/${ref%:*}/manifests/${ref##*:}"
}
require_cmd node "the repository's Node.js (reads values-bed.yaml)"
mapfile -t DEP_IMAGES < <(node -e '
  const { parse } = require("yaml");
  const v = parse(require("fs").readFileSync("charts/addispay/values-bed.yaml", "utf8"));
  for (const image of [v?.mysql?.bootstrap?.image, v?.tests?.image]) if (image) console.log(image);
') || die "could not read charts/addispay/values-bed.yaml (npm ci?)"
mkdir -p "$(dirname "$LOG")"
for image in "${DEP_IMAGES[@]}"; do
  [[ "$image" == "${REGISTRY}/"* ]] || continue
  registry_has "$image" && continue
  log "${image} (values-bed.yaml) is not in the registry: scripts/images.sh build-one $(basename "${image%:*}") (push)"
  PUSH_IMAGE=true scripts/images.sh build-one "$(basename "${image%:*}")" "$image" >"${LOG%.log}-images.log" 2>&1 ||
    die "could not push ${image}; see ${LOG%.log}-images.log"
  registry_has "$image" || die "${image} still not in the registry after images.sh build-one"
done
if pid_alive "$PIDFILE"; then
  die "another skaffold-dev-check runs (pid $(<"$PIDFILE")); stop it first"
fi
export KUBECONFIG="$KUBECONFIG_FILE"
KUBECTL=(kubectl --context "$CONTEXT" -n "$NAMESPACE")

# What the chart expects of the bed beside the images (scripts/bed.sh up provides it): MySQL and Pulsar running,
# MySQL's root password in the release's namespace; and no helm operation of someone else's under way.
for dep in mysql pulsar; do
  kubectl --context "$CONTEXT" -n "$DEPS_NAMESPACE" rollout status "deployment/${dep}" --timeout=5s >/dev/null 2>&1 ||
    die "deployment/${dep} in namespace ${DEPS_NAMESPACE} is not ready: start the bed's dependencies (scripts/bed.sh up)"
done
"${KUBECTL[@]}" get secret mysql-root >/dev/null 2>&1 ||
  die "Secret mysql-root missing in namespace ${NAMESPACE} (scripts/bed.sh up copies it from ${DEPS_NAMESPACE})"
release_status="$(helm --kube-context "$CONTEXT" -n "$NAMESPACE" status addispay -o json 2>/dev/null |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).info.status)}catch{}})')"
[[ "$release_status" != pending-* ]] ||
  die "release addispay is ${release_status}: another helm operation is under way (or was interrupted)"

# --- the change and its revert ---------------------------------------------------------------------------------
MARK="// skaffold-dev-check $(date -u +%Y-%m-%dT%H:%M:%SZ): a dev-loop test line, removed again by scripts/skaffold-dev-check.sh"
ORIG_SIZE="$(stat -c %s "$CHANGED_FILE")"
ORIG_SHA="$(sha256sum <"$CHANGED_FILE")"
CHANGED=0
SKAFFOLD_PID=""

make_change() {
  # A trailing newline is assumed (prettier keeps one): the comment becomes the file's last line.
  printf '%s\n' "$MARK" >>"$CHANGED_FILE"
  CHANGED=1
  log "changed ${CHANGED_FILE} (one comment line appended)"
}

revert_change() {
  ((CHANGED == 1)) || return 0
  local size
  size="$(stat -c %s "$CHANGED_FILE")"
  if [[ "$(head -c "$ORIG_SIZE" "$CHANGED_FILE" | sha256sum)" == "$ORIG_SHA" &&
    "$(tail -c +"$((ORIG_SIZE + 1))" "$CHANGED_FILE")" == "$MARK" ]] &&
    ((size == ORIG_SIZE + ${#MARK} + 1)); then
    truncate -s "$ORIG_SIZE" "$CHANGED_FILE"
    log "reverted ${CHANGED_FILE}"
  elif [[ "$(sha256sum <"$CHANGED_FILE")" == "$ORIG_SHA" ]]; then
    log "${CHANGED_FILE} already as it was"
  else
    log "warning: ${CHANGED_FILE} was edited meanwhile; remove this line by hand: ${MARK}"
  fi
  CHANGED=0
}

skaffold_running() { [[ -n "$SKAFFOLD_PID" ]] && kill -0 "$SKAFFOLD_PID" 2>/dev/null; }

# stop_skaffold: SIGINT (skaffold's Ctrl+C: it finishes the current step, cleans up if asked, exits), then
# SIGTERM if it does not exit in time. Prints skaffold's exit status.
SKAFFOLD_STATUS=""
stop_skaffold() {
  skaffold_running || return 0
  log "stopping skaffold (SIGINT to pid ${SKAFFOLD_PID})"
  kill -INT "$SKAFFOLD_PID" 2>/dev/null || true
  local waited=0
  while skaffold_running && ((waited < STOP_TIMEOUT)); do
    sleep 1
    waited=$((waited + 1))
  done
  if skaffold_running; then
    log "skaffold still running after ${STOP_TIMEOUT}s: SIGTERM"
    kill -TERM "$SKAFFOLD_PID" 2>/dev/null || true
    sleep 5
  fi
  SKAFFOLD_STATUS=0
  wait "$SKAFFOLD_PID" 2>/dev/null || SKAFFOLD_STATUS=$?
  log "skaffold exited with status ${SKAFFOLD_STATUS} after ${waited}s"
  rm -f "$PIDFILE"
}

on_exit() {
  local rc=$?
  stop_skaffold
  revert_change
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- helpers --------------------------------------------------------------------------------------------------
deployed_image() {
  "${KUBECTL[@]}" get deployment "$DEPLOYMENT" \
    -o "jsonpath={.spec.template.spec.containers[?(@.name==\"${CONTAINER}\")].image}" 2>/dev/null || true
}

fail() {
  log "last lines of ${LOG}:"
  tail -n 40 "$LOG" | sed 's/^/    /' >&2
  die "$*"
}

# wait_until TIMEOUT WHAT CMD...: like wait_for, but gives up at once when skaffold has exited.
wait_until() {
  local timeout="$1" what="$2" waited=0
  shift 2
  log "waiting for ${what} (up to ${timeout}s)"
  until "$@"; do
    skaffold_running || fail "skaffold exited while waiting for ${what}"
    ((waited < timeout)) || fail "timed out after ${timeout}s waiting for ${what}"
    sleep 5
    waited=$((waited + 5))
    ((waited % 60 == 0)) && log "  ... ${waited}s: $(grep -v '^\s*$' "$LOG" | tail -n 1 | cut -c1-150)"
  done
  log "${what}: after ${waited}s"
}

first_iteration_done() { grep -q 'Press Ctrl+C to exit' "$LOG"; } # printed once the first deploy is stable
pinned_image() { [[ "$(deployed_image)" == "${DEFAULT_REPO}/order-service:"*"@sha256:"* ]]; }
first_deploy_done() { first_iteration_done && pinned_image; }
image_changed() { local now; now="$(deployed_image)" && [[ -n "$now" && "$now" != "$FIRST_IMAGE" ]]; }
rolled_out() { "${KUBECTL[@]}" rollout status "deployment/${DEPLOYMENT}" --timeout=10s >/dev/null 2>&1; }
# skaffold dev keeps running when a later iteration fails: its warning ends the wait early.
iteration_failed() { tail -c +"$((CHANGE_OFFSET + 1))" "$LOG" | grep -qE 'Skipping (test and deploy|deploy|render) due to'; }
# The iteration is over when skaffold's status check has passed (after helm upgrade --wait): stopping skaffold
# earlier would interrupt helm and leave the release pending.
iteration_done() { tail -c +"$((CHANGE_OFFSET + 1))" "$LOG" | grep -q 'Deployments stabilized in'; }
new_image_rolled_out() {
  iteration_failed && fail "skaffold's iteration after the change failed (build, render or deploy)"
  image_changed && iteration_done && rolled_out
}

# --- the loop ---------------------------------------------------------------------------------------------------
mkdir -p "$(dirname "$LOG")" "$(dirname "$PIDFILE")"
: >"$LOG"
log "skaffold $(skaffold version) dev -p bed (output: ${LOG})"
started=$SECONDS
# --trigger=polling: skaffold's default (fsnotify) trigger watches the whole working directory, .local included,
# and waits for a quiet second before it fires; the bed's etcd, kubelet and pod logs under .local/cluster write
# all the time, so it never would. Polling stats only the artifacts' dependencies, every 2 s.
SKAFFOLD_UPDATE_CHECK=false SKAFFOLD_INTERACTIVE=false \
  skaffold dev --profile bed --kube-context "$CONTEXT" --kubeconfig "$KUBECONFIG_FILE" \
  --default-repo "$DEFAULT_REPO" --trigger=polling --watch-poll-interval=2000 \
  --port-forward=off --cleanup="$CLEANUP" >"$LOG" 2>&1 &
SKAFFOLD_PID=$!
echo "$SKAFFOLD_PID" >"$PIDFILE"

wait_until "$FIRST_TIMEOUT" "the first deploy" first_deploy_done
wait_until 300 "deployment/${DEPLOYMENT} rolled out" rolled_out
FIRST_IMAGE="$(deployed_image)"
log "first deploy after $((SECONDS - started))s: ${FIRST_IMAGE}"

CHANGE_OFFSET="$(stat -c %s "$LOG")"
make_change
changed_at=$SECONDS
wait_until "$CHANGE_TIMEOUT" "a new order-service image rolled out" new_image_rolled_out
NEW_IMAGE="$(deployed_image)"
log "rebuilt and rolled out $((SECONDS - changed_at))s after the change: ${NEW_IMAGE}"

stop_skaffold
revert_change
[[ "$SKAFFOLD_STATUS" == 0 ]] || fail "skaffold dev did not exit cleanly on SIGINT (status ${SKAFFOLD_STATUS})"
log "ok: skaffold dev -p bed rebuilt and redeployed order-service on a source change"
log "    before: ${FIRST_IMAGE}"
log "    after:  ${NEW_IMAGE}"
