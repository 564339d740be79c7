import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPOLOGY_PATH, loadTopology, parseTopology, TopologyError } from './topology.js';

const projectYaml = readFileSync(DEFAULT_TOPOLOGY_PATH, 'utf8');

function problemsOf(yaml: string): readonly string[] {
  try {
    parseTopology(yaml);
  } catch (error) {
    if (error instanceof TopologyError) return error.problems;
    throw error;
  }
  throw new Error('expected the topology to be rejected');
}

describe('the project topology (packages/pulsar/topology.yaml)', () => {
  const topology = loadTopology();

  it('puts every topic in the addispay/platform namespace with retention and deduplication', () => {
    expect(topology.tenant).toBe('addispay');
    expect(topology.allowedClusters).toEqual(['standalone']);
    expect(topology.namespace).toEqual({
      name: 'addispay/platform',
      retention: { timeInMinutes: 10080, sizeInMB: 1024 },
      deduplication: true,
    });
    expect(topology.topics.map((topic) => topic.fullName)).toEqual([
      'persistent://addispay/platform/orders',
      'persistent://addispay/platform/payment-results',
      'persistent://addispay/platform/order-status',
      'persistent://addispay/platform/logs',
    ]);
  });

  it('gives payment-service a Key_Shared subscription on orders that dead-letters to its own DLQ', () => {
    expect(topology.subscription('orders', 'payment-service')).toEqual({
      topic: 'persistent://addispay/platform/orders',
      subscription: 'payment-service',
      type: 'Key_Shared',
      negativeAckRedeliveryDelayMs: 1000,
      deadLetter: { topic: 'persistent://addispay/platform/orders-payment-service-DLQ', maxRedeliverCount: 10 },
    });
    expect(topology.subscription('payment-results', 'order-service')).toMatchObject({
      type: 'Key_Shared',
      deadLetter: { topic: 'persistent://addispay/platform/payment-results-order-service-DLQ' },
    });
    expect(topology.subscription('logs', 'logger-service')).toMatchObject({
      type: 'Shared',
      deadLetter: { topic: 'persistent://addispay/platform/logs-logger-service-DLQ' },
    });
  });

  it('has no subscription on order-status, which replicas read with non-durable readers', () => {
    expect(topology.topic('order-status').subscriptions).toEqual([]);
  });

  it('lists every dead-letter topic once', () => {
    expect(topology.deadLetterTopics).toEqual([
      'persistent://addispay/platform/orders-payment-service-DLQ',
      'persistent://addispay/platform/payment-results-order-service-DLQ',
      'persistent://addispay/platform/logs-logger-service-DLQ',
    ]);
    expect(topology.deadLetterSubscription).toBe('dlq-review');
  });

  it('throws on unknown topics and subscriptions', () => {
    expect(() => topology.topic('payments')).toThrow('no topic "payments"');
    expect(() => topology.subscription('orders', 'order-service')).toThrow('no subscription "order-service"');
  });
});

describe('renaming for tests', () => {
  it('suffixes every topic and dead-letter topic, and is still looked up by the plain name', () => {
    const topology = loadTopology({ topicSuffix: '-t42' });
    expect(topology.topic('orders').fullName).toBe('persistent://addispay/platform/orders-t42');
    expect(topology.subscription('orders', 'payment-service').deadLetter.topic).toBe(
      'persistent://addispay/platform/orders-payment-service-DLQ-t42',
    );
    expect(topology.deadLetterTopics.every((topic) => topic.endsWith('-t42'))).toBe(true);
  });

  it('moves everything to another namespace of the tenant', () => {
    const topology = loadTopology({ namespace: 'suite-7' });
    expect(topology.namespace.name).toBe('addispay/suite-7');
    expect(topology.topic('logs').fullName).toBe('persistent://addispay/suite-7/logs');
  });

  it('rejects a suffix that would make an invalid topic name', () => {
    expect(() => loadTopology({ topicSuffix: '/x' })).toThrow(TopologyError);
  });
});

describe('validation', () => {
  it('reports every problem at once, each with its path', () => {
    const yaml = projectYaml
      .replace('type: Key_Shared', 'type: KeyShared')
      .replace('maxRedeliverCount: 10', 'maxRedeliverCount: 0')
      .replace('deduplication: true', 'deduplication: yes please');
    expect(problemsOf(yaml)).toEqual([
      'namespace.deduplication: expected true or false, got "yes please"',
      'topics[0].subscriptions[0].type: expected one of Exclusive, Shared, Failover, Key_Shared, got KeyShared',
      'topics[0].subscriptions[0].maxRedeliverCount: expected an integer >= 1, got 0',
    ]);
  });

  it('rejects duplicate topics, duplicate dead-letter topics and a DLQ that is a topic', () => {
    const yaml = projectYaml
      .replace('name: logs', 'name: orders')
      .replace('deadLetterTopic: logs-logger-service-DLQ', 'deadLetterTopic: orders-payment-service-DLQ')
      .replace('deadLetterTopic: payment-results-order-service-DLQ', 'deadLetterTopic: order-status');
    expect(problemsOf(yaml)).toEqual([
      'topic "orders" is defined twice',
      'dead-letter topic "persistent://addispay/platform/orders-payment-service-DLQ" is defined twice',
      'dead-letter topic persistent://addispay/platform/order-status is also a topic',
    ]);
  });

  it('requires a tenant, a namespace and at least one topic', () => {
    expect(problemsOf('tenant: ""\nallowedClusters: [standalone]\ndeadLetterSubscription: r\n')).toEqual([
      'tenant: expected a name (letters, digits, - _ .), got ""',
      'namespace: expected a mapping',
      'namespace.name: expected a name (letters, digits, - _ .), got undefined',
      'namespace.retention: expected a mapping',
      'namespace.retention.timeInMinutes: expected an integer >= -1, got undefined',
      'namespace.retention.sizeInMB: expected an integer >= -1, got undefined',
      'namespace.deduplication: expected true or false, got undefined',
      'topics: expected a non-empty list',
    ]);
  });
});
