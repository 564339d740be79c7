import { createPool, OutboxRelay } from '@addispay/mysql';
import { createTransport, loadTopology, topicPublisher, type PulsarTransport, type Topology } from '@addispay/pulsar';
import type { ConfigOf, serviceSettings } from '@addispay/runtime';
import { createLogger, LogShipper, startOpsServer, type Logger } from '@addispay/telemetry';
import type { Pool } from 'mysql2/promise';
import type { Server } from 'node:http';

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
  /** Opens /metrics, /livez and /readyz, and reports ready. */
  serve(): Promise<void>;
  /** Reports not ready, so traffic moves away while the service drains. */
  drain(): void;
  /** Flushes the outbox, stops shipping logs and closes Pulsar, MySQL and the ops endpoint: call last. */
  close(): Promise<void>;
}

export async function openFoundation(service: string, config: ConfigOf<typeof serviceSettings>): Promise<Foundation> {
  const shipper = new LogShipper({ service, capacity: config.logShipBufferLines });
  const logger = createLogger({ service, level: config.logLevel, file: config.logFile, destinations: [shipper] });
  const topology = loadTopology({ topicSuffix: config.pulsarTopicSuffix });
  const pool = createPool(config.mysqlDsn);
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
  let ops: Server | undefined;
  let ready = false;
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
    async serve() {
      ops = await startOpsServer({ port: config.metricsPort, isReady: () => ready });
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
      ops?.close();
      logger.info(`${service} stopped`);
    },
  };
}
