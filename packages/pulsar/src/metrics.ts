import { metricsRegistry } from '@addispay/telemetry';
import { Counter, Histogram } from 'prom-client';
import type { Outcome } from './consumer.js';
import type { IncomingMessage } from './transport.js';

/**
 * The Pulsar hop, per topic: what was published and how long the broker took to store it, what was consumed,
 * with which outcome, how long it waited and how long its handler ran, redeliveries and dead letters.
 * `topic` is the topic's short name (persistent://tenant/namespace/<name>), never a message key.
 */
const published = new Counter({
  name: 'addispay_pulsar_messages_published_total',
  help: 'Messages sent to a topic, by result: ok (stored by the broker) or error.',
  labelNames: ['topic', 'result'],
  registers: [metricsRegistry],
});
const publishDuration = new Histogram({
  name: 'addispay_pulsar_publish_duration_seconds',
  help: 'Time from send to the broker storing the message.',
  labelNames: ['topic'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});
const consumed = new Counter({
  name: 'addispay_pulsar_messages_consumed_total',
  help: 'Messages handled by the consumer loop, by outcome: ack, retry, poison, error (handler threw).',
  labelNames: ['topic', 'subscription', 'outcome'],
  registers: [metricsRegistry],
});
const handleDuration = new Histogram({
  name: 'addispay_pulsar_handle_duration_seconds',
  help: 'Time a handler took for one message, settling (ack, nack, dead letter) included.',
  labelNames: ['topic', 'subscription'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});
const consumeLag = new Histogram({
  name: 'addispay_pulsar_consume_lag_seconds',
  help: "Time from a message's publication to its handler starting: how far the consumer is behind.",
  labelNames: ['topic', 'subscription'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [metricsRegistry],
});
const redeliveries = new Counter({
  name: 'addispay_pulsar_redeliveries_total',
  help: 'Messages delivered again (redelivery count above zero): retries, nacks, crashes before the ack.',
  labelNames: ['topic', 'subscription'],
  registers: [metricsRegistry],
});
const deadLetters = new Counter({
  name: 'addispay_pulsar_dead_letters_total',
  help: 'Messages dead-lettered: poison (sent at once by the loop) or retries_exhausted (the broker dead-letters it next).',
  labelNames: ['topic', 'subscription', 'cause'],
  registers: [metricsRegistry],
});

/** Zero series for a subscription, so that rates and alerts see 0 rather than nothing before the first event. */
export function initConsumerSeries(topic: string, subscription: string): void {
  const labels = { topic: topicLabel(topic), subscription };
  for (const outcome of ['ack', 'retry', 'poison', 'error']) consumed.inc({ ...labels, outcome }, 0);
  for (const cause of ['poison', 'retries_exhausted']) deadLetters.inc({ ...labels, cause }, 0);
  redeliveries.inc(labels, 0);
}

/** persistent://tenant/namespace/orders → orders */
export function topicLabel(topic: string): string {
  return topic.slice(topic.lastIndexOf('/') + 1);
}

export function recordPublish(topic: string, result: 'ok' | 'error', durationSeconds: number): void {
  published.inc({ topic, result });
  if (result === 'ok') publishDuration.observe({ topic }, durationSeconds);
}

export interface ConsumedMessage {
  readonly message: IncomingMessage;
  readonly subscription: string;
  readonly outcome: Outcome;
  readonly durationSeconds: number;
  /** Deliveries after which the broker dead-letters a message that is still not acknowledged. */
  readonly maxRedeliverCount: number;
  readonly startedAt: number;
}

export function recordConsumed(consumedMessage: ConsumedMessage): void {
  const { message, subscription, outcome, maxRedeliverCount } = consumedMessage;
  const labels = { topic: topicLabel(message.topic), subscription };
  consumed.inc({ ...labels, outcome });
  handleDuration.observe(labels, consumedMessage.durationSeconds);
  consumeLag.observe(labels, Math.max(0, (consumedMessage.startedAt - message.publishTime.getTime()) / 1000));
  if (message.redeliveryCount > 0) redeliveries.inc(labels);
  if (outcome === 'poison') deadLetters.inc({ ...labels, cause: 'poison' });
  const lastDelivery = message.redeliveryCount + 1 >= maxRedeliverCount;
  if ((outcome === 'retry' || outcome === 'error') && lastDelivery) {
    deadLetters.inc({ ...labels, cause: 'retries_exhausted' });
  }
}
