import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketTransport, type IncomingMessage } from '@addispay/pulsar';
import { freePort, repositoryRoot } from '@addispay/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A second standalone broker with token authentication and authorization on, beside the shared one: its own
 * ports, data dir and secret key (scripts/pulsar.sh with PULSAR_INSTANCE=auth PULSAR_AUTH=token), stopped after.
 */
let env: Record<string, string>;
let webUrl: string;
const transports: WebSocketTransport[] = [];

function pulsarScript(...args: string[]): void {
  execFileSync('bash', [join(repositoryRoot(), 'scripts', 'pulsar.sh'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** An HS256 JWT with `sub`, as Pulsar's AuthenticationProviderToken expects. */
function mintToken(subject: string, key: Buffer): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256' })}.${encode({ sub: subject })}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

function transport(token?: string): WebSocketTransport {
  const created = new WebSocketTransport({ url: webUrl.replace(/^http/, 'ws'), token, connectTimeoutMs: 10_000 });
  transports.push(created);
  return created;
}

beforeAll(async () => {
  const [brokerPort, webPort] = [await freePort(), await freePort()];
  env = {
    PULSAR_INSTANCE: 'auth',
    PULSAR_AUTH: 'token',
    PULSAR_BROKER_PORT: String(brokerPort),
    PULSAR_WEB_PORT: String(webPort),
    PULSAR_HEAP: '256m',
  };
  webUrl = `http://127.0.0.1:${webPort}`;
  // --fresh: ports differ from run to run, and a standalone broker remembers its address in its metadata.
  pulsarScript('start', '--fresh');
});

afterAll(async () => {
  await Promise.all(transports.map((created) => created.close().catch(() => undefined)));
  if (env) pulsarScript('stop');
});

describe('Pulsar token authentication on the WebSocket transport', () => {
  const secretKey = () => readFileSync(join(repositoryRoot(), '.local/pulsar-auth/secrets/token-secret.key'));
  const topic = `persistent://public/default/auth-${randomUUID()}`;

  it('publishes and consumes with a token signed by the broker key', async () => {
    const client = transport(mintToken('addispay-admin', secretKey()));
    const received: IncomingMessage[] = [];
    const consumer = await client.subscribe(
      { topic, subscription: 'auth-test', type: 'Exclusive', initialPosition: 'Earliest' },
      (message) => {
        received.push(message);
        void consumer.acknowledge(message);
      },
    );
    const producer = await client.createProducer(topic);
    await producer.send({ key: 'k', payload: new TextEncoder().encode('hello with a token') });
    const deadline = Date.now() + 30_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(new TextDecoder().decode(received[0]?.payload)).toBe('hello with a token');
  });

  it('refuses the upgrade without a token, with a forged one, and with one for an unauthorized role', async () => {
    await expect(transport().createProducer(topic)).rejects.toThrow(/401/);
    await expect(transport(mintToken('addispay-admin', randomBytes(32))).createProducer(topic)).rejects.toThrow(/401/);
    await expect(transport(mintToken('nobody', secretKey())).createProducer(topic)).rejects.toThrow(/40[13]/);
  });

  it('refuses the admin API without a token', async () => {
    expect((await fetch(`${webUrl}/admin/v2/tenants`)).status).toBe(401);
  });
});
