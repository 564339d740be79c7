import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool } from '@addispay/mysql';
import { createTestDatabase, repositoryRoot, startService, type RunningService } from '@addispay/testkit';
import type { Pool } from 'mysql2/promise';
import { startPlatform, type PlatformOptions, type TestPlatform } from '../e2e/platform.js';

/** The e2e platform (order and payment services) plus a logger service on the same topics, its own database. */
export interface SecurityPlatform {
  readonly platform: TestPlatform;
  readonly loggerService: RunningService;
  readonly logsDb: Pool;
  close(): Promise<void>;
}

export async function startSecurityPlatform(
  options: PlatformOptions & { readonly logger?: Record<string, string> } = {},
): Promise<SecurityPlatform> {
  const platform = await startPlatform(options);
  const logs = await createTestDatabase({
    label: 'logs',
    migrationsDir: join(repositoryRoot(), 'apps/logger-service/migrations'),
  });
  const { PULSAR_URL, PULSAR_TRANSPORT, PULSAR_TOPIC_SUFFIX } = platform.orderEnv;
  const common = { PULSAR_URL, PULSAR_TRANSPORT, PULSAR_TOPIC_SUFFIX } as Record<string, string>;
  const loggerService = await startService('logger-service', { ...common, ...options.logger, MYSQL_DSN: logs.dsn });
  const logsDb = createPool(logs.adminDsn);
  return {
    platform,
    loggerService,
    logsDb,
    close: async () => {
      await loggerService.stop().catch(() => {});
      await platform.close();
      await logsDb.end();
      await logs.drop();
    },
  };
}

/** Alive means: the process exists and its readiness endpoint answers 200. */
export async function isHealthy(service: RunningService): Promise<boolean> {
  try {
    process.kill(service.pid, 0);
  } catch {
    return false;
  }
  const response = await fetch(`http://127.0.0.1:${service.metricsPort}/readyz`).catch(() => undefined);
  return response?.ok === true;
}

export interface Certificates {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate signed by a CA the server does not trust. */
  readonly strangerCert: string;
  readonly strangerKey: string;
  remove(): void;
}

/** A throwaway CA with a server certificate for 127.0.0.1 / localhost and client certificates, made by openssl. */
export function makeCertificates(): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'addispay-tls-'));
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const selfSigned = (name: string, subject: string): void =>
    openssl(
      'req',
      '-x509',
      ...keyArgs,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-subj',
      subject,
    );
  const signed = (name: string, subject: string, ca: string, extensions: string): void => {
    writeFileSync(path(`${name}.ext`), extensions);
    openssl('req', ...keyArgs, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  };
  selfSigned('ca', '/CN=addispay-test-ca');
  selfSigned('stranger-ca', '/CN=someone-else-ca');
  signed('server', '/CN=localhost', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed('client', '/CN=addispay-cli', 'ca', 'extendedKeyUsage=clientAuth\n');
  signed('stranger', '/CN=intruder', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caCert: path('ca.crt'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    clientCert: path('client.crt'),
    clientKey: path('client.key'),
    strangerCert: path('stranger.crt'),
    strangerKey: path('stranger.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
