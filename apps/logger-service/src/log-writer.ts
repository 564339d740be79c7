import type { eventsV1 } from '@addispay/api';
import type { Pool } from 'mysql2/promise';
import { insertLogEntries } from './log-store.js';

export interface LogWriterOptions {
  readonly pool: Pool;
  /** How long the first entry of a batch waits for others. */
  readonly lingerMs: number;
  readonly batchSize: number;
  readonly onStored?: (added: number, batch: number) => void;
}

interface Waiting {
  readonly entry: eventsV1.LogEntry;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Groups entries written within `lingerMs` of each other into one multi-row INSERT. Each `write` resolves once
 * its row is committed, so the consumer acknowledges a message only after its entry is stored.
 */
export class LogWriter {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LogWriterOptions) {}

  write(entry: eventsV1.LogEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      if (this.waiting.length >= this.options.batchSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting.splice(0, this.options.batchSize);
    if (this.waiting.length > 0) this.timer = setTimeout(() => this.flush(), this.options.lingerMs);
    if (batch.length === 0) return;
    insertLogEntries(
      this.options.pool,
      batch.map((waiting) => waiting.entry),
    ).then(
      (added) => {
        this.options.onStored?.(added, batch.length);
        for (const waiting of batch) waiting.resolve();
      },
      (error: unknown) => {
        for (const waiting of batch) waiting.reject(error);
      },
    );
  }
}
