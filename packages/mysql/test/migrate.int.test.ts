import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, repositoryRoot } from '@addispay/testkit';
import type { TestDatabase } from '@addispay/testkit';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionOptions, migrate } from '../src/index.js';

const FIRST = 'CREATE TABLE accounts (id BIGINT NOT NULL PRIMARY KEY, balance BIGINT NOT NULL);\n';
// Each file depends on the one before it, so applying out of order fails.
const SECOND = `ALTER TABLE accounts ADD COLUMN currency CHAR(3) NOT NULL DEFAULT 'ETB';
INSERT INTO accounts (id, balance, currency) VALUES (1, 9007199254740993, 'USD');\n`;
const THIRD = `-- several statements, one with a semicolon inside a string
CREATE TABLE notes (id INT NOT NULL PRIMARY KEY, body VARCHAR(100) NOT NULL);
INSERT INTO notes (id, body) VALUES (1, 'a; b'), (2, (SELECT currency FROM accounts WHERE id = 1));\n`;

let db: TestDatabase;
let dir: string;

async function writeMigrations(files: Record<string, string>): Promise<void> {
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
}

async function query<T extends RowDataPacket>(sql: string): Promise<T[]> {
  const connection = await mysql.createConnection(connectionOptions(db.adminDsn));
  try {
    const [rows] = await connection.query<T[]>(sql);
    return rows;
  } finally {
    await connection.end();
  }
}

const recordedVersions = async () =>
  (await query('SELECT version FROM schema_migrations ORDER BY version')).map((row) => row['version'] as number);

beforeEach(async () => {
  db = await createTestDatabase({ label: 'migrate' });
  dir = await mkdtemp(join(tmpdir(), 'addispay-migrations-'));
});

afterEach(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('migrate', () => {
  it('applies every file once, in version order, and records version, name, checksum and time', async () => {
    await writeMigrations({ '0010_notes.sql': THIRD, '0002_currency.sql': SECOND, '0001_accounts.sql': FIRST });

    const result = await migrate(db.adminDsn, dir);

    expect(result.applied).toEqual(['0001_accounts.sql', '0002_currency.sql', '0010_notes.sql']);
    const rows = await query('SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version');
    expect(rows.map((row) => [row['version'], row['name']])).toEqual([
      [1, '0001_accounts.sql'],
      [2, '0002_currency.sql'],
      [10, '0010_notes.sql'],
    ]);
    for (const row of rows) {
      expect(row['checksum']).toMatch(/^[0-9a-f]{64}$/);
      expect(row['applied_at']).toBeInstanceOf(Date);
    }
    expect(await query('SELECT body FROM notes ORDER BY id')).toEqual([{ body: 'a; b' }, { body: 'USD' }]);
  });

  it('does nothing on a second run, then applies only the files added since', async () => {
    await writeMigrations({ '0001_accounts.sql': FIRST, '0002_currency.sql': SECOND });
    await migrate(db.adminDsn, dir);

    const again = await migrate(db.adminDsn, dir);
    expect(again).toEqual({ applied: [], alreadyApplied: 2, unknownVersions: [] });
    expect(await query('SELECT COUNT(*) AS n FROM accounts')).toEqual([{ n: 1n }]);

    await writeMigrations({ '0003_notes.sql': THIRD });
    const third = await migrate(db.adminDsn, dir);
    expect(third.applied).toEqual(['0003_notes.sql']);
    expect(await recordedVersions()).toEqual([1, 2, 3]);
  });

  it('refuses to run when an applied file was edited, and applies nothing else', async () => {
    await writeMigrations({ '0001_accounts.sql': FIRST });
    await migrate(db.adminDsn, dir);

    await writeMigrations({ '0001_accounts.sql': FIRST.replace('BIGINT NOT NULL)', 'BIGINT NULL)') });
    await writeMigrations({ '0002_currency.sql': SECOND });

    await expect(migrate(db.adminDsn, dir)).rejects.toThrow(/0001_accounts\.sql was changed after it was applied/);
    expect(await recordedVersions()).toEqual([1]);
  });

  it('treats CRLF line endings as the same file', async () => {
    await writeMigrations({ '0001_accounts.sql': FIRST });
    await migrate(db.adminDsn, dir);
    await writeMigrations({ '0001_accounts.sql': FIRST.replace(/\n/g, '\r\n') });

    await expect(migrate(db.adminDsn, dir)).resolves.toMatchObject({ applied: [], alreadyApplied: 1 });
  });

  it('lets concurrent runners apply each file exactly once', async () => {
    await writeMigrations({
      '0001_accounts.sql': FIRST,
      // Slow enough that the runners overlap: without the lock the others would re-run CREATE TABLE and fail.
      '0002_currency.sql': `DO SLEEP(0.5);\n${SECOND}`,
      '0003_notes.sql': THIRD,
    });

    const results = await Promise.all([1, 2, 3].map(() => migrate(db.adminDsn, dir)));

    expect(results.flatMap((result) => result.applied).sort()).toEqual([
      '0001_accounts.sql',
      '0002_currency.sql',
      '0003_notes.sql',
    ]);
    expect(results.filter((result) => result.applied.length === 3)).toHaveLength(1);
    expect(await recordedVersions()).toEqual([1, 2, 3]);
    expect(await query('SELECT COUNT(*) AS n FROM notes')).toEqual([{ n: 2n }]);
  });

  it('refuses a new file numbered below one already applied', async () => {
    await writeMigrations({ '0001_accounts.sql': FIRST, '0003_notes.sql': THIRD.replace(/, \(2.*\)\)/, '') });
    await migrate(db.adminDsn, dir);
    await writeMigrations({ '0002_currency.sql': SECOND });

    await expect(migrate(db.adminDsn, dir)).rejects.toThrow(/0002_currency\.sql is new but version 3/);
  });

  it('reports a failing statement with the file name and does not record the file', async () => {
    await writeMigrations({ '0001_accounts.sql': FIRST, '0002_broken.sql': 'ALTER TABLE missing ADD COLUMN x INT;' });

    await expect(migrate(db.adminDsn, dir)).rejects.toThrow(/migration 0002_broken\.sql failed: .*missing/);
    expect(await recordedVersions()).toEqual([1]);
  });

  it('rejects files that are not named NNNN_description.sql', async () => {
    await writeMigrations({ '1_accounts.sql': FIRST });

    await expect(migrate(db.adminDsn, dir)).rejects.toThrow(/1_accounts\.sql .* is not named NNNN_description\.sql/);
  });

  it('runs from the command line with --dsn and --dir, as the Kubernetes Job does', async () => {
    await writeMigrations({ '0001_accounts.sql': FIRST });
    const root = repositoryRoot();
    const { stdout } = await promisify(execFile)(
      join(root, 'node_modules', '.bin', 'tsx'),
      [join(root, 'packages', 'mysql', 'src', 'migrate-cli.ts'), '--dsn', db.adminDsn, '--dir', dir],
      { cwd: root },
    );

    expect(stdout).toContain('applied 0001_accounts.sql');
    expect(stdout).toContain('(1 applied now, 0 before)');
    expect(stdout).not.toContain(new URL(db.adminDsn).password);
    expect(await recordedVersions()).toEqual([1]);
  });
});
