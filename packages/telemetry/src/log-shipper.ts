import { randomUUID } from 'node:crypto';
import { eventsV1 } from '@addispay/api';
import { backoffDelay, sleep, type BackoffPolicy } from '@addispay/runtime';
import { Counter } from 'prom-client';
import { LOCAL_ONLY, logEntryFromLine } from './log-entry.js';
import { metricsRegistry } from './ops-server.js';

/** The producer on the `logs` topic, as the Pulsar transport's Producer has it (telemetry cannot import pulsar). */
export interface LogSink {
  send(message: { readonly key: string; readonly payload: Uint8Array }): Promise<void>;
  close(): Promise<void>;
}

export interface LogShipperOptions {
  /** Names lines that carry no `service` field. */
  readonly service: string;
  /** Lines held while the broker is slow or away; beyond this, new lines are dropped and counted. */
  readonly capacity?: number;
  /** Lines sent together, as one message. */
  readonly batchSize?: number;
  /** How long a line may wait for its batch to fill. */
  readonly flushIntervalMs?: number;
  readonly backoff?: BackoffPolicy;
}

export interface ShipperConnection {
  /** Opens the producer on the logs topic; called again after it fails. */
  readonly open: () => Promise<LogSink>;
  /** Told once, when shipping works again, how many lines were dropped meanwhile. */
  readonly logger: { warn(details: object, message: string): void };
}

const droppedEntries = new Counter({
  name: 'addispay_log_entries_dropped_total',
  help: 'Log lines not shipped to the logs topic: buffer full while the broker was unreachable, or left at shutdown.',
  registers: [metricsRegistry],
});
const shippedEntries = new Counter({
  name: 'addispay_log_entries_shipped_total',
  help: 'Log lines the broker stored on the logs topic.',
  registers: [metricsRegistry],
});

/**
 * Characters of JSON lines per message: at most 3 bytes each in UTF-8, so a message stays well under the broker's
 * 5 MB default limit.
 */
const MAX_MESSAGE_CHARS = 1_000_000;

interface PendingLine {
  /** Assigned once, so a line re-sent after an unknown outcome is stored once (the logger service dedupes). */
  readonly entryId: string;
  readonly line: string;
}

/**
 * A pino destination that ships every line to the `logs` topic: `write` only appends to a bounded buffer, and a
 * background loop sends the lines in batches of one LogBatch message each, so logging never waits for, or fails
 * because of, the broker.
 */
export class LogShipper {
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private queue: PendingLine[] = [];
  private droppedSinceReport = 0;
  private droppedCount = 0;
  private closing = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private sink: LogSink | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly options: LogShipperOptions) {
    this.capacity = options.capacity ?? 10_000;
    this.batchSize = options.batchSize ?? 500;
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
  }

  /** Lines dropped so far by this shipper (the process-wide total is addispay_log_entries_dropped_total). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Lines waiting to be shipped. */
  get buffered(): number {
    return this.queue.length;
  }

  write(line: string): void {
    if (this.closing || line.includes(`"${LOCAL_ONLY}":true`)) return;
    if (this.queue.length >= this.capacity) return this.drop(1);
    this.queue.push({ entryId: randomUUID(), line });
    if (this.queue.length === this.batchSize) this.wake?.();
  }

  /** Starts shipping what was buffered so far and everything after. */
  start(connection: ShipperConnection): void {
    if (this.loop || this.closing) return;
    this.loop = this.run(connection).catch(() => undefined);
  }

  /** Ships what is buffered for up to `timeoutMs`, drops the rest (counted), and closes the producer. */
  async close(timeoutMs = 3_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.loop ?? Promise.resolve(), deadline]);
    clearTimeout(timer);
    this.stopped = true;
    this.abort.abort();
    this.drop(this.queue.length);
    this.queue = [];
    await this.sink?.close().catch(() => undefined);
  }

  private async run(connection: ShipperConnection): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      if (this.queue.length < this.batchSize && !this.closing) await this.waitForLines();
      if (this.queue.length === 0) {
        if (this.closing) return;
        continue;
      }
      if (await this.shipBatch(connection)) {
        failures = 0;
        this.reportDrops(connection);
      } else {
        await sleep(
          backoffDelay(failures++, this.options.backoff ?? { initialMs: 200, maxMs: 5_000 }),
          this.abort.signal,
        );
      }
    }
  }

  /** Sends the oldest lines as one message; false when the broker did not take it (the lines are kept). */
  private async shipBatch(connection: ShipperConnection): Promise<boolean> {
    try {
      this.sink ??= await connection.open();
    } catch {
      return false;
    }
    const batch = this.takeBatch();
    const entries = batch.flatMap(
      (pending) => logEntryFromLine(pending.line, pending.entryId, this.options.service) ?? [],
    );
    try {
      if (entries.length > 0) {
        const payload = eventsV1.LogBatch.encode({ entries }).finish();
        await this.sink.send({ key: entries[0]!.entryId, payload });
      }
      shippedEntries.inc(entries.length);
      return true;
    } catch {
      // The batch goes back in front of newer lines, as far as the buffer has room.
      const room = Math.max(0, this.capacity - this.queue.length);
      this.queue.unshift(...batch.slice(0, room));
      this.drop(batch.length - Math.min(room, batch.length));
      return false;
    }
  }

  /** Up to `batchSize` lines, and no more characters than fit in one broker message with room to spare. */
  private takeBatch(): PendingLine[] {
    let count = 0;
    let chars = 0;
    while (count < this.queue.length && count < this.batchSize) {
      chars += this.queue[count]!.line.length;
      if (count > 0 && chars > MAX_MESSAGE_CHARS) break;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private reportDrops(connection: ShipperConnection): void {
    if (this.droppedSinceReport === 0) return;
    const droppedEntriesCount = this.droppedSinceReport;
    this.droppedSinceReport = 0;
    connection.logger.warn(
      { droppedEntries: droppedEntriesCount },
      `log shipping resumed; ${droppedEntriesCount} log entries were dropped while the broker was unreachable`,
    );
  }

  private drop(count: number): void {
    if (count <= 0) return;
    this.droppedCount += count;
    this.droppedSinceReport += count;
    droppedEntries.inc(count);
  }

  private waitForLines(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.flushIntervalMs);
      timer.unref();
      this.wake = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
