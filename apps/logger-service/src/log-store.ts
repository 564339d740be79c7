import { eventsV1 } from '@addispay/api';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

/** The log_entries table: batched idempotent inserts, QueryLogs' reads and the retention sweep. */

export interface LogQuery {
  readonly orderId: string;
  readonly traceId: string;
  readonly service: string;
  /** UNSPECIFIED: every level. */
  readonly minLevel: eventsV1.LogLevel;
  readonly since: Date | undefined;
  readonly limit: number;
}

const COLUMNS = 'entry_id, logged_at, service, level, message, trace_id, span_id, order_id, attributes_json';

/** One multi-row INSERT; an entry_id already stored (a redelivery) is skipped. Returns the rows added. */
export async function insertLogEntries(pool: Pool, entries: readonly eventsV1.LogEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const rows = entries.map((entry) => [
    entry.entryId,
    entry.time ?? new Date(),
    entry.service,
    Math.max(0, entry.level),
    entry.message,
    entry.traceId,
    entry.spanId,
    entry.orderId,
    entry.attributesJson,
  ]);
  const [result] = await pool.query<ResultSetHeader>(
    `INSERT INTO log_entries (${COLUMNS}) VALUES ? ON DUPLICATE KEY UPDATE entry_id = entry_id`,
    [rows],
  );
  return result.affectedRows;
}

interface LogRow extends RowDataPacket {
  entry_id: string;
  logged_at: Date;
  service: string;
  level: number;
  message: string;
  trace_id: string;
  span_id: string;
  order_id: string;
  attributes_json: string;
}

/** Matching entries, oldest first (ties in insertion order). */
export async function queryLogEntries(pool: Pool, query: LogQuery): Promise<eventsV1.LogEntry[]> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const where = (condition: string, value: unknown): void => {
    conditions.push(condition);
    params.push(value);
  };
  if (query.orderId !== '') where('order_id = ?', query.orderId);
  if (query.traceId !== '') where('trace_id = ?', query.traceId);
  if (query.service !== '') where('service = ?', query.service);
  if (query.minLevel > eventsV1.LogLevel.LOG_LEVEL_UNSPECIFIED) where('level >= ?', query.minLevel);
  if (query.since) where('logged_at >= ?', query.since);
  const filter = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  const [rows] = await pool.query<LogRow[]>(
    `SELECT ${COLUMNS} FROM log_entries ${filter} ORDER BY logged_at, id LIMIT ?`,
    [...params, query.limit],
  );
  return rows.map((row) => ({
    entryId: row.entry_id,
    service: row.service,
    level: Number(row.level) as eventsV1.LogLevel,
    message: row.message,
    time: row.logged_at,
    traceId: row.trace_id,
    spanId: row.span_id,
    orderId: row.order_id,
    attributesJson: row.attributes_json,
  }));
}

/** Deletes entries logged before `cutoff`, `batchSize` rows per statement so no DELETE holds locks for long. */
export async function deleteLogEntriesBefore(pool: Pool, cutoff: Date, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const [result] = await pool.query<ResultSetHeader>(
      'DELETE FROM log_entries WHERE logged_at < ? ORDER BY logged_at LIMIT ?',
      [cutoff, batchSize],
    );
    total += result.affectedRows;
    if (result.affectedRows < batchSize) return total;
  }
}
