/**
 * The port every Pulsar adapter implements. Two real implementations stand behind it: the WebSocket API
 * (pure JS, runs everywhere) and the native `pulsar-client` (production images). Services never see which.
 */

export interface OutgoingMessage {
  /** Ordering key: all messages of one order carry the order id, so Key_Shared keeps them in order. */
  readonly key: string;
  readonly payload: Uint8Array;
  /** Event id, event type and W3C trace context travel here. */
  readonly properties?: Readonly<Record<string, string>>;
}

export interface IncomingMessage {
  /** Opaque, adapter-specific id used to acknowledge. */
  readonly id: string;
  readonly topic: string;
  readonly key: string | undefined;
  readonly payload: Uint8Array;
  readonly properties: Readonly<Record<string, string>>;
  readonly publishTime: Date;
  /** How many times the broker delivered this message before (0 on first delivery). */
  readonly redeliveryCount: number;
}

export interface Producer {
  readonly topic: string;
  /** Resolves once the broker has persisted the message; rejects if it did not. */
  send(message: OutgoingMessage): Promise<void>;
  close(): Promise<void>;
}

export type SubscriptionType = 'Exclusive' | 'Shared' | 'Failover' | 'Key_Shared';

export interface SubscriptionOptions {
  readonly topic: string;
  readonly subscription: string;
  readonly type: SubscriptionType;
  readonly initialPosition?: 'Earliest' | 'Latest';
  /** Delay before the broker redelivers a negatively acknowledged message. */
  readonly negativeAckRedeliveryDelayMs?: number;
  /** Broker-side dead-lettering after too many redeliveries (transient failures that never heal). */
  readonly deadLetter?: { readonly topic: string; readonly maxRedeliverCount: number };
  readonly receiverQueueSize?: number;
}

/**
 * Called for every delivered message. Adapters do not wait for one call to finish before the next:
 * ordering and concurrency are the consumer loop's business (see consumer.ts).
 */
export type MessageListener = (message: IncomingMessage) => void;

export interface Consumer {
  acknowledge(message: IncomingMessage): Promise<void>;
  negativeAcknowledge(message: IncomingMessage): void;
  close(): Promise<void>;
}

export interface Reader {
  close(): Promise<void>;
}

export interface PulsarTransport {
  readonly kind: 'websocket' | 'native';
  createProducer(topic: string): Promise<Producer>;
  subscribe(options: SubscriptionOptions, listener: MessageListener): Promise<Consumer>;
  /** A non-durable reader from the latest message: every replica sees every message (fan-out). */
  read(topic: string, listener: MessageListener): Promise<Reader>;
  close(): Promise<void>;
}
