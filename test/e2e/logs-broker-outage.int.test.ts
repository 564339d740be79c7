/**
 * Logging with the broker stopped: the order and payment services run on a broker of their own
 * (scripts/pulsar.sh with PULSAR_INSTANCE=outage), which is stopped while orders are placed and started again.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { orderV1 } from '@addispay/api';
import { freePort, repositoryRoot } from '@addispay/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eventually, placeRequest, startPlatform, type TestPlatform } from './platform.js';

const { OrderStatus } = orderV1;
/** Small, so that the lines of the outage overflow it. */
const SHIP_BUFFER_LINES = 20;
const ORDERS_DURING_OUTAGE = 15;

let brokerEnv: Record<string, string> | undefined;
let platform: TestPlatform;

function pulsarScript(...args: string[]): void {
  execFileSync('bash', [join(repositoryRoot(), 'scripts', 'pulsar.sh'), ...args], {
    env: { ...process.env, ...brokerEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function droppedLines(metricsPort: number): Promise<number> {
  const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((response) => response.text());
  return Number(/^addispay_log_entries_dropped_total (\d+)$/m.exec(metrics)?.[1] ?? NaN);
}

beforeAll(async () => {
  const [brokerPort, webPort] = [await freePort(), await freePort()];
  brokerEnv = {
    PULSAR_INSTANCE: 'outage',
    PULSAR_BROKER_PORT: String(brokerPort),
    PULSAR_WEB_PORT: String(webPort),
    PULSAR_HEAP: '256m',
  };
  // --fresh: ports differ from run to run, and a standalone broker remembers its address in its metadata.
  pulsarScript('start', '--fresh');
  platform = await startPlatform({
    pulsar: { wsUrl: `ws://127.0.0.1:${webPort}`, adminUrl: `http://127.0.0.1:${webPort}` },
    order: { LOG_SHIP_BUFFER_LINES: String(SHIP_BUFFER_LINES) },
  });
});

afterAll(async () => {
  await platform?.close();
  if (brokerEnv) pulsarScript('stop');
});

describe('logging while the broker is stopped', () => {
  it('neither fails nor holds up orders, and counts the lines it could not ship', async () => {
    const client = platform.client();
    const orderService = platform.orderServices[0]!;
    const first = await client.placeOrder(placeRequest({ customerId: 'before-outage' }), {
      deadline: new Date(Date.now() + 10_000),
    });
    expect(first.order?.status).toBe(OrderStatus.ORDER_STATUS_PAID);
    expect(await droppedLines(orderService.metricsPort)).toBe(0);

    pulsarScript('stop');
    const answers = await Promise.all(
      Array.from({ length: ORDERS_DURING_OUTAGE }, () =>
        client.placeOrder(placeRequest({ customerId: 'outage' }), { deadline: new Date(Date.now() + 2_000) }),
      ),
    );
    // Stored and answered within the deadline; the outcome waits for the broker.
    expect(answers.map((answer) => answer.order?.status)).toEqual(
      Array.from({ length: ORDERS_DURING_OUTAGE }, () => OrderStatus.ORDER_STATUS_PENDING),
    );
    const droppedDuringOutage = await droppedLines(orderService.metricsPort);
    expect(droppedDuringOutage).toBeGreaterThan(0);

    pulsarScript('start');
    const paid = () =>
      count(platform.ordersDb, "SELECT COUNT(*) FROM orders WHERE customer_id = 'outage' AND status = 'PAID'");
    expect(await eventually(async () => (await paid()) === ORDERS_DURING_OUTAGE, 90_000)).toBe(true);

    // Once shipping works again, the service says how many lines were lost, as the counter does (which also counts
    // any line dropped while the full buffer drains after that report).
    const resumed = /log shipping resumed; (\d+) log entries were dropped/;
    expect(await eventually(async () => resumed.test(orderService.output()), 30_000)).toBe(true);
    const reported = Number(resumed.exec(orderService.output())![1]);
    expect(reported).toBeGreaterThanOrEqual(droppedDuringOutage);
    expect(await droppedLines(orderService.metricsPort)).toBeGreaterThanOrEqual(reported);
  });
});
