/**
 * vitest globalSetup: makes sure the local MariaDB and Pulsar broker are running (both start scripts are
 * idempotent) and puts the DSNs in the environment the test workers inherit. With ADMIN_MYSQL_DSN already set (an
 * external server), it starts no MariaDB; with PULSAR_ADMIN_URL set, no broker. Both are left running afterwards:
 * the next run reuses them, and `make down` stops them.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { databaseEnv, repositoryRoot } from './database.js';

function runScript(script: string, ...args: string[]): void {
  execFileSync('bash', [join(repositoryRoot(), 'scripts', script), ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

export default function setup(): void {
  if (process.env['PULSAR_ADMIN_URL'] === undefined) runScript('pulsar.sh', 'start');
  if (process.env['ADMIN_MYSQL_DSN'] !== undefined) return;
  runScript('mariadb.sh', 'start');
  for (const [name, value] of Object.entries(databaseEnv())) process.env[name] ??= value;
}
