import mysql from 'mysql2/promise';
import type { Pool } from 'mysql2/promise';
import { connectionOptions } from './dsn.js';
import { observePool } from './metrics.js';

export interface CreatePoolOptions {
  /** Connections kept at most; a service on a small node rarely needs more than the default 10. */
  readonly connectionLimit?: number;
  /** Milliseconds to wait for a TCP connection before failing (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** CA for DSNs that name none (MYSQL_SSL_CA); see `connectionOptions`. */
  readonly sslCaFile?: string | undefined;
}

/** A mysql2/promise pool for a `mysql://` DSN, with the type mapping described in `connectionOptions`. */
export function createPool(dsn: string, options: CreatePoolOptions = {}): Pool {
  const pool = mysql.createPool({
    ...connectionOptions(dsn, { sslCaFile: options.sslCaFile }),
    connectionLimit: options.connectionLimit ?? 10,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    waitForConnections: true,
    queueLimit: 0,
    enableKeepAlive: true,
    keepAliveInitialDelay: 10_000,
    // No stack captured on every query for the case it fails: that was 4 % of a busy service's CPU.
    trace: false,
  });
  // READ COMMITTED takes no gap locks: the outbox relay's `FOR UPDATE SKIP LOCKED` scan then never blocks the
  // inserts of concurrent orders at the end of the table, and row locks are all the services rely on.
  pool.on('connection', (connection) => {
    connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  });
  observePool(pool);
  return pool;
}
