import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { orderV1 } from '@addispay/api';
import { repositoryRoot } from '@addispay/testkit';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, placeRequest } from '../e2e/platform.js';
import { startSecurityPlatform, type SecurityPlatform } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'addispay-secrets-'));
const pulsarToken = `eyJhbGciOiJIUzI1NiJ9.${randomBytes(24).toString('base64url')}.dummy`;
const tokenFile = join(dir, 'pulsar.token');
const logFiles = { order: join(dir, 'order.log'), payment: join(dir, 'payment.log'), logger: join(dir, 'logger.log') };
const paymentTokens = ['tok_approve', 'tok_decline', 'tok_insufficient_funds'];
let running: SecurityPlatform;
let secrets: string[];

function passwordOf(dsn: string): string {
  return decodeURIComponent(new URL(dsn).password);
}

beforeAll(async () => {
  writeFileSync(tokenFile, pulsarToken);
  running = await startSecurityPlatform({
    order: { PULSAR_TOKEN_FILE: tokenFile, LOG_FILE: logFiles.order, LOG_LEVEL: 'debug' },
    payment: { PULSAR_TOKEN_FILE: tokenFile, LOG_FILE: logFiles.payment, LOG_LEVEL: 'debug' },
    logger: { PULSAR_TOKEN_FILE: tokenFile, LOG_FILE: logFiles.logger, LOG_LEVEL: 'debug' },
  });
  const dsnPasswords = [running.platform.orderEnv['MYSQL_DSN']!, running.platform.paymentEnv['MYSQL_DSN']!].map(
    passwordOf,
  );
  expect(dsnPasswords.every((password) => password.length >= 8)).toBe(true);
  secrets = [...dsnPasswords, pulsarToken, ...paymentTokens];
});

afterAll(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

function leaks(text: string): string[] {
  return secrets.filter((secret) => text.includes(secret)).map((secret) => `${secret.slice(0, 4)}… leaked`);
}

describe('secrets come from the environment or files and are never logged', () => {
  it('orders of every outcome leave no DSN password, payment token or Pulsar token in any log line', async () => {
    const client = running.platform.client();
    const placed: string[] = [];
    for (const token of paymentTokens) {
      const { order } = await client.placeOrder(placeRequest({ paymentMethodToken: token }), { deadline: 20_000 });
      placed.push(order!.orderId);
    }
    await client.placeOrder(placeRequest({ paymentMethodToken: '4111 1111 1111 1111' })).catch(() => undefined);
    await client.cancelOrder({ orderId: placed[0]!, reason: 'test' }).catch(() => undefined);
    // The logger service has stored the other services' lines about these orders: the pipeline really logged.
    const stored = await eventually(async () => {
      const [rows] = await running.logsDb.query<RowDataPacket[]>(
        'SELECT COUNT(*) AS n FROM log_entries WHERE order_id IN (?)',
        [placed],
      );
      return Number(rows[0]?.['n']) >= placed.length;
    }, 30_000);
    expect(stored).toBe(true);
    const [finals] = await Promise.all(placed.map((orderId) => client.getOrder({ orderId })));
    expect(finals?.order?.status).not.toBe(orderV1.OrderStatus.ORDER_STATUS_UNSPECIFIED);

    const outputs = [running.platform.orderServices[0]!, running.platform.paymentService, running.loggerService].map(
      (service) => service.output(),
    );
    const files = Object.values(logFiles).map((file) => readFileSync(file, 'utf8'));
    expect(files.every((text) => text.length > 0)).toBe(true);
    const [rows] = await running.logsDb.query<RowDataPacket[]>(
      'SELECT CONCAT(message, attributes_json) AS line FROM log_entries',
    );
    const storedLines = rows.map((row) => String(row['line'])).join('\n');
    expect(storedLines.length).toBeGreaterThan(0);
    expect([...outputs, ...files, storedLines].flatMap(leaks)).toEqual([]);
  });

  it('a service refused at start-up or unable to reach MySQL does not print the DSN password', async () => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const run = (env: Record<string, string>) =>
      promisify(execFile)(
        process.execPath,
        ['--conditions=development', '--import', 'tsx', join(repositoryRoot(), 'apps/order-service/src/main.ts')],
        { env: { ...process.env, ...env }, timeout: 8_000, killSignal: 'SIGKILL' },
      ).then(
        ({ stdout, stderr }) => stdout + stderr,
        (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
      );
    const badConfig = await run({
      MYSQL_DSN: `mysql://order_service:${password}@127.0.0.1:1/addispay_orders`,
      PULSAR_URL: running.platform.orderEnv['PULSAR_URL']!,
      GRPC_PORT: 'not-a-port',
    });
    expect(badConfig).toMatch(/GRPC_PORT/);
    const unreachable = await run({
      MYSQL_DSN: `mysql://order_service:${password}@127.0.0.1:1/addispay_orders`,
      PULSAR_URL: running.platform.orderEnv['PULSAR_URL']!,
      PULSAR_TOPIC_SUFFIX: running.platform.topicSuffix,
      PULSAR_TOKEN_FILE: tokenFile,
      ORDER_SWEEP_INTERVAL_MS: '200',
      GRPC_PORT: '0',
      METRICS_PORT: '0',
    });
    // The failure path really ran: MySQL errors were logged.
    expect(unreachable).toMatch(/ECONNREFUSED/);
    expect(`${badConfig}\n${unreachable}`).not.toContain(password);
    expect(`${badConfig}\n${unreachable}`).not.toContain(pulsarToken);
  });
});
