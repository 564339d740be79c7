/**
 * The broker's own limit, measured with Pulsar's pulsar-perf (the pulsar-testclient jar that scripts/pulsar.sh
 * installs with the broker) over the native binary protocol: one unbatched producer (the services send one message
 * at a time) at an unbounded rate (-r 1000000, the default would cap it at 100 msg/s) and one Key_Shared consumer.
 *
 *   node --conditions=development --import tsx bench/limits/pulsar-perf.ts [--seconds 10]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { deleteTopics } from '@addispay/pulsar';
import { PULSAR_ADMIN_URL, repositoryRoot } from '@addispay/testkit';

export interface BrokerLimit {
  readonly transport: 'native (pulsar-perf)';
  readonly produced_per_s: number;
  readonly produce_p50_ms: number;
  readonly produce_p99_ms: number;
  readonly received: number;
  readonly sent: number;
  /** Publish → receive, as pulsar-perf's consumer measures it. */
  readonly end_to_end_p50_ms: number;
  readonly end_to_end_p99_ms: number;
}

const PULSAR_VERSION = '4.0.8';

function perfCommand(confFile: string): string[] {
  const cache = process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache');
  const lib = join(cache, 'addispay', `pulsar-${PULSAR_VERSION}`, 'lib');
  const jar = join(lib, `org.apache.pulsar.pulsar-testclient-${PULSAR_VERSION}.jar`);
  try {
    readFileSync(jar, { flag: 'r' }).subarray(0, 1);
  } catch {
    throw new Error(
      `${jar} is missing: run scripts/pulsar.sh install (the testclient jar comes with the broker's lib)`,
    );
  }
  // HdrHistogram recorders need more than 256 MB of heap at start-up.
  return [
    '-Xmx512m',
    '-XX:+UseSerialGC',
    '-cp',
    `${lib}/*`,
    'org.apache.pulsar.testclient.PulsarPerfTestTool',
    confFile,
  ];
}

function run(args: string[], logFile: string): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      writeFileSync(logFile, output);
      resolve(code);
    }),
  );
  return { child, exited };
}

/** Seconds between two log lines' timestamps (pulsar-perf's own rate also counts its start-up). */
function window(log: string, from: RegExp, to: RegExp): number {
  const at = (pattern: RegExp): number => {
    const line = log.split('\n').find((text) => pattern.test(text));
    const stamp = line && /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d),(\d{3})/.exec(line);
    if (!stamp) throw new Error(`no log line matching ${pattern} in pulsar-perf's output`);
    return Date.parse(`${stamp[1]}.${stamp[2]}Z`);
  };
  return (at(to) - at(from)) / 1000;
}

function aggregated(log: string, kind: 'sent' | 'received'): { count: number; rate: number; p50: number; p99: number } {
  const throughput = new RegExp(`Aggregated throughput stats --- (\\d+) records ${kind} --- ([\\d.]+) msg/s`).exec(log);
  const latency =
    /Aggregated latency stats --- Latency: mean:\s*[\d.]+ ms - med:\s*([\d.]+) - 95pct:\s*[\d.]+ - 99pct:\s*([\d.]+)/.exec(
      log,
    );
  if (!throughput || !latency)
    throw new Error(`pulsar-perf printed no aggregated stats; its output:\n${log.slice(-2000)}`);
  return {
    count: Number(throughput[1]),
    rate: Number(throughput[2]),
    p50: Number(latency[1]),
    p99: Number(latency[2]),
  };
}

async function subscriptionExists(topic: string, subscription: string): Promise<boolean> {
  const path = topic.replace('persistent://', 'persistent/');
  const response = await fetch(`${PULSAR_ADMIN_URL}/admin/v2/${path}/subscriptions`).catch(() => undefined);
  return response?.ok === true && ((await response.json()) as string[]).includes(subscription);
}

export async function measureBroker(seconds: number): Promise<BrokerLimit> {
  const dir = join(repositoryRoot(), '.local', 'bench');
  mkdirSync(dir, { recursive: true });
  const confFile = join(dir, 'pulsar-perf-client.conf');
  const brokerUrl = PULSAR_ADMIN_URL.replace(/^http/, 'pulsar').replace(/:\d+$/, ':6650');
  writeFileSync(confFile, `brokerServiceUrl=${brokerUrl}/\nwebServiceUrl=${PULSAR_ADMIN_URL}/\n`);
  const topic = `persistent://addispay/platform/bench-perf-${randomBytes(4).toString('hex')}`;
  const base = perfCommand(confFile);
  const consumer = run([...base, 'consume', '-ss', 'bench', '-st', 'Key_Shared', topic], join(dir, 'perf-consume.log'));
  try {
    const deadline = Date.now() + 60_000;
    while (!(await subscriptionExists(topic, 'bench'))) {
      if (Date.now() > deadline || consumer.child.exitCode !== null)
        throw new Error('pulsar-perf consumer did not subscribe');
      await sleep(500);
    }
    const producer = run(
      [...base, 'produce', '-r', '1000000', '-s', '200', '-db', '-o', '1000', '-time', String(seconds), topic],
      join(dir, 'perf-produce.log'),
    );
    await producer.exited;
    await sleep(3_000);
    consumer.child.kill('SIGTERM'); // its shutdown hook prints the aggregated stats
    await consumer.exited;
    const produceLog = readFileSync(join(dir, 'perf-produce.log'), 'utf8');
    const produced = aggregated(produceLog, 'sent');
    const sending = window(produceLog, /Created \d+ producers/, /Aggregated throughput stats/);
    const received = aggregated(readFileSync(join(dir, 'perf-consume.log'), 'utf8'), 'received');
    return {
      transport: 'native (pulsar-perf)',
      produced_per_s: Math.round(produced.count / sending),
      produce_p50_ms: produced.p50,
      produce_p99_ms: produced.p99,
      sent: produced.count,
      received: received.count,
      end_to_end_p50_ms: received.p50,
      end_to_end_p99_ms: received.p99,
    };
  } finally {
    if (consumer.child.exitCode === null) consumer.child.kill('SIGKILL');
    await deleteTopics([topic], { adminUrl: PULSAR_ADMIN_URL }).catch(() => undefined);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' } } });
  console.log(JSON.stringify(await measureBroker(Number(values.seconds))));
}
