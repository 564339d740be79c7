/** The consumer loop every service uses, against the real broker (WebSocket transport). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consume, DEAD_LETTER_ORIGIN, DEAD_LETTER_REASON, type Disposition } from '../src/consumer.js';
import type { SubscriptionDefinition } from '../src/topology.js';
import type { IncomingMessage, PulsarTransport } from '../src/transport.js';
import { WebSocketTransport } from '../src/websocket-transport.js';
import {
  backlog,
  brokerEnv,
  bytes,
  capturingLogger,
  sleep,
  suiteTopology,
  text,
  waitFor,
  type SuiteTopology,
} from './support.js';

describe('consume', () => {
  let topology: SuiteTopology;
  let transport: PulsarTransport;

  beforeAll(async () => {
    topology = await suiteTopology('consumer');
    transport = new WebSocketTransport({ url: brokerEnv('PULSAR_WEBSOCKET_URL') });
  });

  afterAll(async () => {
    await transport?.close();
    await topology?.remove();
  });

  /** The real orders/payment-service definition, on this suite's topics, with a short redelivery delay. */
  const ordersSubscription = (): SubscriptionDefinition => ({
    ...topology.subscription('orders', 'payment-service'),
    negativeAckRedeliveryDelayMs: 200,
  });

  it('dead-letters a poison message at once with its reason, and goes on with the next ones', async () => {
    const subscription = ordersSubscription();
    const deadLetters: IncomingMessage[] = [];
    // The review subscription that scripts/pulsar-topology.ts creates on every dead-letter topic.
    const review = await transport.subscribe(
      { topic: subscription.deadLetter.topic, subscription: topology.deadLetterSubscription, type: 'Shared' },
      (message) => {
        deadLetters.push(message);
        void review.acknowledge(message);
      },
    );
    const handled: string[] = [];
    const logger = capturingLogger();
    const running = await consume(
      transport,
      subscription,
      async (message): Promise<Disposition> => {
        handled.push(`${text(message.payload)}#${message.redeliveryCount}`);
        return text(message.payload) === 'garbage'
          ? { kind: 'poison', reason: 'undecodable OrderEvent' }
          : { kind: 'ack' };
      },
      { concurrency: 4, logger },
    );
    const producer = await transport.createProducer(subscription.topic);
    for (const payload of ['first', 'garbage', 'second']) {
      await producer.send({ key: 'order-1', payload: bytes(payload), properties: { 'event-id': payload } });
    }

    await waitFor(() => deadLetters.length === 1 && handled.length === 3, 'the dead letter and all three messages');
    expect(handled).toEqual(['first#0', 'garbage#0', 'second#0']);
    expect(text(deadLetters[0]!.payload)).toBe('garbage');
    expect(deadLetters[0]!.key).toBe('order-1');
    expect(deadLetters[0]!.properties).toEqual({
      'event-id': 'garbage',
      [DEAD_LETTER_REASON]: 'undecodable OrderEvent',
      [DEAD_LETTER_ORIGIN]: subscription.topic,
    });
    await expect.poll(() => backlog(subscription.topic, subscription.subscription), { timeout: 10_000 }).toBe(0);
    expect(logger.entries.filter((entry) => entry.message === 'message dead-lettered')).toHaveLength(1);
    await running.stop();
    await review.close();
    await producer.close();
  });

  it('redelivers on retry and on a thrown error, logging the error once', async () => {
    const subscription = ordersSubscription();
    const deliveries: string[] = [];
    const logger = capturingLogger();
    const running = await consume(
      transport,
      subscription,
      async (message): Promise<Disposition> => {
        const payload = text(message.payload);
        deliveries.push(`${payload}#${message.redeliveryCount}`);
        if (message.redeliveryCount > 0) return { kind: 'ack' };
        if (payload === 'throws') throw new Error('database unavailable');
        return { kind: 'retry', reason: 'processor unavailable' };
      },
      { concurrency: 2, logger },
    );
    const producer = await transport.createProducer(subscription.topic);
    await producer.send({ key: 'order-2', payload: bytes('retries') });
    await producer.send({ key: 'order-3', payload: bytes('throws') });

    await waitFor(() => deliveries.length === 4, 'two deliveries of each message');
    expect(deliveries.filter((entry) => entry.startsWith('retries'))).toEqual(['retries#0', 'retries#1']);
    expect(deliveries.filter((entry) => entry.startsWith('throws'))).toEqual(['throws#0', 'throws#1']);
    const errors = logger.entries.filter((entry) => entry.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.details).toMatchObject({ key: 'order-3', redeliveryCount: 0 });
    await expect.poll(() => backlog(subscription.topic, subscription.subscription), { timeout: 10_000 }).toBe(0);
    await running.stop();
    await producer.close();
  });

  it('runs different keys in parallel but one key at a time, in order', async () => {
    const subscription = ordersSubscription();
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5'];
    const perKey = 20;
    const order = new Map<string, number[]>();
    const activeByKey = new Map<string, number>();
    let active = 0;
    let maxActive = 0;
    let maxSameKey = 0;
    const running = await consume(
      transport,
      subscription,
      async (message): Promise<Disposition> => {
        const key = message.key ?? '';
        active++;
        activeByKey.set(key, (activeByKey.get(key) ?? 0) + 1);
        maxActive = Math.max(maxActive, active);
        maxSameKey = Math.max(maxSameKey, activeByKey.get(key) ?? 0);
        await sleep(Math.random() * 8);
        order.set(key, [...(order.get(key) ?? []), Number(text(message.payload))]);
        activeByKey.set(key, (activeByKey.get(key) ?? 1) - 1);
        active--;
        return { kind: 'ack' };
      },
      { concurrency: 3, logger: capturingLogger() },
    );
    const producer = await transport.createProducer(subscription.topic);
    const sends: Promise<void>[] = [];
    for (let seq = 0; seq < perKey; seq++) {
      for (const key of keys) sends.push(producer.send({ key, payload: bytes(String(seq)) }));
    }
    await Promise.all(sends);

    const total = (): number => [...order.values()].reduce((sum, list) => sum + list.length, 0);
    await waitFor(() => total() === keys.length * perKey, 'every message');
    for (const key of keys) expect(order.get(key)).toEqual([...Array(perKey).keys()]);
    expect(maxSameKey).toBe(1);
    expect(maxActive).toBeGreaterThan(1);
    expect(maxActive).toBeLessThanOrEqual(3);
    await running.stop();
    await producer.close();
  });

  it('stop() waits for the handlers in flight and leaves unstarted messages to the broker', async () => {
    const subscription = ordersSubscription();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started: string[] = [];
    const running = await consume(
      transport,
      subscription,
      async (message): Promise<Disposition> => {
        started.push(text(message.payload));
        await gate;
        return { kind: 'ack' };
      },
      { concurrency: 1, logger: capturingLogger() },
    );
    const producer = await transport.createProducer(subscription.topic);
    await producer.send({ key: 'order-4', payload: bytes('in-flight') });
    await producer.send({ key: 'order-4', payload: bytes('queued') });
    await waitFor(() => started.length === 1, 'the first handler to start');

    let stopped = false;
    const stopping = running.stop().then(() => {
      stopped = true;
    });
    await sleep(300);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(started).toEqual(['in-flight']);
    // The acknowledged one is gone; the queued one waits for the next consumer.
    await expect.poll(() => backlog(subscription.topic, subscription.subscription), { timeout: 10_000 }).toBe(1);

    const next: string[] = [];
    const resumed = await consume(
      transport,
      subscription,
      async (message): Promise<Disposition> => {
        next.push(text(message.payload));
        return { kind: 'ack' };
      },
      { concurrency: 1, logger: capturingLogger() },
    );
    await waitFor(() => next.length === 1, 'the queued message');
    expect(next).toEqual(['queued']);
    await resumed.stop();
    await producer.close();
  });
});
