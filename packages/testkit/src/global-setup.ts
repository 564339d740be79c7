/**
 * vitest globalSetup: makes sure the local MariaDB is running (scripts/mariadb.sh start is idempotent) and puts
 * its DSNs in the environment the test workers inherit. With ADMIN_MYSQL_DSN already set (an external server),
 * it starts nothing. The server is left running afterwards: the next run reuses it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { databaseEnv, repositoryRoot } from './database.js';

export default function setup(): void {
  if (process.env['ADMIN_MYSQL_DSN'] !== undefined) return;
  execFileSync('bash', [join(repositoryRoot(), 'scripts', 'mariadb.sh'), 'start'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (const [name, value] of Object.entries(databaseEnv())) process.env[name] ??= value;
}
