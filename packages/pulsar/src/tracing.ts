import { traceContextFrom } from '@addispay/telemetry';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { topicLabel } from './metrics.js';
import type { IncomingMessage } from './transport.js';

/**
 * Spans for the Pulsar hop, after the OpenTelemetry messaging conventions: a PRODUCER span per send, a CONSUMER
 * span per handled message. W3C trace context travels in the message properties (`traceparent`), so the handler
 * of a message continues the trace of the request that caused it, across the outbox and the broker.
 */
const tracer = trace.getTracer('@addispay/pulsar');

function messagingAttributes(topic: string, operation: 'send' | 'process'): Attributes {
  return {
    'messaging.system': 'pulsar',
    'messaging.destination.name': topicLabel(topic),
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
  };
}

/**
 * Sends inside a PRODUCER span whose parent is the context stored with the message (the request that wrote it
 * to the outbox) or else the active one; `send` gets the properties with this span's context in them.
 */
export async function tracedSend(
  topic: string,
  key: string,
  properties: Readonly<Record<string, string>>,
  send: (properties: Record<string, string>) => Promise<void>,
): Promise<void> {
  const parent = traceContextFrom(properties);
  const attributes = { ...messagingAttributes(topic, 'send'), 'messaging.pulsar.message.key': key };
  return tracer.startActiveSpan(`send ${topicLabel(topic)}`, { kind: SpanKind.PRODUCER, attributes }, parent, (span) =>
    endWhenDone(span, () => {
      const carried = { ...properties };
      propagation.inject(context.active(), carried);
      return send(carried);
    }),
  );
}

/** Runs a message's handler inside a CONSUMER span, child of the producer span that sent it. */
export function tracedProcess<T>(
  message: IncomingMessage,
  subscription: string,
  handle: (span: Span) => Promise<T>,
): Promise<T> {
  const attributes = {
    ...messagingAttributes(message.topic, 'process'),
    'messaging.consumer.group.name': subscription,
    'messaging.destination.subscription.name': subscription,
    'messaging.message.id': message.id,
    'messaging.pulsar.message.key': message.key ?? '',
    'messaging.pulsar.redelivery_count': message.redeliveryCount,
  };
  const parent = traceContextFrom(message.properties);
  const name = `process ${topicLabel(message.topic)}`;
  return tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent, (span) =>
    endWhenDone(span, () => handle(span)),
  );
}

async function endWhenDone<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}
