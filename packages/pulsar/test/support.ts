import { randomUUID } from 'node:crypto';
import { NativePulsarUnavailableError, NativeTransport } from '../src/native-transport.js';
import { applyTopology, deleteTopics } from '../src/topology-admin.js';
import { loadTopology, type Topology } from '../src/topology.js';
import type { PulsarTransport } from '../src/transport.js';
import { WebSocketTransport } from '../src/websocket-transport.js';
import type { ConsumerLogger } from '../src/consumer.js';

// test/global-setup.ts starts the broker and sets these; the defaults are scripts/pulsar.sh's ports.
const WEB_PORT = process.env.PULSAR_WEB_PORT ?? '8080';
const DEFAULTS: Record<string, string> = {
  PULSAR_ADMIN_URL: `http://127.0.0.1:${WEB_PORT}`,
  PULSAR_WEBSOCKET_URL: `ws://127.0.0.1:${WEB_PORT}`,
  PULSAR_NATIVE_URL: `pulsar://127.0.0.1:${process.env.PULSAR_BROKER_PORT ?? '6650'}`,
};

export const adminUrl = (): string => brokerEnv('PULSAR_ADMIN_URL');

export function brokerEnv(name: 'PULSAR_ADMIN_URL' | 'PULSAR_WEBSOCKET_URL' | 'PULSAR_NATIVE_URL'): string {
  return process.env[name] || (DEFAULTS[name] as string);
}

export interface AdapterUnderTest {
  readonly name: 'websocket' | 'native';
  /** Undefined when the adapter loads here; otherwise why not. */
  readonly unavailable?: string;
  connect(): Promise<PulsarTransport>;
}

/** Every adapter of the port; the ones that cannot load on this machine say why. */
export async function adapters(): Promise<AdapterUnderTest[]> {
  const websocket: AdapterUnderTest = {
    name: 'websocket',
    connect: async () => new WebSocketTransport({ url: brokerEnv('PULSAR_WEBSOCKET_URL') }),
  };
  let unavailable: string | undefined;
  try {
    await (await NativeTransport.connect({ url: brokerEnv('PULSAR_NATIVE_URL') })).close();
  } catch (error) {
    if (!(error instanceof NativePulsarUnavailableError)) throw error;
    unavailable = 'npm package pulsar-client (optional dependency, prebuilt binary) is not installed here';
  }
  const native: AdapterUnderTest = {
    name: 'native',
    ...(unavailable ? { unavailable } : {}),
    connect: () => NativeTransport.connect({ url: brokerEnv('PULSAR_NATIVE_URL') }),
  };
  return [websocket, native];
}

export interface SuiteTopology extends Topology {
  /** A fresh topic name in the project namespace (auto-created on first use), deleted by remove(). */
  uniqueTopic(label: string): string;
  /** Deletes every topic of the suite. */
  remove(): Promise<void>;
}

/** The project topology under unique topic names, applied to the broker. */
export async function suiteTopology(suite: string): Promise<SuiteTopology> {
  const topology = loadTopology({ topicSuffix: `-${suite}-${randomUUID().slice(0, 8)}` });
  await applyTopology(topology, { adminUrl: adminUrl() });
  const topics = [...topology.topics.map((topic) => topic.fullName), ...topology.deadLetterTopics];
  return {
    ...topology,
    uniqueTopic: (label) => {
      const name = `persistent://${topology.namespace.name}/${suite}-${label}-${randomUUID().slice(0, 8)}`;
      topics.push(name, `${name}-DLQ`);
      return name;
    },
    remove: () => deleteTopics(topics, { adminUrl: adminUrl() }),
  };
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const text = (payload: Uint8Array): string => Buffer.from(payload).toString('utf8');
export const bytes = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'utf8'));

/** Backlog of a subscription, from the broker's own statistics. */
export async function backlog(topic: string, subscription: string): Promise<number> {
  const path = topic.replace('persistent://', 'persistent/');
  const response = await fetch(`${adminUrl()}/admin/v2/${path}/stats`);
  if (!response.ok) throw new Error(`stats of ${topic}: HTTP ${response.status}`);
  const stats = (await response.json()) as { subscriptions: Record<string, { msgBacklog: number }> };
  const sub = stats.subscriptions[subscription];
  if (!sub) throw new Error(`no subscription ${subscription} on ${topic}`);
  return sub.msgBacklog;
}

export interface CapturedLog {
  readonly level: 'debug' | 'warn' | 'error';
  readonly details: Record<string, unknown>;
  readonly message: string;
}

export function capturingLogger(): ConsumerLogger & { readonly entries: CapturedLog[] } {
  const entries: CapturedLog[] = [];
  const at =
    (level: CapturedLog['level']) =>
    (details: object, message: string): void => {
      entries.push({ level, details: details as Record<string, unknown>, message });
    };
  return { entries, debug: at('debug'), warn: at('warn'), error: at('error') };
}
