/**
 * Applies a service's migrations; the entry point of the Kubernetes migration Job and of `make migrate`.
 *   tsx packages/mysql/src/migrate-cli.ts --dsn "$ORDER_MIGRATOR_MYSQL_DSN" --dir apps/order-service/migrations
 * Also reads MYSQL_DSN, MIGRATIONS_DIR and MYSQL_SSL_CA (CA file for a DSN without ssl-ca); --database overrides
 * the DSN's database.
 */
import { parseArgs } from 'node:util';
import { redactDsn, withDatabase } from './dsn.js';
import { migrate } from './migrate.js';

const USAGE = `Usage: migrate-cli --dsn mysql://user:password@host:port/db --dir DIR [--database NAME]
  --dsn       migrator DSN (default: $MYSQL_DSN)
  --dir       directory of NNNN_description.sql files (default: $MIGRATIONS_DIR)
  --database  database to migrate, replacing the one in the DSN
  --lock-timeout  seconds to wait for another runner (default 120)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      dsn: { type: 'string' },
      dir: { type: 'string' },
      database: { type: 'string' },
      'lock-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  const baseDsn = values.dsn ?? process.env['MYSQL_DSN'];
  const dir = values.dir ?? process.env['MIGRATIONS_DIR'];
  const lockTimeoutSeconds = Number(values['lock-timeout'] ?? '120');
  if (baseDsn === undefined || baseDsn === '' || dir === undefined || dir === '' || !(lockTimeoutSeconds > 0)) {
    console.error(`migrate: need --dsn (or MYSQL_DSN) and --dir (or MIGRATIONS_DIR)\n${USAGE}`);
    return 2;
  }
  const dsn = values.database === undefined ? baseDsn : withDatabase(baseDsn, values.database);
  const result = await migrate(dsn, dir, {
    lockTimeoutSeconds,
    sslCaFile: process.env['MYSQL_SSL_CA'] || undefined,
    onApplied: (file, elapsedMs) => console.log(`migrate: applied ${file.fileName} (${elapsedMs} ms)`),
  });
  if (result.unknownVersions.length > 0) {
    console.warn(`migrate: versions ${result.unknownVersions.join(', ')} are applied but have no file in ${dir}`);
  }
  console.log(
    `migrate: ${redactDsn(dsn)} is up to date (${result.applied.length} applied now, ${result.alreadyApplied} before)`,
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
