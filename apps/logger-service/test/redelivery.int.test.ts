/**
 * The logger consumer in this process, cut off mid-stream as a crash would (its connection closed with messages
 * in flight), then started again on a new connection: every entry ends up stored, exactly once.
 */
import { WebSocketTransport } from '@addispay/pulsar';
import { createLogger } from '@addispay/telemetry';
import { PULSAR_WS_URL } from '@addispay/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLogConsumer } from '../src/log-consumer.js';
import { countRows, encode, logEntry, startLogSuite, waitFor, type LogSuite } from './support.js';

describe('logger consumer across a restart', () => {
  let suite: LogSuite;
  beforeAll(async () => {
    suite = await startLogSuite('log_redelivery');
  });
  afterAll(async () => {
    await suite?.close();
  });

  it('loses no entry and stores none twice when stopped mid-stream and started again', async () => {
    const total = 10_000;
    const entries = Array.from({ length: total }, (_, index) => logEntry({ message: `entry ${index}` }));
    const producer = await suite.transport.createProducer(suite.topology.topic('logs').fullName);
    for (let start = 0; start < total; start += 1_000) {
      await Promise.all(
        entries
          .slice(start, start + 1_000)
          .map((entry) => producer.send({ key: entry.entryId, payload: encode(entry) })),
      );
    }
    // A producer that lost its receipts sends again: 500 repeats.
    await Promise.all(
      entries.slice(0, 500).map((entry) => producer.send({ key: entry.entryId, payload: encode(entry) })),
    );
    await producer.close();

    const options = {
      topology: suite.topology,
      pool: suite.db.pool,
      logger: createLogger({ service: 'logger-service', level: 'error' }),
      concurrency: 1_000,
      lingerMs: 5,
      batchSize: 1_000,
    };
    const firstConnection = new WebSocketTransport({ url: PULSAR_WS_URL });
    await startLogConsumer({ ...options, transport: firstConnection });
    const atCrash = await waitFor(
      () => countRows(suite.db),
      (count) => count.rows >= 1_000,
      'the first thousand rows',
    );
    await firstConnection.close();
    expect(atCrash.rows).toBeLessThan(total);

    const secondConnection = new WebSocketTransport({ url: PULSAR_WS_URL });
    const second = await startLogConsumer({ ...options, transport: secondConnection });
    await waitFor(
      () => countRows(suite.db),
      (count) => count.rows === total,
      `all ${total} rows`,
    );
    // Anything still redelivered now must not add rows.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await second.stop();
    await secondConnection.close();
    expect(await countRows(suite.db)).toEqual({ rows: total, distinct: total });
  });
});
