import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpsServer } from './ops-server.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function opsServer(isReady: () => boolean | Promise<boolean>) {
  const server = await startOpsServer({ port: 0, host: '127.0.0.1', isReady });
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return (path: string) => fetch(`http://127.0.0.1:${port}${path}`).then((response) => response.status);
}

describe('the ops server', () => {
  it('answers /livez while the service is not ready, so a pod waiting for its dependencies is not restarted', async () => {
    const status = await opsServer(() => false);
    expect(await status('/livez')).toBe(200);
    expect(await status('/readyz')).toBe(503);
  });

  it('answers /readyz from the readiness check on every call, awaiting an asynchronous one', async () => {
    let ready = false;
    const status = await opsServer(() => Promise.resolve(ready));
    expect(await status('/readyz')).toBe(503);
    ready = true;
    expect(await status('/readyz')).toBe(200);
  });

  it('answers 503 when the readiness check fails', async () => {
    const status = await opsServer(() => Promise.reject(new Error('database unreachable')));
    expect(await status('/readyz')).toBe(503);
    expect(await status('/livez')).toBe(200);
  });

  it('serves Prometheus metrics and nothing else', async () => {
    const status = await opsServer(() => true);
    expect(await status('/metrics')).toBe(200);
    expect(await status('/other')).toBe(404);
  });
});
