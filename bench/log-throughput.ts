/**
 * Log pipeline throughput: publishes N log entries, in LogBatch messages of `--per-message` entries as the services'
 * shippers send them, to a fresh `logs` topic and measures how fast a running logger-service (its main.ts, as a
 * separate process) stores them into a fresh MariaDB database.
 *
 *   node --conditions=development --import tsx bench/log-throughput.ts [--entries 100000] [--per-message 100]
 *     [--in-flight 20]
 *
 * Needs the local MariaDB and Pulsar (scripts/mariadb.sh start, scripts/pulsar.sh start). Prints the sustained
 * rate (first row stored → last row stored) and the end-to-end rate (first publish → last row stored).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { eventsV1 } from '@addispay/api';
import { createPool } from '@addispay/mysql';
import { deleteTopics, WebSocketTransport } from '@addispay/pulsar';
import {
  createTestDatabase,
  createTestTopics,
  PULSAR_ADMIN_URL,
  PULSAR_WS_URL,
  repositoryRoot,
  startService,
} from '@addispay/testkit';
import type { RowDataPacket } from 'mysql2/promise';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '100000' },
    'per-message': { type: 'string', default: '100' },
    'in-flight': { type: 'string', default: '20' },
  },
});
const total = Number(values.entries);
const perMessage = Number(values['per-message']);
const inFlight = Number(values['in-flight']);

const db = await createTestDatabase({
  label: 'bench_logs',
  migrationsDir: join(repositoryRoot(), 'apps/logger-service/migrations'),
});
const { topology, suffix } = await createTestTopics();
const service = await startService('logger-service', {
  MYSQL_DSN: db.dsn,
  PULSAR_URL: PULSAR_WS_URL,
  PULSAR_TOPIC_SUFFIX: suffix,
  LOG_LEVEL: 'warn',
});
const pool = createPool(db.adminDsn, { connectionLimit: 1 });
const transport = new WebSocketTransport({ url: PULSAR_WS_URL });

try {
  const producer = await transport.createProducer(topology.topic('logs').fullName);
  const storedCount = async (): Promise<number> => {
    const [rows] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM log_entries');
    return Number(rows[0]?.['n']);
  };
  let firstStoredAt: number | undefined;
  let stored = 0;
  const watching = (async () => {
    while (stored < total) {
      stored = await storedCount();
      if (stored > 0) firstStoredAt ??= performance.now();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  const publishStart = performance.now();
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < total) {
      const first = next;
      next = Math.min(total, next + perMessage);
      const entries = Array.from({ length: next - first }, (_, offset) => sampleEntry(first + offset));
      await producer.send({ key: entries[0]!.entryId, payload: eventsV1.LogBatch.encode({ entries }).finish() });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, sender));
  const publishedAt = performance.now();
  await watching;
  const doneAt = performance.now();
  await producer.close();

  const seconds = (ms: number): number => ms / 1000;
  const sustained = (total - 1) / seconds(doneAt - (firstStoredAt ?? publishStart));
  const endToEnd = total / seconds(doneAt - publishStart);
  console.log(`published ${total} entries in ${seconds(publishedAt - publishStart).toFixed(1)} s`);
  console.log(
    `stored    ${stored} entries; last one ${seconds(doneAt - publishStart).toFixed(1)} s after the first publish`,
  );
  console.log(`sustained storing rate: ${Math.round(sustained)} entries/s (${Math.round(sustained * 60)} per minute)`);
  console.log(`end to end:             ${Math.round(endToEnd)} entries/s (${Math.round(endToEnd * 60)} per minute)`);
} finally {
  await transport.close();
  await service.stop();
  await pool.end();
  await db.drop();
  await deleteTopics([...topology.topics.map((topic) => topic.fullName), ...topology.deadLetterTopics], {
    adminUrl: PULSAR_ADMIN_URL,
  }).catch(() => undefined);
}

function sampleEntry(index: number): eventsV1.LogEntry {
  return {
    entryId: randomUUID(),
    service: index % 2 === 0 ? 'order-service' : 'payment-service',
    level: eventsV1.LogLevel.LOG_LEVEL_INFO,
    message: index % 2 === 0 ? 'order placed' : 'payment recorded',
    time: new Date(),
    traceId: randomUUID().replaceAll('-', ''),
    spanId: randomUUID().replaceAll('-', '').slice(0, 16),
    orderId: `ord-${Math.floor(index / 3)}`,
    attributesJson: JSON.stringify({
      customerId: `cust-${index % 97}`,
      totalMinor: String(1000 + index),
      currency: 'USD',
    }),
  };
}
