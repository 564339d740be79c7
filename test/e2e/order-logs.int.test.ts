import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from '@addispay/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeRequest, startPlatform, type TestPlatform } from './platform.js';

const run = promisify(execFile);

interface LogLine {
  service: string;
  msg: string;
  time: string;
  traceId: string;
  orderId: string;
}

describe('one order, followed through the logs', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startPlatform({ withLogger: true });
  });
  afterAll(() => platform?.close());

  it('`logs --order` shows the lines of all three services for it, in time order, under one trace id', async () => {
    const { order } = await platform.client().placeOrder(placeRequest({ customerId: 'traced' }), {
      deadline: new Date(Date.now() + 10_000),
    });
    const cli = join(repositoryRoot(), 'apps/cli/src/main.ts');
    const env = { ...process.env, LOGGER_ADDR: platform.loggerService!.grpcAddress };
    const readLogs = async (): Promise<LogLine[]> => {
      const args = ['--conditions=development', '--import', 'tsx', cli, 'logs', '--order', order!.orderId, '--json'];
      const { stdout } = await run(process.execPath, args, { env });
      return stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogLine);
    };
    const services = async () => new Set((await readLogs()).map((line) => line.service));
    await expect
      .poll(services, { timeout: 30_000, interval: 500 })
      .toEqual(new Set(['order-service', 'payment-service', 'logger-service']));

    const lines = await readLogs();
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['order placed', 'payment recorded', 'order status changed', 'order log entries stored']),
    );
    const times = lines.map((line) => line.time);
    expect([...times].sort()).toEqual(times);
    expect(new Set(lines.map((line) => line.traceId)).size).toBe(1);
    expect(lines[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
