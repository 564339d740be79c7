import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { applyTopologyWaiting, parseTopologyCommand } from './topology-cli.js';

interface Call {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A stand-in for the broker's admin API: answers `unavailable` times 503, then 204 to everything. */
async function fakeAdmin(unavailable = 0) {
  const calls: Call[] = [];
  let refusals = unavailable;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (refusals > 0) {
        refusals -= 1;
        return void response.writeHead(503).end('broker starting');
      }
      calls.push({ method: request.method ?? '', path: decodeURIComponent(request.url ?? ''), body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { calls, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const subscriptionsOf = (calls: readonly Call[]) =>
  calls.filter((call) => call.path.includes('/subscription/')).map((call) => call.path.split('/persistent/')[1]);

describe('the topology command', () => {
  it('creates the tenant for the clusters given, the namespace, topics, subscriptions and dlq-review', async () => {
    const admin = await fakeAdmin();
    const command = await parseTopologyCommand(['--admin-url', admin.url, '--allowed-clusters', 'pulsar'], {});
    if (command === 'help') throw new Error('unexpected help');
    await applyTopologyWaiting(command);
    const tenant = admin.calls.find((call) => call.path === '/admin/v2/tenants/addispay');
    expect(JSON.parse(tenant?.body ?? '{}')).toMatchObject({ allowedClusters: ['pulsar'] });
    expect(subscriptionsOf(admin.calls)).toEqual(
      expect.arrayContaining([
        'addispay/platform/orders/subscription/payment-service',
        'addispay/platform/orders-payment-service-DLQ/subscription/dlq-review',
        'addispay/platform/logs-logger-service-DLQ/subscription/dlq-review',
      ]),
    );
  });

  it('with --subscriptions-only, creates the subscriptions and nothing else', async () => {
    const admin = await fakeAdmin();
    const command = await parseTopologyCommand(['--admin-url', admin.url, '--subscriptions-only'], {});
    if (command === 'help') throw new Error('unexpected help');
    await applyTopologyWaiting(command);
    expect(admin.calls.length).toBeGreaterThan(0);
    expect(admin.calls.every((call) => call.path.includes('/subscription/'))).toBe(true);
  });

  it('waits for a broker that is still starting, within --wait-seconds', async () => {
    const admin = await fakeAdmin(2);
    const retries: number[] = [];
    const command = await parseTopologyCommand([], { PULSAR_ADMIN_URL: admin.url, PULSAR_ADMIN_WAIT_SECONDS: '30' });
    if (command === 'help') throw new Error('unexpected help');
    await applyTopologyWaiting(command, (_error, attempt) => retries.push(attempt));
    expect(retries).toEqual([0, 1]);
    expect(subscriptionsOf(admin.calls).length).toBeGreaterThan(0);
  });

  it('gives up at once without --wait-seconds', async () => {
    const admin = await fakeAdmin(1);
    const command = await parseTopologyCommand(['--admin-url', admin.url], {});
    if (command === 'help') throw new Error('unexpected help');
    await expect(applyTopologyWaiting(command)).rejects.toThrow(/answered 503/);
  });

  it('refuses a wait that is not a whole number of seconds', async () => {
    await expect(parseTopologyCommand(['--wait-seconds', 'soon'], {})).rejects.toThrow(/--wait-seconds/);
  });
});
