/**
 * Chaos run (`make chaos` → scripts/chaos.sh): an order and a payment service on their own databases and topics,
 * under a steady load of clients that retry with their idempotency keys, while processes crash, stall and the
 * broker and database restart. Then the guarantees are checked from the databases and the topics; the counts go
 * to bench/results/chaos-<timestamp>.json. Exit code 1 when a guarantee is broken.
 *
 *   node --conditions=development --import tsx bench/chaos.ts [--rate 25] [--duration 420] [--small] [--no-infra]
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool } from '@addispay/mysql';
import { deleteTopics } from '@addispay/pulsar';
import {
  createTestDatabase,
  createTestTopics,
  PULSAR_ADMIN_URL,
  PULSAR_WS_URL,
  repositoryRoot,
  startService,
  type RunningService,
  type ServiceName,
} from '@addispay/testkit';
import { RetryingClients } from './chaos/client.js';
import {
  contradictedAnswers,
  lostOrders,
  moneyChecks,
  outboxLeft,
  pendingOrders,
  readDeadLetters,
} from './chaos/checks.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string' },
    duration: { type: 'string' },
    small: { type: 'boolean', default: false },
    'no-infra': { type: 'boolean', default: false },
    'no-db-restart': { type: 'boolean', default: false },
    'settle-s': { type: 'string', default: '60' },
  },
});
const small = values.small;
const rate = Number(values.rate ?? (small ? 20 : 25));
const durationS = Number(values.duration ?? (small ? 60 : 420));
const settleS = Number(values['settle-s']);
const infra = !values['no-infra'] && !small;
const restartDatabase = infra && !values['no-db-restart'];
const root = repositoryRoot();
const runId = new Date().toISOString().replace(/[:.]/g, '-');
const outputDir = join(root, '.local', 'chaos', runId);
mkdirSync(outputDir, { recursive: true });
const exec = promisify(execFile);
const t0 = Date.now();
const elapsed = (): number => Math.round((Date.now() - t0) / 100) / 10;
const log = (text: string): void => void process.stderr.write(`[chaos ${String(elapsed()).padStart(6)}s] ${text}\n`);

const [ordersDb, paymentsDb] = await Promise.all([
  createTestDatabase({ label: 'chaos_orders', migrationsDir: join(root, 'apps/order-service/migrations') }),
  createTestDatabase({ label: 'chaos_payments', migrationsDir: join(root, 'apps/payment-service/migrations') }),
]);
const { topology, suffix } = await createTestTopics();
const paymentLatencyMs = process.env['PAYMENT_LATENCY_MS'] ?? '20';
const common = {
  PULSAR_URL: PULSAR_WS_URL,
  PULSAR_TRANSPORT: 'websocket',
  PULSAR_TOPIC_SUFFIX: suffix,
  LOG_LEVEL: 'info',
};
const envs: Record<'order-service' | 'payment-service', Record<string, string>> = {
  'order-service': { ...common, MYSQL_DSN: ordersDb.dsn },
  'payment-service': { ...common, MYSQL_DSN: paymentsDb.dsn, PAYMENT_LATENCY_MS: paymentLatencyMs },
};
const services: Partial<Record<ServiceName, RunningService>> = {};
const generation: Record<string, number> = {};
const clients = new RetryingClients(`chaos-${runId}`);

async function start(name: 'order-service' | 'payment-service'): Promise<void> {
  services[name] = await startService(name, envs[name]);
  if (name === 'order-service') clients.connect(services[name].grpcAddress);
}

/** Keeps what the process wrote, for the post-mortem. */
function keepOutput(name: ServiceName): void {
  const service = services[name];
  if (!service) return;
  generation[name] = (generation[name] ?? 0) + 1;
  writeFileSync(join(outputDir, `${name}-${generation[name]}.log`), service.output());
}

async function crash(name: 'order-service' | 'payment-service'): Promise<void> {
  await services[name]?.kill();
  keepOutput(name);
  await sleep(2_000);
  await start(name);
}

async function script(command: string, ...args: string[]): Promise<void> {
  await exec(join(root, 'scripts', command), args, { cwd: root, maxBuffer: 16 << 20 });
}

interface Fault {
  readonly at: number;
  readonly name: string;
  readonly run: () => Promise<void>;
}

