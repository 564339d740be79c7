#!/usr/bin/env bash
# Entrypoint of the bed's Pulsar image (k8s/images/pulsar): Pulsar standalone (one broker, one bookie, RocksDB
# metadata) from the jars scripts/pulsar.sh installs, configured as scripts/pulsar/standalone.conf but listening on
# every interface. Runs non-root; writes only PULSAR_DATA (a volume) and /tmp.
#   PULSAR_ADVERTISED_ADDRESS  the address clients are sent to after a topic lookup: the pod IP (downward API
#                              status.podIP) or a Service name; default: this host's first address
#   PULSAR_HEAP                heap and direct memory of the JVM (default 512m)
#   PULSAR_DATA                default /pulsar/data
#   PULSAR_CONF_OVERRIDES      extra standalone.conf lines, newline-separated key=value (later keys win)
set -euo pipefail

log() { printf '[pulsar-entrypoint] %s\n' "$*" >&2; }

home=/pulsar
data="${PULSAR_DATA:-${home}/data}"
heap="${PULSAR_HEAP:-512m}"
advertised="${PULSAR_ADVERTISED_ADDRESS:-}"
if [[ -z "$advertised" ]]; then
  # Kubernetes writes the pod IP beside the pod's hostname into /etc/hosts.
  read -r advertised _ < <(getent ahostsv4 "$(cat /proc/sys/kernel/hostname)" 2>/dev/null || true)
  advertised="${advertised:-127.0.0.1}"
fi
conf=/tmp/standalone.conf

# The broker advertises the given address (--advertised-address below); the file's advertisedAddress stays
# 127.0.0.1 because the embedded bookie reads this file too: its id (address:port) is written into every ledger's
# metadata and its cookie, and on restart the standalone re-advertises the address found in the cookie. A pod IP
# there would leave a pod that came back with another IP (sandbox recreated, emptyDir kept) with ledgers on a
# bookie nobody can reach; loopback is the same in every life of the pod.
sed -e 's/^bindAddress=.*/bindAddress=0.0.0.0/' -e 's/^advertisedAddress=.*/advertisedAddress=127.0.0.1/' \
  "${home}/conf/standalone.conf" >"$conf"
if [[ -n "${PULSAR_CONF_OVERRIDES:-}" ]]; then
  printf '%s\n' "$PULSAR_CONF_OVERRIDES" >>"$conf"
fi

# A data directory that never saw a healthy broker holds half-initialised metadata that breaks the next start
# (as in scripts/pulsar.sh); one that did is kept across container restarts.
if [[ ! -f "${data}/.healthy-once" ]]; then
  rm -rf "${data:?}/metadata" "${data:?}/bookkeeper"
fi
mkdir -p "$data"

# Marks the data directory once the broker answers its health check (bash's /dev/tcp: the image has no curl).
web_port="$(sed -n 's/^webServicePort=//p' "$conf" | tail -n 1)"
mark_healthy() {
  local i reply
  for ((i = 0; i < 300; i++)); do
    sleep 2
    # (The redirection inside: errors of the substitution itself are not covered by one on the assignment.)
    reply="$({ exec 3<>"/dev/tcp/127.0.0.1/${web_port:-8080}"; } 2>/dev/null &&
      printf 'GET /admin/v2/brokers/health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && cat <&3)" || continue
    if [[ "$reply" == *$'\r\n\r\nok' ]]; then
      touch "${data}/.healthy-once"
      log "broker healthy: ${data} kept across restarts from now on"
      return 0
    fi
  done
}
(mark_healthy &) # orphaned at once: PID 1 (tini) reaps it, java never waits for it

log "Pulsar standalone: advertised address ${advertised}, heap ${heap}, data ${data}"
exec java "-Xms${heap}" "-Xmx${heap}" "-XX:MaxDirectMemorySize=${heap}" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
  -XX:+UseContainerSupport -Djava.io.tmpdir=/tmp \
  --add-opens java.base/java.io=ALL-UNNAMED --add-opens java.base/java.util.zip=ALL-UNNAMED \
  --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/jdk.internal.misc=ALL-UNNAMED \
  --add-opens java.base/sun.net=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED \
  -Dio.netty.tryReflectionSetAccessible=true -Djava.net.preferIPv4Stack=true \
  -Dbookkeeper.metadata.bookie.drivers=org.apache.pulsar.metadata.bookkeeper.PulsarMetadataBookieDriver \
  -Dbookkeeper.metadata.client.drivers=org.apache.pulsar.metadata.bookkeeper.PulsarMetadataClientDriver \
  -Dlog4j.configurationFile="${home}/conf/log4j2.xml" -Dpulsar.allocator.exit_on_oom=true \
  -cp "${home}/lib/*" org.apache.pulsar.PulsarStandaloneStarter \
  --config "$conf" -nfw -nss --advertised-address "$advertised" \
  --metadata-dir "${data}/metadata" --bookkeeper-dir "${data}/bookkeeper" "$@"
