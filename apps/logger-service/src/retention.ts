import type { Logger } from '@addispay/telemetry';
import type { Pool } from 'mysql2/promise';
import { deleteLogEntriesBefore } from './log-store.js';

export interface RetentionOptions {
  readonly pool: Pool;
  readonly logger: Logger;
  readonly retentionDays: number;
  readonly intervalMs: number;
  readonly batchSize: number;
  readonly now?: () => Date;
}

/** Deletes entries older than the retention period now and every `intervalMs`; returns a stop function. */
export function startRetention(options: RetentionOptions): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const sweep = (): void => {
    running = running.then(async () => {
      const cutoff = new Date((options.now ?? (() => new Date()))().getTime() - options.retentionDays * 86_400_000);
      try {
        const deleted = await deleteLogEntriesBefore(options.pool, cutoff, options.batchSize);
        if (deleted > 0)
          options.logger.info({ deleted, cutoff: cutoff.toISOString() }, 'deleted log entries past retention');
      } catch (error) {
        options.logger.error({ err: error }, 'log retention sweep failed; will retry at the next interval');
      }
    });
  };
  sweep();
  const timer = setInterval(sweep, options.intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
