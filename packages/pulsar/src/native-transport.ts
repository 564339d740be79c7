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

/*
 * The PulsarTransport over the native `pulsar-client` package (N-API binding of the C++ client). It is an
 * optionalDependency whose install downloads a prebuilt binary, so it is absent where that host is unreachable:
 * it is loaded lazily, and typed with the small part of its API used here (pulsar-client 1.x index.d.ts).
 */

interface NativeMessageId {
  serialize(): Buffer;
}

interface NativeMessage {
  getTopicName(): string;
  getProperties(): Record<string, string>;
  getData(): Buffer;
  getMessageId(): NativeMessageId;
  getPublishTimestamp(): number;
  getPartitionKey(): string;
  getRedeliveryCount(): number;
}

interface NativeProducer {
  send(message: { data: Buffer; properties?: Record<string, string>; partitionKey?: string }): Promise<unknown>;
  flush(): Promise<null>;
  close(): Promise<null>;
}

interface NativeConsumer {
  acknowledge(message: NativeMessage): Promise<null>;
  negativeAcknowledge(message: NativeMessage): void;
  close(): Promise<null>;
}

interface NativeReader {
  close(): Promise<null>;
}

interface NativeClient {
  createProducer(config: { topic: string; sendTimeoutMs?: number; batchingEnabled?: boolean }): Promise<NativeProducer>;
  subscribe(config: {
    topic: string;
    subscription: string;
    subscriptionType: 'Exclusive' | 'Shared' | 'Failover' | 'KeyShared';
    subscriptionInitialPosition?: 'Earliest' | 'Latest';
    receiverQueueSize?: number;
    nAckRedeliverTimeoutMs?: number;
    deadLetterPolicy?: { deadLetterTopic: string; maxRedeliverCount: number };
    listener: (message: NativeMessage, consumer: NativeConsumer) => void;
  }): Promise<NativeConsumer>;
  createReader(config: {
    topic: string;
    startMessageId: NativeMessageId;
    listener: (message: NativeMessage, reader: NativeReader) => void;
  }): Promise<NativeReader>;
  close(): Promise<null>;
}

interface NativeModule {
  Client: new (config: {
    serviceUrl: string;
    authentication?: unknown;
    operationTimeoutSeconds?: number;
  }) => NativeClient;
  AuthenticationToken: new (config: { token: string }) => unknown;
  MessageId: { latest(): NativeMessageId };
}

export class NativePulsarUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      'the native Pulsar client (npm package pulsar-client) could not be loaded: it is an optional dependency whose ' +
        'install downloads a prebuilt binary, so it is missing where that download failed. Use the WebSocket ' +
        `transport (PULSAR_TRANSPORT=websocket) or install pulsar-client with network access. Cause: ${String(cause)}`,
      { cause },
    );
    this.name = 'NativePulsarUnavailableError';
  }
}

/** Loads pulsar-client; throws NativePulsarUnavailableError when it is not installed or its binary is missing. */
export async function loadNativeModule(): Promise<NativeModule> {
  const name = 'pulsar-client'; // through a variable: no compile-time dependency on the package
  try {
    const loaded = (await import(name)) as { default?: NativeModule } & Partial<NativeModule>;
    const module = (loaded.default ?? loaded) as NativeModule;
    if (typeof module.Client !== 'function') throw new Error('pulsar-client exports no Client');
    return module;
  } catch (error) {
    throw new NativePulsarUnavailableError(error instanceof Error ? error.message : error);
  }
}

export interface NativeTransportOptions {
  /** pulsar://host:6650 or pulsar+ssl://host:6651 */
  readonly url: string;
  readonly token?: string | undefined;
  readonly sendTimeoutMs?: number;
}

export class NativeTransport implements PulsarTransport {
  readonly kind = 'native' as const;

  private constructor(
    private readonly pulsar: NativeModule,
    private readonly client: NativeClient,
    private readonly options: NativeTransportOptions,
  ) {}

  static async connect(options: NativeTransportOptions): Promise<NativeTransport> {
    const pulsar = await loadNativeModule();
    const client = new pulsar.Client({
      serviceUrl: options.url,
      operationTimeoutSeconds: 30,
      ...(options.token ? { authentication: new pulsar.AuthenticationToken({ token: options.token }) } : {}),
    });
    return new NativeTransport(pulsar, client, options);
  }

  async createProducer(topic: string): Promise<Producer> {
    const producer = await this.client.createProducer({
      topic,
      sendTimeoutMs: this.options.sendTimeoutMs ?? 30_000,
      batchingEnabled: false,
    });
    return {
      topic,
      send: async (message: OutgoingMessage) => {
        // partitionKey is also the key Key_Shared dispatches on (orderingKey is unset).
        await producer.send({
          data: Buffer.from(message.payload),
          properties: { ...message.properties },
          partitionKey: message.key,
        });
      },
      close: async () => {
        await producer.flush().catch(() => null);
        await producer.close();
      },
    };
  }

  async subscribe(options: SubscriptionOptions, listener: MessageListener): Promise<Consumer> {
    // The native API acknowledges message objects, the port acknowledges ids: keep the objects until settled.
    const delivered = new Map<string, NativeMessage>();
    const consumer = await this.client.subscribe({
      topic: options.topic,
      subscription: options.subscription,
      subscriptionType: options.type === 'Key_Shared' ? 'KeyShared' : options.type,
      subscriptionInitialPosition: options.initialPosition ?? 'Latest',
      ...(options.receiverQueueSize !== undefined ? { receiverQueueSize: options.receiverQueueSize } : {}),
      ...(options.negativeAckRedeliveryDelayMs !== undefined
        ? { nAckRedeliverTimeoutMs: options.negativeAckRedeliveryDelayMs }
        : {}),
      ...(options.deadLetter
        ? {
            deadLetterPolicy: {
              deadLetterTopic: options.deadLetter.topic,
              maxRedeliverCount: options.deadLetter.maxRedeliverCount,
            },
          }
        : {}),
      listener: (native) => {
        const message = toIncoming(native, options.topic);
        delivered.set(message.id, native);
        listener(message);
      },
    });
    const take = (message: IncomingMessage): NativeMessage => {
      const native = delivered.get(message.id);
      if (!native) throw new Error(`message ${message.id} was not delivered by this consumer or is already settled`);
      delivered.delete(message.id);
      return native;
    };
    return {
      acknowledge: async (message) => {
        await consumer.acknowledge(take(message));
      },
      negativeAcknowledge: (message) => consumer.negativeAcknowledge(take(message)),
      close: async () => {
        await consumer.close();
      },
    };
  }

  async read(topic: string, listener: MessageListener): Promise<Reader> {
    const reader = await this.client.createReader({
      topic,
      startMessageId: this.pulsar.MessageId.latest(),
      listener: (native) => listener(toIncoming(native, topic)),
    });
    return {
      close: async () => {
        await reader.close();
      },
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function toIncoming(native: NativeMessage, topic: string): IncomingMessage {
  const key = native.getPartitionKey();
  return {
    id: native.getMessageId().serialize().toString('base64'),
    topic,
    key: key === '' ? undefined : key,
    payload: new Uint8Array(native.getData()),
    properties: native.getProperties(),
    publishTime: new Date(native.getPublishTimestamp()),
    redeliveryCount: native.getRedeliveryCount(),
  };
}
