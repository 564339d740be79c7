/**
 * The WebSocket adapter survives dropped connections. A TCP relay on loopback stands between the client and
 * the real broker so the test can cut every connection at once, as a restarting proxy or load balancer would.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketTransport } from '../src/websocket-transport.js';
import { brokerEnv, bytes, suiteTopology, text, waitFor, type SuiteTopology } from './support.js';

interface Relay {
  readonly url: string;
  cutAll(): void;
  close(): Promise<void>;
}

async function startRelay(target: URL): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no port');
  return {
    url: `ws://127.0.0.1:${address.port}`,
    cutAll: () => sockets.forEach((socket) => socket.destroy()),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('WebSocket transport after the connection drops', () => {
  let topology: SuiteTopology;
  let relay: Relay;

  beforeAll(async () => {
    topology = await suiteTopology('reconnect');
    relay = await startRelay(new URL(brokerEnv('PULSAR_WEBSOCKET_URL')));
  });

  afterAll(async () => {
    relay?.cutAll();
    await relay?.close();
    await topology?.remove();
  });

  it('reconnects producer and consumer, and loses no acknowledged send', async () => {
    const drops: string[] = [];
    const logger = { warn: (_details: object, message: string) => drops.push(message) };
    const transport = new WebSocketTransport({ url: relay.url, logger, backoff: { initialMs: 50, maxMs: 500 } });
    const name = topology.uniqueTopic('topic');
    const received = new Set<string>();
    const consumer = await transport.subscribe(
      { topic: name, subscription: 'test', type: 'Key_Shared', initialPosition: 'Earliest' },
      (message) => {
        received.add(text(message.payload));
        void consumer.acknowledge(message);
      },
    );
    const producer = await transport.createProducer(name);
    await producer.send({ key: 'k', payload: bytes('before') });
    await waitFor(() => received.has('before'), 'the first message');

    relay.cutAll();
    // Like the outbox relay: a rejected send is sent again; a resolved one must arrive.
    const confirmed: string[] = [];
    for (const payload of ['after-1', 'after-2', 'after-3']) {
      for (let attempt = 0; ; attempt++) {
        try {
          await producer.send({ key: 'k', payload: bytes(payload) });
          confirmed.push(payload);
          break;
        } catch (error) {
          if (attempt >= 5) throw error;
        }
      }
    }
    await waitFor(() => confirmed.every((payload) => received.has(payload)), 'every confirmed message');
    expect(confirmed).toEqual(['after-1', 'after-2', 'after-3']);
    // Both sockets (producer and consumer) dropped and came back.
    expect(
      drops.filter((message) => message === 'pulsar websocket dropped; reconnecting').length,
    ).toBeGreaterThanOrEqual(2);
    await transport.close();
  });
});
