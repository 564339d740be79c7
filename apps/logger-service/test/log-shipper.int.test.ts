/**
 * A service's log shipper while the broker is unreachable (its URL points at a closed port): logging neither
 * throws nor waits, what does not fit the buffer is counted as dropped, and once the port leads to the broker
 * the buffered lines arrive, followed by one warning with the count.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { eventsV1 } from '@addispay/api';
import { WebSocketTransport, type IncomingMessage } from '@addispay/pulsar';
import { createLogger, LogShipper, metricsRegistry } from '@addispay/telemetry';
import { freePort, PULSAR_WS_URL } from '@addispay/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLogSuite, waitFor, type LogSuite } from './support.js';

async function droppedTotal(): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('addispay_log_entries_dropped_total')?.get();
  return metric?.values[0]?.value ?? 0;
}

/** Forwards a loopback port to the broker's web port, from when it is started. */
async function relayTo(port: number, target: URL): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: () => {
      sockets.forEach((socket) => socket.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('log shipper with the broker unreachable', () => {
  let suite: LogSuite;
  beforeAll(async () => {
    suite = await startLogSuite('log_shipper');
  });
  afterAll(async () => {
    await suite?.close();
  });

  it('never throws or blocks, counts what it drops, and reports the count once shipping resumes', async () => {
    const logsTopic = suite.topology.topic('logs').fullName;
    const received: eventsV1.LogEntry[] = [];
    const watcher = await suite.transport.subscribe(
      { topic: logsTopic, subscription: 'test-watch', type: 'Exclusive', initialPosition: 'Earliest' },
      (message: IncomingMessage) => {
        received.push(...eventsV1.LogBatch.decode(message.payload).entries);
        void watcher.acknowledge(message);
      },
    );

    const port = await freePort();
    const unreachable = new WebSocketTransport({
      url: `ws://127.0.0.1:${port}`,
      connectTimeoutMs: 120_000,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const shipper = new LogShipper({
      service: 'order-service',
      capacity: 200,
      batchSize: 50,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const warnings: string[] = [];
    const logger = createLogger({
      service: 'order-service',
      level: 'info',
      destinations: [
        shipper,
        { write: (line: string) => void (line.includes('"level":"warn"') && warnings.push(line)) },
      ],
    });
    shipper.start({ open: () => unreachable.createProducer(logsTopic), logger });
    const droppedBefore = await droppedTotal();

    for (let index = 0; index < 1_000; index++)
      logger.info({ orderId: 'ord-outage', index }, 'while the broker is away');
    // Still in the same turn of the event loop: no line waited for the broker, and the buffer is full.
    expect(shipper.buffered).toBe(200);
    expect(shipper.dropped).toBe(800);
    expect((await droppedTotal()) - droppedBefore).toBe(800);
    expect(warnings).toEqual([]);

    const relay = await relayTo(port, new URL(PULSAR_WS_URL));
    try {
      await waitFor(
        async () => received.length,
        (count) => count >= 201,
        'the buffered lines and the warning',
        60_000,
      );
      expect(received.slice(0, 200).map((entry) => JSON.parse(entry.attributesJson) as { index: number })).toEqual(
        Array.from({ length: 200 }, (_, index) => ({ index })),
      );
      const report = received[200]!;
      expect(report).toMatchObject({ service: 'order-service', level: eventsV1.LogLevel.LOG_LEVEL_WARN });
      expect(report.message).toContain('800 log entries were dropped');
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ droppedEntries: 800 });
    } finally {
      await shipper.close();
      await unreachable.close();
      await relay.close();
      await watcher.close();
    }
  });
});
