import { initConsumerSeries, recordConsumed } from './metrics.js';
import type { SubscriptionDefinition } from './topology.js';
import { tracedProcess } from './tracing.js';
import type { Consumer, IncomingMessage, Producer, PulsarTransport } from './transport.js';

/** What a handler decided about one message. */
export type Disposition =
  | { readonly kind: 'ack' }
  /** Transient failure: the broker redelivers after the subscription's delay, and dead-letters it after
   *  maxRedeliverCount deliveries. */
  | { readonly kind: 'retry'; readonly reason: string }
  /** The message can never be handled (undecodable, invalid): dead-lettered at once, with the reason. */
  | { readonly kind: 'poison'; readonly reason: string };

export type MessageHandler = (message: IncomingMessage) => Promise<Disposition>;

export interface ConsumerLogger {
  debug(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export type Outcome = 'ack' | 'retry' | 'poison' | 'error';

export interface ConsumerMetrics {
  /** One call per handled message; `error` means the handler threw (handled as a retry). */
  handled(outcome: Outcome, durationSeconds: number): void;
}

export interface ConsumeOptions {
  /** Messages handled at once; messages with the same key never run at the same time. */
  readonly concurrency: number;
  readonly logger: ConsumerLogger;
  /** Where poison messages go; by default a producer on the subscription's dead-letter topic. */
  readonly deadLetterProducer?: Producer;
  readonly metrics?: ConsumerMetrics;
}

export interface RunningConsumer {
  /** Stops taking messages, waits for the handlers in flight, then closes the subscription. Messages received
   *  but not started are not acknowledged: the broker redelivers them. */
  stop(): Promise<void>;
}

/** Property names set on messages this loop dead-letters. */
export const DEAD_LETTER_REASON = 'dead-letter-reason';
export const DEAD_LETTER_ORIGIN = 'dead-letter-origin';

/**
 * The one consumer loop: bounded concurrency, per-key order, and the ack / retry / dead-letter rules.
 * Per-key order holds for messages delivered together; a retried message is redelivered later, after its
 * successors, so handlers must tolerate out-of-order and repeated events (they are idempotent by event id).
 */
export async function consume(
  transport: PulsarTransport,
  subscription: SubscriptionDefinition,
  handler: MessageHandler,
  options: ConsumeOptions,
): Promise<RunningConsumer> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new Error(`consumer concurrency must be a positive integer, got ${options.concurrency}`);
  }
  initConsumerSeries(subscription.topic, subscription.subscription);
  const ownsDeadLetterProducer = options.deadLetterProducer === undefined;
  const deadLetter = options.deadLetterProducer ?? (await transport.createProducer(subscription.deadLetter.topic));
  const loop = new KeyedLoop(subscription, handler, options, deadLetter);
  try {
    loop.start(await transport.subscribe(subscription, (message) => loop.enqueue(message)));
  } catch (error) {
    if (ownsDeadLetterProducer) await deadLetter.close();
    throw error;
  }
  return {
    stop: async () => {
      await loop.drain();
      await loop.consumer?.close();
      if (ownsDeadLetterProducer) await deadLetter.close();
    },
  };
}

class KeyedLoop {
  /** Set once subscribed: messages that arrive earlier wait in their queues. */
  consumer: Consumer | undefined;
  private readonly queues = new Map<string, IncomingMessage[]>();
  /** Keys with queued messages and no handler running, in arrival order. */
  private readonly ready: string[] = [];
  private running = 0;
  private stopping = false;
  private drained: (() => void) | undefined;

  constructor(
    private readonly subscription: SubscriptionDefinition,
    private readonly handler: MessageHandler,
    private readonly options: ConsumeOptions,
    private readonly deadLetter: Producer,
  ) {}

  enqueue(message: IncomingMessage): void {
    if (this.stopping) return;
    // Messages without a key have no order to keep: each is its own queue.
    const key = message.key === undefined || message.key === '' ? `\u0000${message.id}` : message.key;
    const queue = this.queues.get(key);
    if (queue) return void queue.push(message);
    this.queues.set(key, [message]);
    this.ready.push(key);
    this.pump();
  }

  start(consumer: Consumer): void {
    this.consumer = consumer;
    this.pump();
  }

  drain(): Promise<void> {
    this.stopping = true;
    this.ready.length = 0;
    this.queues.clear();
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drained = resolve;
    });
  }

  private pump(): void {
    while (this.consumer && !this.stopping && this.running < this.options.concurrency && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      this.running++;
      void this.runKey(key);
    }
  }

  /** Handles one message of `key`, then gives the slot back so other keys get their turn. */
  private async runKey(key: string): Promise<void> {
    const queue = this.queues.get(key);
    const message = queue?.shift();
    if (message) await this.handle(message);
    this.running--;
    if (queue && queue.length > 0 && !this.stopping) this.ready.push(key);
    else this.queues.delete(key);
    if (this.stopping && this.running === 0) this.drained?.();
    this.pump();
  }

  private async handle(message: IncomingMessage): Promise<void> {
    const startedAt = Date.now();
    const started = performance.now();
    const { subscription, deadLetter } = this.subscription;
    const outcome = await tracedProcess(message, subscription, async (span) => {
      const result = await this.handleTraced(message);
      span.setAttribute('addispay.outcome', result);
      return result;
    });
    const durationSeconds = (performance.now() - started) / 1000;
    const { maxRedeliverCount } = deadLetter;
    recordConsumed({ message, subscription, outcome, durationSeconds, maxRedeliverCount, startedAt });
    this.options.metrics?.handled(outcome, durationSeconds);
  }

  private async handleTraced(message: IncomingMessage): Promise<Outcome> {
    const context = {
      topic: message.topic,
      subscription: this.subscription.subscription,
      key: message.key,
      redeliveryCount: message.redeliveryCount,
    };
    try {
      const disposition = await this.handler(message);
      await this.settle(message, disposition, context);
      return disposition.kind;
    } catch (error) {
      this.options.logger.error({ ...context, err: error }, 'message handler failed; the message will be redelivered');
      this.consumer?.negativeAcknowledge(message);
      return 'error';
    }
  }

  private async settle(message: IncomingMessage, disposition: Disposition, context: object): Promise<void> {
    switch (disposition.kind) {
      case 'ack':
        return this.acknowledge(message, context);
      case 'retry':
        this.options.logger.warn({ ...context, reason: disposition.reason }, 'message will be redelivered');
        return this.consumer?.negativeAcknowledge(message);
      case 'poison':
        return this.deadLetterNow(message, disposition.reason, context);
      default: {
        const unknown: never = disposition;
        throw new Error(`unknown disposition ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async deadLetterNow(message: IncomingMessage, reason: string, context: object): Promise<void> {
    try {
      await this.deadLetter.send({
        key: message.key ?? '',
        payload: message.payload,
        properties: { ...message.properties, [DEAD_LETTER_REASON]: reason, [DEAD_LETTER_ORIGIN]: message.topic },
      });
    } catch (error) {
      this.options.logger.error({ ...context, reason, err: error }, 'dead-lettering failed; will retry');
      return this.consumer?.negativeAcknowledge(message);
    }
    this.options.logger.warn({ ...context, reason, deadLetterTopic: this.deadLetter.topic }, 'message dead-lettered');
    await this.acknowledge(message, context);
  }

  private async acknowledge(message: IncomingMessage, context: object): Promise<void> {
    try {
      await this.consumer?.acknowledge(message);
    } catch (error) {
      // Not lost: the broker redelivers it, and handlers are idempotent.
      this.options.logger.warn({ ...context, err: error }, 'acknowledgement failed; the message will come again');
    }
  }
}
