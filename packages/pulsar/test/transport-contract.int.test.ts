/**
 * The contract every PulsarTransport adapter keeps, run against the real broker. Adapters that cannot load on
 * this machine (the native one, without its binary) are reported as skipped, with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage, PulsarTransport } from '../src/transport.js';
import { adapters, bytes, sleep, suiteTopology, text, waitFor, type SuiteTopology } from './support.js';

const all = await adapters();

for (const adapter of all) {
  const title = adapter.unavailable
    ? `${adapter.name} transport (skipped: ${adapter.unavailable})`
    : `${adapter.name} transport`;

  describe.skipIf(adapter.unavailable !== undefined)(title, () => {
    let topology: SuiteTopology;
    let transport: PulsarTransport;
    const topic = (label: string): string => topology.uniqueTopic(label);

    beforeAll(async () => {
      topology = await suiteTopology(`contract-${adapter.name}`);
      transport = await adapter.connect();
    });

    afterAll(async () => {
      await transport?.close();
      await topology?.remove();
    });

    it('delivers payload, key and properties from producer to consumer', async () => {
      const name = topic('round-trip');
      const received: IncomingMessage[] = [];
      const consumer = await transport.subscribe(
        { topic: name, subscription: 'test', type: 'Shared', initialPosition: 'Earliest' },
        (message) => {
          received.push(message);
          void consumer.acknowledge(message);
        },
      );
      const producer = await transport.createProducer(name);
      const before = Date.now();
      await producer.send({ key: 'order-1', payload: bytes('first'), properties: { 'event-type': 'OrderPlaced' } });
      await producer.send({ key: 'order-2', payload: new Uint8Array([0, 255, 1, 254]) });

      await waitFor(() => received.length === 2, 'two messages');
      const [first, second] = received;
      expect(first).toMatchObject({ topic: name, key: 'order-1', redeliveryCount: 0 });
      expect(text(first!.payload)).toBe('first');
      expect(first!.properties).toEqual({ 'event-type': 'OrderPlaced' });
      expect(first!.publishTime.getTime()).toBeGreaterThanOrEqual(before - 5_000);
      expect(first!.publishTime.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
      expect(second).toMatchObject({ key: 'order-2', properties: {} });
      expect([...second!.payload]).toEqual([0, 255, 1, 254]);
      expect(first!.id).not.toBe(second!.id);
      await producer.close();
      await consumer.close();
    });

    it('does not redeliver an acknowledged message to the next consumer of the subscription', async () => {
      const name = topic('ack');
      const subscription = {
        topic: name,
        subscription: 'test',
        type: 'Shared' as const,
        initialPosition: 'Earliest' as const,
      };
      const producer = await transport.createProducer(name);
      const firstRun: string[] = [];
      const first = await transport.subscribe(subscription, (message) => {
        firstRun.push(text(message.payload));
        void first.acknowledge(message);
      });
      await producer.send({ key: 'k', payload: bytes('acked') });
      await waitFor(() => firstRun.length === 1, 'the first delivery');
      await sleep(300); // the ack has no receipt: give it time to reach the broker
      await first.close();

      const secondRun: string[] = [];
      const second = await transport.subscribe(subscription, (message) => {
        secondRun.push(text(message.payload));
        void second.acknowledge(message);
      });
      await producer.send({ key: 'k', payload: bytes('new') });
      await waitFor(() => secondRun.length >= 1, 'the new message');
      await sleep(500);
      expect(firstRun).toEqual(['acked']);
      expect(secondRun).toEqual(['new']);
      await second.close();
      await producer.close();
    });

    it('redelivers a negatively acknowledged message with redeliveryCount + 1', async () => {
      const name = topic('nack');
      const deliveries: IncomingMessage[] = [];
      const consumer = await transport.subscribe(
        {
          topic: name,
          subscription: 'test',
          type: 'Shared',
          initialPosition: 'Earliest',
          negativeAckRedeliveryDelayMs: 200,
        },
        (message) => {
          deliveries.push(message);
          if (message.redeliveryCount === 0) consumer.negativeAcknowledge(message);
          else void consumer.acknowledge(message);
        },
      );
      const producer = await transport.createProducer(name);
      await producer.send({ key: 'k', payload: bytes('again'), properties: { n: '1' } });

      await waitFor(() => deliveries.length === 2, 'the redelivery');
      expect(deliveries.map((message) => message.redeliveryCount)).toEqual([0, 1]);
      expect(deliveries.map((message) => text(message.payload))).toEqual(['again', 'again']);
      expect(deliveries[1]!.properties).toMatchObject({ n: '1' });
      await sleep(600);
      expect(deliveries).toHaveLength(2);
      await producer.close();
      await consumer.close();
    });

    it('dead-letters a message after maxRedeliverCount redeliveries', async () => {
      const name = topic('dlq');
      const deadLetterTopic = `${name}-DLQ`; // deleted with the suite
      const deadLetters: IncomingMessage[] = [];
      const inspector = await transport.subscribe(
        { topic: deadLetterTopic, subscription: 'inspect', type: 'Shared', initialPosition: 'Earliest' },
        (message) => {
          deadLetters.push(message);
          void inspector.acknowledge(message);
        },
      );
      const counts: number[] = [];
      const consumer = await transport.subscribe(
        {
          topic: name,
          subscription: 'test',
          type: 'Key_Shared',
          initialPosition: 'Earliest',
          negativeAckRedeliveryDelayMs: 100,
          deadLetter: { topic: deadLetterTopic, maxRedeliverCount: 2 },
        },
        (message) => {
          counts.push(message.redeliveryCount);
          consumer.negativeAcknowledge(message);
        },
      );
      const producer = await transport.createProducer(name);
      await producer.send({ key: 'order-9', payload: bytes('never works'), properties: { 'event-id': 'e-9' } });

      await waitFor(() => deadLetters.length === 1, 'the dead letter');
      expect(counts).toEqual([0, 1, 2]);
      expect(deadLetters[0]).toMatchObject({
        key: 'order-9',
        properties: expect.objectContaining({ 'event-id': 'e-9' }),
      });
      expect(text(deadLetters[0]!.payload)).toBe('never works');
      await sleep(500);
      expect(counts).toEqual([0, 1, 2]);
      await Promise.all([producer.close(), consumer.close(), inspector.close()]);
    });

    it('keeps per-key order across Key_Shared consumers and gives each key to one consumer', async () => {
      const name = topic('key-shared');
      const subscription = {
        topic: name,
        subscription: 'test',
        type: 'Key_Shared' as const,
        initialPosition: 'Earliest' as const,
      };
      const seen = new Map<string, { consumer: number; seq: number }[]>();
      const open = await Promise.all(
        [1, 2].map(async (index) => {
          const consumer = await transport.subscribe(subscription, (message) => {
            const key = message.key ?? '';
            seen.set(key, [...(seen.get(key) ?? []), { consumer: index, seq: Number(text(message.payload)) }]);
            void consumer.acknowledge(message);
          });
          return consumer;
        }),
      );
      const producer = await transport.createProducer(name);
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
      const perKey = 20;
      const sends: Promise<void>[] = [];
      for (let seq = 0; seq < perKey; seq++) {
        for (const key of keys) sends.push(producer.send({ key, payload: bytes(String(seq)) }));
      }
      await Promise.all(sends);

      const total = (): number => [...seen.values()].reduce((sum, list) => sum + list.length, 0);
      await waitFor(() => total() === keys.length * perKey, 'every message');
      for (const key of keys) {
        const deliveries = seen.get(key) ?? [];
        expect(deliveries.map((delivery) => delivery.seq)).toEqual([...Array(perKey).keys()]);
        expect(new Set(deliveries.map((delivery) => delivery.consumer)).size).toBe(1);
      }
      await producer.close();
      await Promise.all(open.map((consumer) => consumer.close()));
    });

    it('gives a reader the messages published after it opened, and not those before', async () => {
      const name = topic('reader');
      const producer = await transport.createProducer(name);
      await producer.send({ key: 'k', payload: bytes('before') });
      const read: string[] = [];
      const reader = await transport.read(name, (message) => read.push(text(message.payload)));
      await sleep(300);
      for (const payload of ['after-1', 'after-2', 'after-3'])
        await producer.send({ key: 'k', payload: bytes(payload) });

      await waitFor(() => read.length === 3, 'three messages');
      expect(read).toEqual(['after-1', 'after-2', 'after-3']);
      await reader.close();
      await producer.close();
    });
  });
}
