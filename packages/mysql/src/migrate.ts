import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { connectionOptions, parseDsn } from './dsn.js';

/** One versioned migration file, `NNNN_description.sql`. */
export interface MigrationFile {
  readonly version: number;
  readonly fileName: string;
  /** sha256 of the file with line endings normalised to LF, so a checkout with CRLF does not look edited. */
  readonly checksum: string;
  readonly sql: string;
}

export interface MigrateOptions {
  /** Seconds to wait for another runner on the same database to finish (default 120). */
  readonly lockTimeoutSeconds?: number;
  /** Called after each file is applied and recorded. */
  readonly onApplied?: (file: MigrationFile, elapsedMs: number) => void;
  /** CA for a DSN that names none (MYSQL_SSL_CA); see `connectionOptions`. */
  readonly sslCaFile?: string | undefined;
}

export interface MigrateResult {
  /** File names applied by this run, in order. */
  readonly applied: readonly string[];
  /** Files that were already recorded as applied. */
  readonly alreadyApplied: number;
  /** Versions recorded in schema_migrations with no file in the directory (e.g. after rolling back a release). */
  readonly unknownVersions: readonly number[];
}

const FILE_PATTERN = /^(\d{4,})_([A-Za-z0-9_]+)\.sql$/;

/** Reads and validates the migration files of `dir`, sorted by version. Other files than `*.sql` are ignored. */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql'));
  const files: MigrationFile[] = [];
  for (const fileName of names) {
    const match = FILE_PATTERN.exec(fileName);
    if (match === null) {
      throw new Error(`migration file ${fileName} in ${dir} is not named NNNN_description.sql`);
    }
    const sql = (await readFile(join(dir, fileName), 'utf8')).replace(/\r\n/g, '\n');
    const checksum = createHash('sha256').update(sql).digest('hex');
    files.push({ version: Number(match[1]), fileName, checksum, sql });
  }
  files.sort((a, b) => a.version - b.version);
  for (let i = 1; i < files.length; i++) {
    const [previous, current] = [files[i - 1], files[i]];
    if (previous !== undefined && current !== undefined && previous.version === current.version) {
      throw new Error(`migrations ${previous.fileName} and ${current.fileName} share version ${current.version}`);
    }
  }
  return files;
}

/**
 * Applies the migrations of `dir` that the database named by `dsn` has not recorded yet, in version order, each
 * once. Runners serialise on a named lock, so concurrent Jobs or pods apply each file exactly once. A recorded file
 * whose content changed is an error, and so is a new file numbered below one already applied.
 *
 * Each file runs as one multi-statement query. MySQL commits DDL implicitly, so a file that fails half-way leaves
 * its earlier statements applied and is not recorded: prefer one DDL change per file.
 */
export async function migrate(dsn: string, dir: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const database = parseDsn(dsn).database;
  if (database === '')
    throw new Error('the migration DSN names no database: add /<database> to it (migrate-cli: or --database NAME)');
  const files = await readMigrations(dir);
  const connection = await mysql.createConnection({
    ...connectionOptions(dsn, { sslCaFile: options.sslCaFile }),
    multipleStatements: true,
  });
  try {
    await acquireLock(connection, lockName(database), options.lockTimeoutSeconds ?? 120);
    try {
      return await applyPending(connection, files, options);
    } finally {
      await connection.query('SELECT RELEASE_LOCK(?)', [lockName(database)]);
    }
  } finally {
    await connection.end();
  }
}

function lockName(database: string): string {
  const name = `schema_migrations:${database}`;
  // Lock names are limited to 64 characters.
  return name.length <= 64
    ? name
    : `schema_migrations:${createHash('sha256').update(database).digest('hex').slice(0, 40)}`;
}

async function acquireLock(connection: Connection, name: string, timeoutSeconds: number): Promise<void> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS acquired', [name, timeoutSeconds]);
  const acquired = rows[0]?.['acquired'] as bigint | number | null | undefined;
  if (acquired === undefined || acquired === null || Number(acquired) !== 1) {
    throw new Error(`another migration runner held the lock "${name}" for more than ${timeoutSeconds}s`);
  }
}

interface AppliedRow extends RowDataPacket {
  version: number;
  name: string;
  checksum: string;
}

async function applyPending(
  connection: Connection,
  files: readonly MigrationFile[],
  options: MigrateOptions,
): Promise<MigrateResult> {
  await connection.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INT UNSIGNED NOT NULL,
    name VARCHAR(255) NOT NULL,
    checksum CHAR(64) NOT NULL,
    applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (version)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  const [rows] = await connection.query<AppliedRow[]>('SELECT version, name, checksum FROM schema_migrations');
  const recorded = new Map(rows.map((row) => [Number(row.version), row]));
  const pending = checkRecorded(files, recorded);
  const highestApplied = Math.max(0, ...recorded.keys());
  const applied: string[] = [];
  for (const file of pending) {
    if (file.version < highestApplied) {
      throw new Error(
        `migration ${file.fileName} is new but version ${highestApplied} is already applied: renumber it`,
      );
    }
    const started = Date.now();
    await runFile(connection, file);
    await connection.query('INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)', [
      file.version,
      file.fileName,
      file.checksum,
    ]);
    applied.push(file.fileName);
    options.onApplied?.(file, Date.now() - started);
  }
  const known = new Set(files.map((file) => file.version));
  return {
    applied,
    alreadyApplied: files.length - pending.length,
    unknownVersions: [...recorded.keys()].filter((version) => !known.has(version)).sort((a, b) => a - b),
  };
}

/** Returns the files not yet recorded; throws if a recorded file was edited since it was applied. */
function checkRecorded(files: readonly MigrationFile[], recorded: ReadonlyMap<number, AppliedRow>): MigrationFile[] {
  const pending: MigrationFile[] = [];
  for (const file of files) {
    const row = recorded.get(file.version);
    if (row === undefined) {
      pending.push(file);
    } else if (row.checksum !== file.checksum) {
      throw new Error(
        `migration ${file.fileName} was changed after it was applied (as ${row.name}); ` +
          'add a new migration instead of editing an applied one',
      );
    }
  }
  return pending;
}

async function runFile(connection: Connection, file: MigrationFile): Promise<void> {
  try {
    await connection.query(file.sql);
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ER_EMPTY_QUERY') return;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${file.fileName} failed: ${message}`, { cause: error });
  }
}