const pauseS = small ? 15 : 40;
const faults: Fault[] = [
  { at: 0.06, name: 'SIGKILL payment-service (1/3), restart', run: () => crash('payment-service') },
  { at: 0.15, name: 'SIGKILL order-service (1/2), restart', run: () => crash('order-service') },
  { at: 0.23, name: 'SIGKILL payment-service (2/3), restart', run: () => crash('payment-service') },
  {
    at: 0.31,
    name: `SIGSTOP payment-service for ${pauseS} s, SIGCONT`,
    run: async () => {
      services['payment-service']?.pause();
      await sleep(pauseS * 1000);
      services['payment-service']?.resume();
    },
  },
  ...(infra
    ? [
        {
          at: 0.54,
          name: 'restart the Pulsar broker (scripts/pulsar.sh stop; start)',
          run: async () => {
            await script('pulsar.sh', 'stop');
            await script('pulsar.sh', 'start');
          },
        },
      ]
    : []),
  { at: 0.78, name: 'SIGKILL order-service (2/2), restart', run: () => crash('order-service') },
  ...(restartDatabase
    ? [
        {
          at: 0.85,
          name: 'restart MariaDB (scripts/mariadb.sh stop; start)',
          run: async () => {
            await script('mariadb.sh', 'stop');
            await script('mariadb.sh', 'start');
          },
        },
      ]
    : []),
  { at: 0.93, name: 'SIGKILL payment-service (3/3), restart', run: () => crash('payment-service') },
];

interface FaultRecord {
  readonly name: string;
  readonly started_s: number;
  readonly ended_s: number;
  readonly error?: string;
}

async function injectFaults(): Promise<FaultRecord[]> {
  const records: FaultRecord[] = [];
  for (const fault of faults) {
    const due = t0 + fault.at * durationS * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
    const started = elapsed();
    log(`fault: ${fault.name}`);
    try {
      await fault.run();
      records.push({ name: fault.name, started_s: started, ended_s: elapsed() });
    } catch (error) {
      records.push({ name: fault.name, started_s: started, ended_s: elapsed(), error: (error as Error).message });
      log(`fault "${fault.name}" failed: ${(error as Error).message}`);
    }
    log(`fault over: ${fault.name}`);
  }
  return records;
}

async function steadyLoad(): Promise<void> {
  const total = Math.round(rate * durationS);
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    clients.place(i, `chaos-${runId}-${i}`);
  }
}

const progress = setInterval(() => {
  const s = clients.stats;
  log(
    `placed ${s.started}, acknowledged ${s.acknowledged} (${s.final} final, ${s.pending} pending), ` +
      `retries ${s.retries}, outstanding ${clients.outstanding}, errors ${JSON.stringify(s.errorCodes)}`,
  );
}, 10_000);

