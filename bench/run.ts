/**
 * The end-to-end benchmark (`make bench` → scripts/bench.sh): measures the limits (Pulsar through pulsar-perf and
 * through the WebSocket transport the services use, MariaDB's commit rate), then the running local stack with ghz
 * and with `addispay load` (closed loops to find the maximum, open loops for latency at fixed rates), with CPU and
 * peak RSS per process. Writes bench/results/<timestamp>.json and the platform section of docs/benchmarks.md.
 *
 *   node --conditions=development --import tsx bench/run.ts [--duration 20] [--quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repositoryRoot } from '@addispay/testkit';
import { measureCommitRate } from './limits/mariadb-commits.js';
import { measureBroker } from './limits/pulsar-perf.js';
import { measureWebSocketTransport } from './limits/pulsar-websocket.js';
import { openStack, runGhz, runLoad, type StepResult } from './platform.js';
import { loadAverage, peakRssMb, processEnv, stackProcesses } from './processes.js';
import { updateBenchmarksDoc } from './report.js';
import { round } from './stats.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    quick: { type: 'boolean', default: false },
    'skip-limits': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    note: { type: 'string', default: '' },
  },
});
const quick = values.quick;
const duration = quick ? 4 : Number(values.duration);
const root = repositoryRoot();

/**
 * What one order costs, counted from the code (approved order, one order-service replica):
 * - messages published: OrderPlaced (orders), PaymentResult (payment-results), OrderStatusChanged (order-status),
 *   each consumed once (payment-service, order-service, the order-status reader). Log lines ride along in
 *   LogBatch messages of up to 500 lines (about 0.1 message per order under load; measured, not counted).
 * - commits, at most (when every group commit and relay batch holds one item): the place transaction (order +
 *   items + outbox), the payment transaction (transaction + outbox), the status transaction (order + outbox), and
 *   one outbox relay transaction (claim + DELETE) per relayed event. Under load group commits share them between
 *   orders: the measured commits per order are reported beside.
 */
const MESSAGES_PER_ORDER = 3;
const COMMITS_PER_ORDER = 6;

const log = (text: string): void => void process.stderr.write(`[bench] ${text}\n`);

const processes = stackProcesses(root);
const services = ['order-service', 'payment-service', 'logger-service'];
const missing = services.filter((name) => !processes.some((p) => p.name === name));
if (missing.length > 0) throw new Error(`not running: ${missing.join(', ')}; start the stack (scripts/stack.sh up)`);
const knobNames = [
  'PAYMENT_LATENCY_MS',
  'CONSUMER_CONCURRENCY',
  'LOG_LEVEL',
  'PULSAR_TRANSPORT',
  'PLACE_ORDER_MAX_WAIT_MS',
];
const knobs = Object.fromEntries(
  processes.filter((p) => services.includes(p.name)).map((p) => [p.name, processEnv(p.pid, knobNames)]),
);
const loadBefore = loadAverage();
const startedAt = new Date();

log(`load average ${loadBefore}; measuring the limits`);
const limits = values['skip-limits']
  ? undefined
  : {
      mariadb: await measureCommitRate(quick ? 1000 : 5000, 8),
      websocket: await measureWebSocketTransport(quick ? 2000 : 20000, 200),
      broker: await measureBroker(quick ? 4 : 10),
    };
if (limits) log(`limits: ${JSON.stringify(limits)}`);

