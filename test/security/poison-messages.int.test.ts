import { randomUUID } from 'node:crypto';
import { eventsV1, orderV1 } from '@addispay/api';
import { loadTopology, WebSocketTransport } from '@addispay/pulsar';
import { PULSAR_ADMIN_URL, PULSAR_WS_URL } from '@addispay/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, placeRequest } from '../e2e/platform.js';
import { FUZZ_RUNS, hostileInt64, hostileString } from './hostile-input.js';
import { isHealthy, startSecurityPlatform, type SecurityPlatform } from './support.js';

/** Poison messages per consumed topic: FUZZ_RUNS / 10, at least 100 (`make fuzz`: 1,000). */
const POISON_PER_TOPIC = Math.max(100, Math.ceil(FUZZ_RUNS / 10));

function decodes<T>(decode: (bytes: Uint8Array) => T, bytes: Uint8Array): T | undefined {
  try {
    return decode(bytes);
  } catch {
    return undefined;
  }
}

const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => new Uint8Array([0, ...bytes])),
  fc.integer({ min: 100, max: 50_000 }).map((depth) => new Uint8Array(depth).fill(0x0b)),
);

/** Payloads each consumer can only dead-letter: undecodable, incomplete, or about an order that does not exist. */
const poison = {
  orders: fc
    .oneof(
      anyBytes,
      fc.record({ customerId: hostileString, amountMinor: hostileInt64, currency: hostileString }).map((placed) =>
        eventsV1.OrderEvent.encode({
          eventId: '',
          orderId: '',
          event: { $case: 'placed', value: { ...placed, paymentMethodToken: 'tok_approve', items: [] } },
        } as unknown as eventsV1.OrderEvent).finish(),
      ),
    )
    .filter((bytes) => {
      const event = decodes(eventsV1.OrderEvent.decode, bytes);
      return !event?.orderId || !event.event;
    }),
  'payment-results': fc.oneof(
    anyBytes,
    fc
      .constantFrom(...Object.values(eventsV1.PaymentOutcome).filter((value) => typeof value === 'number'))
      .map((outcome) =>
        eventsV1.PaymentResult.encode(
          eventsV1.PaymentResult.fromPartial({ orderId: randomUUID(), outcome: outcome as eventsV1.PaymentOutcome }),
        ).finish(),
      ),
  ),
  logs: anyBytes.filter((bytes) => {
    const entries = decodes(eventsV1.LogBatch.decode, bytes)?.entries;
    return !entries?.length || entries.some((entry) => !entry.entryId);
  }),
} as const;

let running: SecurityPlatform;
let transport: WebSocketTransport;

beforeAll(async () => {
  running = await startSecurityPlatform();
  transport = new WebSocketTransport({ url: PULSAR_WS_URL });
});

afterAll(async () => {
  await transport?.close();
  await running?.close();
});

async function messagesIn(topic: string): Promise<number> {
  const response = await fetch(`${PULSAR_ADMIN_URL}/admin/v2/${topic.replace('://', '/')}/stats`);
  if (!response.ok) return 0;
  return ((await response.json()) as { msgInCounter: number }).msgInCounter;
}

describe(`poison on every consumed topic (${POISON_PER_TOPIC} per topic)`, () => {
  it('dead-letters every poison message while orders still flow to PAID', async () => {
    const topology = loadTopology({ topicSuffix: running.platform.topicSuffix });
    const targets = [
      ['orders', 'payment-service'],
      ['payment-results', 'order-service'],
      ['logs', 'logger-service'],
    ] as const;
    const client = running.platform.client();
    const orders = Array.from({ length: 10 }, () =>
      client.placeOrder(placeRequest({ customerId: 'poison-run' }), { deadline: 60_000 }),
    );
    await Promise.all(
      targets.map(async ([topic]) => {
        const producer = await transport.createProducer(topology.topic(topic).fullName);
        const payloads = fc.sample(poison[topic], { numRuns: POISON_PER_TOPIC });
        for (let start = 0; start < payloads.length; start += 50) {
          await Promise.all(
            payloads
              .slice(start, start + 50)
              .map((payload) => producer.send({ key: `poison-${Math.floor(start / 50)}`, payload })),
          );
        }
        await producer.close();
      }),
    );

    const placed = await Promise.all(orders);
    const paid = await eventually(async () => {
      const statuses = await Promise.all(
        placed.map(async ({ order }) => (await client.getOrder({ orderId: order!.orderId })).order?.status),
      );
      return statuses.every((status) => status === orderV1.OrderStatus.ORDER_STATUS_PAID);
    }, 120_000);
    expect(paid).toBe(true);

    for (const [topic, subscription] of targets) {
      const deadLetters = topology.subscription(topic, subscription).deadLetter.topic;
      const all = await eventually(async () => (await messagesIn(deadLetters)) >= POISON_PER_TOPIC, 180_000);
      expect(await messagesIn(deadLetters), `${deadLetters}`).toBe(POISON_PER_TOPIC);
      expect(all).toBe(true);
    }
    expect(await isHealthy(running.platform.orderServices[0]!)).toBe(true);
    expect(await isHealthy(running.platform.paymentService)).toBe(true);
    expect(await isHealthy(running.loggerService)).toBe(true);
  }, 400_000);
});