let exitCode = 0;
const admin = () => createPool(ordersDb.adminDsn, { connectionLimit: 2 });
try {
  await start('payment-service');
  await start('order-service');
  log(
    `services up; ${rate} orders/s for ${durationS} s (${Math.round(rate * durationS)} orders); faults: ${faults.length}`,
  );
  const [faultRecords] = await Promise.all([injectFaults(), steadyLoad()]);
  const loadEnd = elapsed();
  await clients.settle();
  clearInterval(progress);
  const lastFault = Math.max(...faultRecords.map((f) => f.ended_s));
  log(`load over at ${loadEnd} s, clients settled; last fault ended at ${lastFault} s`);

  // Every order final within settleS of the last fault (or of the last order, if the load went on longer).
  const pool = admin();
  const deadline = t0 + (Math.max(lastFault, loadEnd) + settleS) * 1000;
  let pending = await pendingOrders(pool);
  while (pending.length > 0 && Date.now() < deadline) {
    await sleep(1_000);
    pending = await pendingOrders(pool);
  }
  const allFinalAt = pending.length === 0 ? elapsed() : null;
  const unfinished = pending;
  // For the record: do the stragglers finish at all (the sweeper fails orders PENDING past 120 s)?
  const laterDeadline = Date.now() + 180_000;
  while (pending.length > 0 && Date.now() < laterDeadline) {
    await sleep(2_000);
    pending = await pendingOrders(pool);
  }
  const stillPendingAfterGrace = pending;
  await sleep(3_000); // the last outbox rows go out right after the last transitions

  const acknowledged = [...clients.acknowledged.values()];
  const lost = await lostOrders(pool, `chaos-${runId}`, acknowledged);
  const contradicted = await contradictedAnswers(pool, acknowledged);
  const money = await moneyChecks(pool, ordersDb.name, paymentsDb.name);
  const ordersPool = createPool(ordersDb.adminDsn, { connectionLimit: 1 });
  const paymentsPool = createPool(paymentsDb.adminDsn, { connectionLimit: 1 });
  const outbox = { orders: await outboxLeft(ordersPool), payments: await outboxLeft(paymentsPool) };
  await Promise.all([ordersPool.end(), paymentsPool.end()]);
  const [statusRows] = await pool.query('SELECT status, COUNT(*) AS n FROM orders GROUP BY status');
  const byStatus = Object.fromEntries(
    (statusRows as { status: string; n: number }[]).map((r) => [r.status, Number(r.n)]),
  );
  await pool.end();
  const deadLetters = await readDeadLetters(PULSAR_WS_URL, topology);
  const unexplained = deadLetters.filter((letter) => !letter.reason);

  const result = {
    timestamp: new Date(t0).toISOString(),
    settings: {
      rate,
      duration_s: durationS,
      settle_s: settleS,
      broker_restart: infra,
      database_restart: restartDatabase,
      payment_latency_ms: Number(paymentLatencyMs),
    },
    orders: Object.values(byStatus).reduce((a, b) => a + b, 0),
    acknowledged: acknowledged.length,
    lost: lost.count,
    double_charged: money.doubleCharged.count,
    orphan_charges: money.orphanCharges.count,
    status_charge_disagreements: money.disagreements.count,
    contradicted_answers: contradicted.count,
    unfinished: unfinished.length,
    still_pending_after_grace: stillPendingAfterGrace.length,
    dead_lettered: deadLetters.length,
    unexplained_dead_letters: unexplained.length,
    outbox_left: outbox,
    all_final_s_after_last_fault:
      allFinalAt === null ? null : Math.round((allFinalAt - Math.max(lastFault, loadEnd)) * 10) / 10,
    orders_by_status: byStatus,
    charges: money.charges,
    clients: clients.stats,
    faults: faultRecords,
    examples: {
      lost: lost.examples,
      double_charged: money.doubleCharged.examples,
      orphan_charges: money.orphanCharges.examples,
      status_charge_disagreements: money.disagreements.examples,
      contradicted_answers: contradicted.examples,
      unfinished: unfinished.slice(0, 20),
      still_pending_after_grace: stillPendingAfterGrace.slice(0, 20),
      dead_letters: deadLetters.slice(0, 50),
    },
    databases: { orders: ordersDb.name, payments: paymentsDb.name },
    topic_suffix: suffix,
    service_logs: outputDir,
  };
  const broken =
    result.lost +
    result.double_charged +
    result.orphan_charges +
    result.status_charge_disagreements +
    result.contradicted_answers +
    result.unfinished +
    result.unexplained_dead_letters +
    outbox.orders +
    outbox.payments;
  exitCode = broken > 0 ? 1 : 0;
  const file = join(root, 'bench', 'results', `chaos-${runId}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    JSON.stringify({
      orders: result.orders,
      acknowledged: result.acknowledged,
      lost: result.lost,
      double_charged: result.double_charged,
      unfinished: result.unfinished,
      dead_lettered: result.dead_lettered,
      unexplained_dead_letters: result.unexplained_dead_letters,
      outbox_left: outbox,
      all_final_s_after_last_fault: result.all_final_s_after_last_fault,
    }),
  );
  console.log(`${exitCode === 0 ? 'every guarantee held' : 'GUARANTEES BROKEN: see the examples'}; written ${file}`);
} finally {
  clearInterval(progress);
  for (const name of ['order-service', 'payment-service'] as const) {
    await services[name]?.stop().catch(() => undefined);
    keepOutput(name);
  }
  if (exitCode === 0) {
    await Promise.all([ordersDb.drop(), paymentsDb.drop()]);
    const topics = [...topology.topics.map((t) => t.fullName), ...topology.deadLetterTopics];
    await deleteTopics(topics, { adminUrl: PULSAR_ADMIN_URL }).catch(() => undefined);
  } else {
    log(`kept for inspection: databases ${ordersDb.name}, ${paymentsDb.name}; topics *${suffix}; logs ${outputDir}`);
  }
}
process.exit(exitCode);