const stack = await openStack(root);
const steps: StepResult[] = [];
const step = async (args: string[]): Promise<StepResult> => {
  const result = await runLoad(stack, processes, args);
  log(
    `${result.name}: ${result.load.orders_per_s} orders/s, p50 ${result.load.p50_ms} p99 ${result.load.p99_ms} ms, ` +
      `${result.load.pending} pending, ${result.load.errors} errors`,
  );
  steps.push(result);
  await stack.drain();
  return result;
};
try {
  log('ghz');
  const ghz = await runGhz(root, quick ? 500 : 5000, 50);
  await stack.drain();
  await step(['--concurrency', '16', '--duration', `${duration}s`]);
  const closed = await step(['--concurrency', '64', '--duration', `${duration}s`]);
  const max = closed.load.orders_per_s;
  const rates = [
    ...new Set([250, ...[0.25, 0.5, 0.75, 0.9].map((f) => Math.max(10, Math.round((f * max) / 10) * 10))]),
  ];
  if (max >= 900) rates.push(1000);
  for (const rate of rates.sort((a, b) => a - b)) await step(['--rate', String(rate), '--duration', `${duration}s`]);

  // Sustained: no errors, no PENDING answer, and an open loop kept up with its schedule.
  const clean = steps.filter(
    (s) =>
      s.load.errors === 0 &&
      s.load.pending === 0 &&
      (s.load.target_rate === null || s.load.orders_per_s >= 0.95 * s.load.target_rate),
  );
  const best = clean.reduce<StepResult | undefined>(
    (a, b) => (a && a.load.orders_per_s >= b.load.orders_per_s ? a : b),
    undefined,
  );
  const at250 = steps.find((s) => s.load.target_rate === 250);
  const limitFromMessages = limits ? limits.websocket.messages_per_s / MESSAGES_PER_ORDER : undefined;
  const limitFromCommits = limits ? limits.mariadb.commits_per_s / COMMITS_PER_ORDER : undefined;
  const limitOrders = limits ? Math.round(Math.min(limitFromMessages!, limitFromCommits!)) : null;
  const ordersPerS = best?.load.orders_per_s ?? 0;
  const rss = Object.fromEntries(processes.map((p) => [p.name, peakRssMb(p.pid)]));
  // Everything runs on these cores at once: the CPU one order costs, summed over the processes, bounds the rate.
  const cores = cpus().length;
  const cpuPerOrder = best ? Object.values(best.cpu_ms_per_order).reduce((a, b) => a + b, 0) : 0;
  const result = {
    timestamp: startedAt.toISOString(),
    note: values.note,
    machine: {
      cores,
      load_average_before: loadBefore,
      load_average_after: loadAverage(),
    },
    transport: 'websocket',
    knobs,
    orders_per_s: ordersPerS,
    best_step: best?.name ?? null,
    p50_ms: at250?.load.p50_ms ?? null,
    p95_ms: at250?.load.p95_ms ?? null,
    p99_ms: at250?.load.p99_ms ?? null,
    errors: best?.load.errors ?? null,
    errors_all_steps: steps.reduce((total, s) => total + s.load.errors, 0),
    pending_all_steps: steps.reduce((total, s) => total + s.load.pending, 0),
    limit_orders_per_s: limitOrders,
    ratio_to_limit: limitOrders ? round(ordersPerS / limitOrders, 2) : null,
    per_order: {
      messages_counted: MESSAGES_PER_ORDER,
      commits_counted: COMMITS_PER_ORDER,
      messages_measured: best?.messages_per_order ?? null,
      commits_measured_server_wide: best?.commits_per_order ?? null,
      limit_from_messages: limitFromMessages ? Math.round(limitFromMessages) : null,
      limit_from_commits: limitFromCommits ? Math.round(limitFromCommits) : null,
    },
    rss_mb: best?.peak_rss_mb ?? rss,
    rss_mb_whole_run: rss,
    cpu_ms_per_order: best?.cpu_ms_per_order ?? null,
    cpu_bound_orders_per_s: cpuPerOrder ? Math.round((cores * 1000) / cpuPerOrder) : null,
    limits,
    ghz,
    steps,
  };
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  if (!values['no-docs']) updateBenchmarksDoc(root, result);
  console.log(
    [
      `orders/s to a final state (best clean step, ${result.best_step}): ${ordersPerS}`,
      `limit: ${limitOrders ?? '-'} orders/s (ratio ${result.ratio_to_limit ?? '-'})`,
      `at 250/s: p50 ${result.p50_ms} ms, p95 ${result.p95_ms} ms, p99 ${result.p99_ms} ms`,
      `errors at that step ${result.errors}; over all steps ${result.errors_all_steps} errors, ${result.pending_all_steps} PENDING`,
      `peak RSS MB at that step ${JSON.stringify(result.rss_mb)}; whole run ${JSON.stringify(rss)}`,
      `written ${file}`,
    ].join('\n'),
  );
} finally {
  await stack.close();
}
