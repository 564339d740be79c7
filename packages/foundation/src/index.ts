import { createPool, OutboxRelay } from '@addispay/mysql';
import { createTransport, loadTopology, topicPublisher, type PulsarTransport, type Topology } from '@addispay/pulsar';
import type { ConfigOf, serviceSettings } from '@addispay/runtime';
import { createLogger, LogShipper, startOpsServer, type Logger } from '@addispay/telemetry';
import type { Pool } from 'mysql2/promise';
import type { AddressInfo } from 'node:net';

/**
 * What every service process stands on: its logger (shipping to the logs topic), the Pulsar transport and
 * topology, the MySQL pool, and the ops endpoint. Services add their use cases and adapters on top.
 */
export interface Foundation {
  readonly logger: Logger;
  readonly topology: Topology;
  readonly pool: Pool;
  readonly transport: PulsarTransport;
  /** A relay for the service's outbox, publishing to the topology's topics; started. */
  startOutboxRelay(): OutboxRelay;
  /** The port /metrics, /livez and /readyz answer on (open from the start; METRICS_PORT, or the one picked for 0). */
  readonly opsPort: number;
  /** Reports ready once the service serves: /readyz then answers 200 while MySQL answers too. */
  markReady(): void;
  /** Reports not ready, so traffic moves away while the service drains. */
  drain(): void;
  /** Flushes the outbox, stops shipping logs and closes Pulsar, MySQL and the ops endpoint: call last. */
  close(): Promise<void>;
}

/** How long /readyz waits for MySQL's answer; below the chart's probe timeout (2 s). */
const READINESS_PING_MS = 1_500;

export async function openFoundation(service: string, config: ConfigOf<typeof serviceSettings>): Promise<Foundation> {
  const shipper = new LogShipper({ service, capacity: config.logShipBufferLines });
  const logger = createLogger({ service, level: config.logLevel, file: config.logFile, destinations: [shipper] });
  const topology = loadTopology({ topicSuffix: config.pulsarTopicSuffix });
  const pool = createPool(config.mysqlDsn, { sslCaFile: config.mysqlSslCa });
  let ready = false;
  // Opened before anything waits on Pulsar or MySQL: /livez answers while they are away (a broker still starting,
  // a database failing over), so Kubernetes keeps the pod unready instead of restarting it.
  const ops = await startOpsServer({
    port: config.metricsPort,
    isReady: async () => ready && (await answers(pool, READINESS_PING_MS)),
  });
  const transport = await createTransport({
    url: config.pulsarUrl.href,
    kind: config.pulsarTransport,
    tokenFile: config.pulsarTokenFile,
    logger,
  });
  logger.info({ transport: transport.kind }, 'connected to Pulsar');
  shipper.start({ open: () => transport.createProducer(topology.topic('logs').fullName), logger });

  const publisher = topicPublisher(transport, topology);
  let relay: OutboxRelay | undefined;
  return {
    logger,
    topology,
    pool,
    transport,
    startOutboxRelay() {
      relay ??= new OutboxRelay({ pool, publish: publisher.publish, logger });
      relay.start();
      return relay;
    },
    opsPort: (ops.address() as AddressInfo).port,
    markReady() {
      ready = true;
    },
    drain() {
      ready = false;
    },
    async close() {
      ready = false;
      await relay?.stop();
      await publisher.close();
      await shipper.close();
      await transport.close();
      await pool.end();
      ops.close();
      logger.info(`${service} stopped`);
    },
  };
}

/** True when MySQL answers a trivial query within `ms`. */
async function answers(pool: Pool, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const ping = pool.query('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
