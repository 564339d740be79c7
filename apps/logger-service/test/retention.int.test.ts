/** The retention sweep deletes what is past LOG_RETENTION_DAYS, in bounded batches, and nothing newer. */
import { createLogger } from '@addispay/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLogEntries } from '../src/log-store.js';
import { startRetention } from '../src/retention.js';
import { countRows, logEntry, startLogSuite, waitFor, type LogSuite } from './support.js';

describe('log retention', () => {
  let suite: LogSuite;
  beforeAll(async () => {
    suite = await startLogSuite('log_retention');
  });
  afterAll(async () => {
    await suite?.close();
  });

  it('deletes entries older than the retention period in batches, keeping newer ones', async () => {
    const now = new Date('2030-06-10T12:00:00Z');
    const day = 86_400_000;
    const old = Array.from({ length: 25 }, (_, index) =>
      logEntry({ time: new Date(now.getTime() - 8 * day - index * 1000) }),
    );
    const recent = Array.from({ length: 5 }, (_, index) =>
      logEntry({ time: new Date(now.getTime() - 6 * day + index * 1000) }),
    );
    expect(await insertLogEntries(suite.db.pool, [...old, ...recent])).toBe(30);

    const stop = startRetention({
      pool: suite.db.pool,
      logger: createLogger({ service: 'logger-service', level: 'warn' }),
      retentionDays: 7,
      intervalMs: 60_000,
      batchSize: 10,
      now: () => now,
    });
    await waitFor(
      () => countRows(suite.db),
      (count) => count.rows === 5,
      'the five recent entries left',
    );
    await stop();
    expect((await countRows(suite.db, 'logged_at >= ?', [new Date(now.getTime() - 7 * day)])).rows).toBe(5);
  });
});
