/**
 * Produce-to-consume rate and latency of the transport the services use: packages/pulsar's WebSocketTransport,
 * one producer and one Key_Shared consumer (as the services subscribe) on a fresh topic, N messages of the size
 * of an order event, `inFlight` sends awaiting their receipts at once, every message acknowledged.
 *
 *   node --conditions=development --import tsx bench/limits/pulsar-websocket.ts [--messages 20000] [--in-flight 200]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { deleteTopics, WebSocketTransport } from '@addispay/pulsar';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PULSAR_ADMIN_URL, PULSAR_WS_URL, repositoryRoot } from '@addispay/testkit';
import { cpuSeconds } from '../processes.js';
import { round, summarize } from '../stats.js';

export interface TransportLimit {
  readonly transport: 'websocket';
  readonly messages: number;
  readonly in_flight: number;
  /** Messages per second from the first send to the last message consumed. */
  readonly messages_per_s: number;
  /** Send → consumed, in the same process (same clock). */
  readonly p50_ms: number;
  readonly p99_ms: number;
  /** CPU of this client process and of the broker (when its pid file is there) per message. */
  readonly client_cpu_ms_per_message: number;
  readonly broker_cpu_ms_per_message: number | null;
}

function brokerCpuSeconds(): number | undefined {
  const pidFile = join(repositoryRoot(), '.local', 'pulsar', 'pulsar.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return existsSync(`/proc/${pid}`) ? cpuSeconds(pid) : undefined;
}

export async function measureWebSocketTransport(messages: number, inFlight: number): Promise<TransportLimit> {
  const topic = `persistent://addispay/platform/bench-ws-${randomBytes(4).toString('hex')}`;
  const transport = new WebSocketTransport({ url: PULSAR_WS_URL });
  const latencies: number[] = [];
  let allConsumed: () => void = () => undefined;
  const consumed = new Promise<void>((resolve) => (allConsumed = resolve));
  const payload = randomBytes(180);
  try {
    const consumer = await transport.subscribe(
      { topic, subscription: 'bench', type: 'Key_Shared', initialPosition: 'Earliest' },
      (message) => {
        latencies.push(performance.now() - Number(message.properties['sent-at']));
        void consumer.acknowledge(message);
        if (latencies.length === messages) allConsumed();
      },
    );
    const producer = await transport.createProducer(topic);
    let next = 0;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const brokerBefore = brokerCpuSeconds();
    const sender = async (): Promise<void> => {
      while (next < messages) {
        const index = next++;
        await producer.send({
          key: `order-${index % 5000}`,
          payload,
          properties: { 'sent-at': String(performance.now()), 'event-type': 'OrderPlaced' },
        });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, sender));
    await consumed;
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const brokerAfter = brokerCpuSeconds();
    const { p50_ms, p99_ms } = summarize(latencies);
    return {
      transport: 'websocket',
      messages,
      in_flight: inFlight,
      messages_per_s: round(messages / seconds, 0),
      p50_ms,
      p99_ms,
      client_cpu_ms_per_message: round((cpu.user + cpu.system) / 1000 / messages, 3),
      broker_cpu_ms_per_message:
        brokerBefore !== undefined && brokerAfter !== undefined
          ? round(((brokerAfter - brokerBefore) * 1000) / messages, 3)
          : null,
    };
  } finally {
    await transport.close();
    await deleteTopics([topic], { adminUrl: PULSAR_ADMIN_URL }).catch(() => undefined);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { messages: { type: 'string', default: '20000' }, 'in-flight': { type: 'string', default: '200' } },
  });
  console.log(JSON.stringify(await measureWebSocketTransport(Number(values.messages), Number(values['in-flight']))));
}
