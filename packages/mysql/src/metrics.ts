import { metricsRegistry } from '@addispay/telemetry';
import type { Pool } from 'mysql2/promise';
import { Counter, Gauge, Histogram } from 'prom-client';

/**
 * MySQL as the services use it: pool use, transaction latency, the outbox's backlog. Gauges are read when
 * Prometheus scrapes, from the pools and relays of this process. `database` is the schema the pool opens.
 */

/** What mysql2's pool keeps inside (not in its typings): read-only, for gauges. */
interface PoolInternals {
  readonly pool?: {
    readonly _closed?: boolean;
    readonly _allConnections?: { readonly length: number };
    readonly _freeConnections?: { readonly length: number };
    readonly _connectionQueue?: { readonly length: number };
    readonly config?: { readonly connectionLimit?: number; readonly connectionConfig?: { readonly database?: string } };
  };
}

const pools = new Set<Pool>();

export function databaseLabel(pool: Pool): string {
  return (pool as unknown as PoolInternals).pool?.config?.connectionConfig?.database ?? '';
}

/** Counts `pool` in the pool gauges until it is ended. */
export function observePool(pool: Pool): void {
  pools.add(pool);
}

function eachOpenPool(fn: (internals: NonNullable<PoolInternals['pool']>, database: string) => void): void {
  for (const pool of pools) {
    const internals = (pool as unknown as PoolInternals).pool;
    if (!internals || internals._closed) {
      pools.delete(pool);
      continue;
    }
    fn(internals, databaseLabel(pool));
  }
}

new Gauge({
  name: 'addispay_mysql_pool_connections',
  help: 'Pooled connections by state: busy (lent out) or idle.',
  labelNames: ['database', 'state'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    eachOpenPool((internals, database) => {
      const all = internals._allConnections?.length ?? 0;
      const idle = internals._freeConnections?.length ?? 0;
      this.inc({ database, state: 'busy' }, all - idle);
      this.inc({ database, state: 'idle' }, idle);
    });
  },
});
new Gauge({
  name: 'addispay_mysql_pool_max_connections',
  help: 'The most connections the pool opens (connectionLimit).',
  labelNames: ['database'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    eachOpenPool((internals, database) => this.inc({ database }, internals.config?.connectionLimit ?? 0));
  },
});
new Gauge({
  name: 'addispay_mysql_pool_waiting_requests',
  help: 'Requests waiting for a pooled connection: the pool is exhausted.',
  labelNames: ['database'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    eachOpenPool((internals, database) => this.inc({ database }, internals._connectionQueue?.length ?? 0));
  },
});

const acquireDuration = new Histogram({
  name: 'addispay_mysql_pool_acquire_duration_seconds',
  help: 'Time to get a connection from the pool for a transaction.',
  labelNames: ['database'],
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  registers: [metricsRegistry],
});
const transactionDuration = new Histogram({
  name: 'addispay_mysql_transaction_duration_seconds',
  help: 'Time of one transaction attempt, from BEGIN to COMMIT or ROLLBACK, by outcome.',
  labelNames: ['database', 'outcome'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export function recordAcquire(pool: Pool, seconds: number): void {
  acquireDuration.observe({ database: databaseLabel(pool) }, seconds);
}

export function recordTransaction(pool: Pool, outcome: 'commit' | 'rollback', seconds: number): void {
  transactionDuration.observe({ database: databaseLabel(pool), outcome }, seconds);
}

/** What an outbox relay tells the gauges on each scrape (see OutboxRelay.backlog). */
export interface BacklogSource {
  readonly database: string;
  backlog(): Promise<{ count: number; oldestAgeSeconds: number }>;
}

const relays = new Set<BacklogSource>();

export function observeOutbox(source: BacklogSource): () => void {
  relays.add(source);
  return () => relays.delete(source);
}

/** One COUNT/MIN query per relay and scrape, shared by both gauges. */
async function readBacklogs(): Promise<Map<string, { count: number; oldestAgeSeconds: number }>> {
  const entries = await Promise.all(
    [...relays].map(async (relay) => [relay.database, await relay.backlog().catch(() => undefined)] as const),
  );
  const result = new Map<string, { count: number; oldestAgeSeconds: number }>();
  for (const [database, backlog] of entries) if (backlog) result.set(database, backlog);
  return result;
}

let pendingRead: Promise<Map<string, { count: number; oldestAgeSeconds: number }>> | undefined;
function backlogsForThisScrape(): Promise<Map<string, { count: number; oldestAgeSeconds: number }>> {
  pendingRead ??= readBacklogs().finally(() => setImmediate(() => (pendingRead = undefined)));
  return pendingRead;
}

new Gauge({
  name: 'addispay_outbox_backlog_messages',
  help: 'Events committed to the outbox and not yet published.',
  labelNames: ['database'],
  registers: [metricsRegistry],
  async collect() {
    const backlogs = await backlogsForThisScrape();
    this.reset();
    for (const [database, backlog] of backlogs) this.set({ database }, backlog.count);
  },
});
new Gauge({
  name: 'addispay_outbox_oldest_age_seconds',
  help: 'Age of the oldest unpublished outbox event (0 when empty): how late events reach the broker.',
  labelNames: ['database'],
  registers: [metricsRegistry],
  async collect() {
    const backlogs = await backlogsForThisScrape();
    this.reset();
    for (const [database, backlog] of backlogs) this.set({ database }, backlog.oldestAgeSeconds);
  },
});

const outboxPublished = new Counter({
  name: 'addispay_outbox_published_total',
  help: 'Outbox events the relay published and deleted, by topic.',
  labelNames: ['topic'],
  registers: [metricsRegistry],
});

export function recordOutboxPublished(topics: readonly string[]): void {
  for (const topic of topics) outboxPublished.inc({ topic });
}
