import type { BackoffPolicy } from '@addispay/runtime';
import { ReconnectingSocket, type ConnectionLogger, type ReconnectingSocketOptions } from './websocket-connection.js';
import type {
  Consumer,
  IncomingMessage,
  MessageListener,
  OutgoingMessage,
  Producer,
  PulsarTransport,
  Reader,
  SubscriptionOptions,
} from './transport.js';

export interface WebSocketTransportOptions {
  /** ws://host:port or wss://host:port (the broker's or proxy's web service port). */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>` on every upgrade request. */
  readonly token?: string | undefined;
  readonly logger?: ConnectionLogger | undefined;
  /** How long a send may wait for a connection and then for the broker's receipt. */
  readonly sendTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly backoff?: BackoffPolicy;
}

interface Closable {
  close(): Promise<void>;
}

/**
 * The PulsarTransport over Pulsar's WebSocket API (pure JS). Each producer, consumer and reader is its own socket;
 * the broker runs a Java client behind each, so broker-side dead-lettering and redelivery delays apply as usual.
 */
export class WebSocketTransport implements PulsarTransport {
  readonly kind = 'websocket' as const;
  private readonly base: string;
  private readonly open = new Set<Closable>();

  constructor(private readonly options: WebSocketTransportOptions) {
    this.base = `${options.url.replace(/\/+$/, '')}/ws/v2`;
  }

  async createProducer(topic: string): Promise<Producer> {
    const sendTimeoutMs = this.options.sendTimeoutMs ?? 30_000;
    const url = `${this.base}/producer/${topicPath(topic)}?sendTimeoutMillis=${sendTimeoutMs}`;
    const producer = new WebSocketProducer(topic, sendTimeoutMs);
    producer.socket = await ReconnectingSocket.open(
      this.socketOptions(
        () => url,
        (text) => producer.onFrame(text),
        (error) => producer.onDrop(error),
      ),
    );
    return this.track(producer);
  }

  async subscribe(options: SubscriptionOptions, listener: MessageListener): Promise<Consumer> {
    const query = new URLSearchParams({ subscriptionType: options.type });
    if (options.initialPosition) query.set('subscriptionInitialPosition', options.initialPosition);
    if (options.receiverQueueSize !== undefined) query.set('receiverQueueSize', String(options.receiverQueueSize));
    if (options.negativeAckRedeliveryDelayMs !== undefined) {
      query.set('negativeAckRedeliveryDelay', String(options.negativeAckRedeliveryDelayMs));
    }
    if (options.deadLetter) {
      query.set('deadLetterTopic', options.deadLetter.topic);
      query.set('maxRedeliverCount', String(options.deadLetter.maxRedeliverCount));
    }
    const url = `${this.base}/consumer/${topicPath(options.topic)}/${encodeURIComponent(options.subscription)}?${query}`;
    const consumer = new WebSocketConsumer(options.topic, this.options.sendTimeoutMs ?? 30_000);
    consumer.socket = await ReconnectingSocket.open(
      this.socketOptions(
        () => url,
        (text) => {
          const message = parseMessage(text, options.topic);
          if (message) listener(message);
        },
      ),
    );
    return this.track(consumer);
  }

  async read(topic: string, listener: MessageListener): Promise<Reader> {
    // After a reconnect the reader resumes after the last message it delivered (the start id is exclusive).
    let lastId = 'latest';
    const url = (): string => `${this.base}/reader/${topicPath(topic)}?messageId=${encodeURIComponent(lastId)}`;
    // The broker stops pushing after receiverQueueSize unacknowledged messages: acks are the reader's permits.
    let permit: (id: string) => void = () => undefined;
    const socket = await ReconnectingSocket.open(
      this.socketOptions(url, (text) => {
        const message = parseMessage(text, topic);
        if (!message) return;
        lastId = message.id;
        permit(message.id);
        listener(message);
      }),
    );
    permit = (id) => socket.send(JSON.stringify({ messageId: id }));
    return this.track({ close: () => socket.close() });
  }

  async close(): Promise<void> {
    await Promise.all([...this.open].map((item) => item.close()));
  }

  private socketOptions(
    url: () => string,
    onMessage: (text: string) => void,
    onDrop?: (error: Error) => void,
  ): ReconnectingSocketOptions {
    return {
      url,
      token: this.options.token,
      onMessage,
      onDrop,
      logger: this.options.logger,
      pingIntervalMs: this.options.pingIntervalMs ?? 30_000,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 30_000,
      backoff: this.options.backoff ?? { initialMs: 200, maxMs: 10_000 },
    };
  }

  private track<T extends Closable>(item: T): T {
    this.open.add(item);
    const close = item.close.bind(item);
    item.close = async () => {
      this.open.delete(item);
      await close();
    };
    return item;
  }
}

interface PendingSend {
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

class WebSocketProducer implements Producer {
  socket: ReconnectingSocket | undefined;
  private readonly pending = new Map<string, PendingSend>();
  private nextContext = 0;

  constructor(
    readonly topic: string,
    private readonly sendTimeoutMs: number,
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    const socket = this.socket;
    if (!socket) throw new Error('producer is closed');
    await socket.whenOpen(this.sendTimeoutMs);
    const context = String(++this.nextContext);
    const frame = JSON.stringify({
      payload: Buffer.from(message.payload).toString('base64'),
      properties: message.properties ?? {},
      key: message.key,
      context,
    });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(context);
        reject(new Error(`no receipt from the broker for ${this.topic} within ${this.sendTimeoutMs} ms`));
      }, this.sendTimeoutMs);
      this.pending.set(context, { resolve, reject, timer });
      if (!socket.send(frame)) this.settle(context, new Error(`connection to the broker for ${this.topic} lost`));
    });
  }

  onFrame(text: string): void {
    const receipt = JSON.parse(text) as { result?: string; context?: string; errorMsg?: string };
    if (receipt.context === undefined) return;
    const error = receipt.result === 'ok' ? undefined : new Error(`${receipt.result}: ${receipt.errorMsg ?? ''}`);
    this.settle(receipt.context, error);
  }

  /** The socket dropped: whether in-flight messages were stored is unknown, so their senders retry. */
  onDrop(cause: Error): void {
    for (const context of [...this.pending.keys()]) {
      this.settle(context, new Error(`connection to the broker for ${this.topic} lost: ${cause.message}`));
    }
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.onDrop(new Error('producer closed'));
    await socket?.close();
  }

  private settle(context: string, error: Error | undefined): void {
    const pending = this.pending.get(context);
    if (!pending) return;
    this.pending.delete(context);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve();
  }
}

class WebSocketConsumer implements Consumer {
  socket: ReconnectingSocket | undefined;

  constructor(
    readonly topic: string,
    private readonly ackTimeoutMs: number,
  ) {}

  /**
   * Message ids stay valid across reconnects, so an ack waits for the connection to come back. The broker sends
   * no receipt for acks: this resolves once the ack is on the wire.
   */
  async acknowledge(message: IncomingMessage): Promise<void> {
    const socket = this.socket;
    if (!socket) throw new Error('consumer is closed');
    await socket.whenOpen(this.ackTimeoutMs);
    if (!socket.send(JSON.stringify({ messageId: message.id }))) {
      throw new Error(`connection to the broker for ${this.topic} lost before the ack was sent`);
    }
  }

  /** Without a connection the broker redelivers the message anyway once the session is gone. */
  negativeAcknowledge(message: IncomingMessage): void {
    this.socket?.send(JSON.stringify({ type: 'negativeAcknowledge', messageId: message.id }));
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    await socket?.close();
  }
}

interface MessageFrame {
  messageId?: string;
  payload?: string;
  properties?: Record<string, string>;
  publishTime?: string;
  redeliveryCount?: number;
  key?: string;
}

function parseMessage(text: string, topic: string): IncomingMessage | undefined {
  const frame = JSON.parse(text) as MessageFrame;
  if (typeof frame.messageId !== 'string' || typeof frame.payload !== 'string') return undefined;
  return {
    id: frame.messageId,
    topic,
    key: frame.key,
    payload: new Uint8Array(Buffer.from(frame.payload, 'base64')),
    properties: frame.properties ?? {},
    publishTime: frame.publishTime ? new Date(frame.publishTime) : new Date(0),
    redeliveryCount: frame.redeliveryCount ?? 0,
  };
}

/** persistent://tenant/ns/topic → persistent/tenant/ns/topic (the WebSocket API's path form). */
export function topicPath(topic: string): string {
  const match = /^(persistent|non-persistent):\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(topic);
  if (!match) throw new Error(`expected a fully qualified topic name (persistent://tenant/ns/topic), got ${topic}`);
  return [match[1], match[2], match[3], encodeURIComponent(match[4] ?? '')].join('/');
}
