import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { connectionOptions, createPool, migrate, withDatabase } from '@addispay/mysql';
import mysql from 'mysql2/promise';
import type { Pool } from 'mysql2/promise';

/** Variables printed by `scripts/mariadb.sh env`, which this harness reads when they are not in the environment. */
export type DatabaseEnv = Readonly<Record<string, string>>;

let cachedEnv: DatabaseEnv | undefined;

/** The repository root: the nearest ancestor of this file that holds scripts/mariadb.sh. */
export function repositoryRoot(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts', 'mariadb.sh'))) return dir;
    if (dirname(dir) === dir) throw new Error('scripts/mariadb.sh not found above ' + import.meta.dirname);
  }
}

/**
 * The DSNs of the local MariaDB: taken from the environment when ADMIN_MYSQL_DSN is set there (CI or an external
 * server), otherwise from `scripts/mariadb.sh env` (which needs `scripts/mariadb.sh start` to have run once).
 */
export function databaseEnv(): DatabaseEnv {
  if (process.env['ADMIN_MYSQL_DSN'] !== undefined) return process.env as Record<string, string>;
  cachedEnv ??= readMariadbEnv();
  return cachedEnv;
}

function readMariadbEnv(): DatabaseEnv {
  let output: string;
  try {
    output = execFileSync('bash', [join(repositoryRoot(), 'scripts', 'mariadb.sh'), 'env'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`ADMIN_MYSQL_DSN is not set and scripts/mariadb.sh env failed: ${stderr.trim()}`);
  }
  const env: Record<string, string> = {};
  for (const match of output.matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined) env[name] = value;
  }
  return env;
}

export interface CreateTestDatabaseOptions {
  /** Migrations to apply (`NNNN_description.sql`); without it the database starts empty. */
  readonly migrationsDir?: string;
  /** A word in the database's name, to tell suites apart when debugging (letters, digits, underscores). */
  readonly label?: string;
  /** Also open a pool on `dsn` (closed by `drop`). */
  readonly pool?: boolean;
}

export interface TestDatabase {
  readonly name: string;
  /** DML only, like a service's user (TEST_MYSQL_DSN's user, or the admin where that is not configured). */
  readonly dsn: string;
  /** DDL and DML on this database only: for migrations and for setting up fixtures a service could not. */
  readonly adminDsn: string;
  readonly pool?: Pool;
  /** Drops the database and closes the pool; safe to call twice. */
  drop(): Promise<void>;
}

/**
 * A fresh database named `test_<label>_<random>`, migrated, so suites and parallel runs never share state. The
 * admin account may only create, use and drop databases named `test_%`; the service-like account
 * (`addispay_test`) has SELECT/INSERT/UPDATE/DELETE on those databases through one wildcard grant.
 */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const env = databaseEnv();
  const admin = env['ADMIN_MYSQL_DSN'];
  if (admin === undefined || admin === '') throw new Error('ADMIN_MYSQL_DSN is empty');
  const label = (options.label ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  const name = ['test', label, randomBytes(6).toString('hex')].filter(Boolean).join('_');
  await adminQuery(admin, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const adminDsn = withDatabase(admin, name);
  const dsn = withDatabase(env['TEST_MYSQL_DSN'] || admin, name);
  let pool: Pool | undefined;
  let dropped = false;
  const drop = async (): Promise<void> => {
    if (dropped) return;
    dropped = true;
    await pool?.end();
    await adminQuery(admin, `DROP DATABASE IF EXISTS \`${name}\``);
  };
  try {
    if (options.migrationsDir !== undefined) await migrate(adminDsn, options.migrationsDir);
    if (options.pool === true) pool = createPool(dsn, { connectionLimit: 5 });
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, dsn, adminDsn, ...(pool === undefined ? {} : { pool }), drop };
}

async function adminQuery(adminDsn: string, sql: string): Promise<void> {
  const connection = await mysql.createConnection(connectionOptions(adminDsn));
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}
