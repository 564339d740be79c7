import { recordPublish } from './metrics.js';
import type { Topology } from './topology.js';
import { tracedSend } from './tracing.js';
import type { OutgoingMessage, Producer, PulsarTransport } from './transport.js';

export interface TopicMessage extends OutgoingMessage {
  /** The topic's name in topology.yaml, e.g. "orders". */
  readonly topic: string;
}

export interface TopicPublisher {
  /** Resolves once the broker stored the message. A bound function: pass it around as is (e.g. to the outbox relay). */
  readonly publish: (message: TopicMessage) => Promise<void>;
  close(): Promise<void>;
}

/** Publishes to topics by their topology name, with one producer per topic opened on first use. */
export function topicPublisher(transport: PulsarTransport, topology: Topology): TopicPublisher {
  const producers = new Map<string, Promise<Producer>>();
  const producerFor = (topic: string): Promise<Producer> => {
    let producer = producers.get(topic);
    if (!producer) {
      producer = transport.createProducer(topology.topic(topic).fullName);
      // A failed open is not cached: the next publish tries again.
      producer.catch(() => producers.delete(topic));
      producers.set(topic, producer);
    }
    return producer;
  };
  return {
    publish: async (message) => {
      const producer = await producerFor(message.topic);
      const started = performance.now();
      try {
        await tracedSend(producer.topic, message.key, message.properties ?? {}, (properties) =>
          producer.send({ key: message.key, payload: message.payload, properties }),
        );
      } catch (error) {
        recordPublish(message.topic, 'error', 0);
        throw error;
      }
      recordPublish(message.topic, 'ok', (performance.now() - started) / 1000);
    },
    close: async () => {
      const open = [...producers.values()];
      producers.clear();
      await Promise.all(open.map((producer) => producer.then((opened) => opened.close()).catch(() => undefined)));
    },
  };
}
