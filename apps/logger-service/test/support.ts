import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { eventsV1 } from '@addispay/api';
import { deleteTopics, WebSocketTransport, type Topology } from '@addispay/pulsar';
import {
  createTestDatabase,
  createTestTopics,
  PULSAR_ADMIN_URL,
  PULSAR_WS_URL,
  repositoryRoot,
  type TestDatabase,
} from '@addispay/testkit';
import type { RowDataPacket } from 'mysql2/promise';

/** A migrated database and a suffixed copy of the topology, applied to the local broker, for one suite. */
export interface LogSuite {
  readonly db: TestDatabase & { readonly pool: NonNullable<TestDatabase['pool']> };
  readonly topology: Topology;
  readonly suffix: string;
  readonly transport: WebSocketTransport;
  close(): Promise<void>;
}

export async function startLogSuite(label: string): Promise<LogSuite> {
  const db = await createTestDatabase({
    label,
    pool: true,
    migrationsDir: join(repositoryRoot(), 'apps/logger-service/migrations'),
  });
  const { topology, suffix } = await createTestTopics();
  const transport = new WebSocketTransport({ url: PULSAR_WS_URL });
  return {
    db: db as LogSuite['db'],
    topology,
    suffix,
    transport,
    close: async () => {
      await transport.close();
      await db.drop();
      await deleteTopics([...topology.topics.map((topic) => topic.fullName), ...topology.deadLetterTopics], {
        adminUrl: PULSAR_ADMIN_URL,
      }).catch(() => undefined);
    },
  };
}

export function logEntry(fields: Partial<eventsV1.LogEntry> = {}): eventsV1.LogEntry {
  return {
    entryId: randomUUID(),
    service: 'order-service',
    level: eventsV1.LogLevel.LOG_LEVEL_INFO,
    message: 'order placed',
    time: new Date(),
    traceId: '',
    spanId: '',
    orderId: '',
    attributesJson: '',
    ...fields,
  };
}

/** A message of the logs topic holding these entries. */
export const encode = (...entries: eventsV1.LogEntry[]): Uint8Array => eventsV1.LogBatch.encode({ entries }).finish();

export async function countRows(
  db: LogSuite['db'],
  where = '1 = 1',
  params: unknown[] = [],
): Promise<{ rows: number; distinct: number }> {
  const [result] = await db.pool.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS rows_, COUNT(DISTINCT entry_id) AS distinct_ FROM log_entries WHERE ${where}`,
    params,
  );
  return { rows: Number(result[0]?.['rows_']), distinct: Number(result[0]?.['distinct_']) };
}

export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
