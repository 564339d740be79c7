/**
 * MariaDB's commit rate for small single-row transactions (BEGIN; INSERT; COMMIT) with the platform's durability
 * settings (innodb_flush_log_at_trx_commit=1), on a scratch table in a fresh test database, over a few concurrent
 * connections, the way the services' pools commit.
 *
 *   node --conditions=development --import tsx bench/limits/mariadb-commits.ts [--commits 5000] [--connections 8]
 *
 * Prints one JSON line: commits_per_s and the commit latency percentiles.
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createPool } from '@addispay/mysql';
import { createTestDatabase } from '@addispay/testkit';
import { summarize } from '../stats.js';

export interface CommitLimit {
  readonly commits: number;
  readonly connections: number;
  readonly commits_per_s: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
}

export async function measureCommitRate(commits: number, connections: number): Promise<CommitLimit> {
  const db = await createTestDatabase({ label: 'bench_commits' });
  const pool = createPool(db.adminDsn, { connectionLimit: connections });
  try {
    await pool.query(
      'CREATE TABLE scratch (id CHAR(36) PRIMARY KEY, amount_minor BIGINT NOT NULL, created_at DATETIME(3) NOT NULL) ENGINE=InnoDB',
    );
    const latencies: number[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      const connection = await pool.getConnection();
      try {
        while (next++ < commits) {
          const started = performance.now();
          await connection.beginTransaction();
          await connection.execute('INSERT INTO scratch (id, amount_minor, created_at) VALUES (?, ?, ?)', [
            randomUUID(),
            1250,
            new Date(),
          ]);
          await connection.commit();
          latencies.push(performance.now() - started);
        }
      } finally {
        connection.release();
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: connections }, worker));
    const seconds = (performance.now() - started) / 1000;
    const { p50_ms, p99_ms } = summarize(latencies);
    return { commits, connections, commits_per_s: Math.round(latencies.length / seconds), p50_ms, p99_ms };
  } finally {
    await pool.end();
    await db.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { commits: { type: 'string', default: '5000' }, connections: { type: 'string', default: '8' } },
  });
  console.log(JSON.stringify(await measureCommitRate(Number(values.commits), Number(values.connections))));
}
