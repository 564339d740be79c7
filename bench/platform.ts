/** Driving the running local stack: load through the CLI and ghz, counters of topics and MariaDB, draining. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool } from '@addispay/mysql';
import { databaseEnv, PULSAR_ADMIN_URL } from '@addispay/testkit';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { exitedChildrenCpuSeconds, measureCpu, peakRssMb, resetPeakRss, type WatchedProcess } from './processes.js';
import { round } from './stats.js';

const run = promisify(execFile);

/** What `addispay load --json` prints. */
export interface LoadReport {
  readonly mode: 'open' | 'closed';
  readonly target_rate: number | null;
  readonly concurrency: number | null;
  readonly sent: number;
  readonly final: number;
  readonly pending: number;
  readonly errors: number;
  readonly orders_per_s: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
}

export interface StepResult {
  readonly name: string;
  readonly load: LoadReport;
  readonly elapsed_s: number;
  readonly cpu_s: Record<string, number>;
  /** CPU milliseconds each process spent per order that reached a final state. */
  readonly cpu_ms_per_order: Record<string, number>;
  readonly messages_per_order: Record<string, number>;
  /** COMMITs and redo log fsyncs per order, server-wide (other users of the server count too). */
  readonly commits_per_order: { com_commit: number; log_fsyncs: number };
  readonly load_average_after: number;
  /** Peak RSS of each process during this step (VmHWM reset before it), MB. */
  readonly peak_rss_mb: Record<string, number>;
}

const TOPICS = ['orders', 'payment-results', 'order-status', 'logs'];

export interface Stack {
  readonly orders: Pool;
  readonly payments: Pool;
  /** Waits until no order is PENDING and both outboxes are empty (so one step's backlog is not the next's). */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function openStack(_root: string): Promise<Stack> {
  const env = databaseEnv();
  const orders = createPool(env['ORDER_MYSQL_DSN'] ?? '', { connectionLimit: 2 });
  const payments = createPool(env['PAYMENT_MYSQL_DSN'] ?? '', { connectionLimit: 2 });
  const count = async (pool: Pool, sql: string): Promise<number> => {
    const [rows] = await pool.query<RowDataPacket[]>(sql);
    return Number(Object.values(rows[0] ?? {})[0] ?? 0);
  };
  return {
    orders,
    payments,
    async drain(timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const left =
          (await count(orders, "SELECT COUNT(*) FROM orders WHERE status = 'PENDING'")) +
          (await count(orders, 'SELECT COUNT(*) FROM outbox')) +
          (await count(payments, 'SELECT COUNT(*) FROM outbox'));
        if (left === 0) return;
        if (Date.now() > deadline) throw new Error(`the platform did not drain within ${timeoutMs} ms (${left} left)`);
        await sleep(500);
      }
    },
    async close() {
      await Promise.all([orders.end(), payments.end()]);
    },
  };
}

async function topicCounters(): Promise<Record<string, number>> {
  const counters: Record<string, number> = {};
  for (const topic of TOPICS) {
    const response = await fetch(`${PULSAR_ADMIN_URL}/admin/v2/persistent/addispay/platform/${topic}/stats`);
    const stats = (await response.json()) as { msgInCounter?: number };
    counters[topic] = stats.msgInCounter ?? 0;
  }
  return counters;
}

async function commitCounters(pool: Pool): Promise<{ com_commit: number; log_fsyncs: number }> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_commit', 'Innodb_os_log_fsyncs')",
  );
  const value = (name: string): number => Number(rows.find((row) => row['Variable_name'] === name)?.['Value'] ?? 0);
  return { com_commit: value('Com_commit'), log_fsyncs: value('Innodb_os_log_fsyncs') };
}

/** Runs `addispay load ARGS --json` against the stack, with the CPU each process spent meanwhile. */
export async function runLoad(stack: Stack, processes: readonly WatchedProcess[], args: string[]): Promise<StepResult> {
  const root = join(import.meta.dirname, '..');
  const topicsBefore = await topicCounters();
  const commitsBefore = await commitCounters(stack.orders);
  const rssReset = processes.every((p) => resetPeakRss(p.pid));
  const childrenCpuBefore = exitedChildrenCpuSeconds();
  const measured = await measureCpu(processes, async () => {
    const { stdout } = await run(
      process.execPath,
      // Compiled, not through tsx: the load generator shares the cores with what it measures.
      [join(root, 'apps/cli/dist/main.js'), 'load', ...args, '--json'],
      { cwd: root, maxBuffer: 1 << 20 },
    );
    // Until the step's backlog is worked off (outcomes, outbox, log lines): its CPU belongs to the step.
    await stack.drain();
    await sleep(1_000);
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadReport;
  });
  // The load generator shares the cores: its CPU (start-up included) is part of the step's budget.
  measured.cpu_s['load-generator'] = Math.round((exitedChildrenCpuSeconds() - childrenCpuBefore) * 100) / 100;
  const topicsAfter = await topicCounters();
  const commitsAfter = await commitCounters(stack.orders);
  const load = measured.result;
  const perOrder = (value: number): number =>
    load.final + load.pending > 0 ? round(value / (load.final + load.pending), 2) : 0;
  const cpuMs: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(measured.cpu_s)) cpuMs[name] = perOrder(seconds * 1000);
  const messages: Record<string, number> = {};
  for (const topic of TOPICS) messages[topic] = perOrder((topicsAfter[topic] ?? 0) - (topicsBefore[topic] ?? 0));
  return {
    name: load.mode === 'open' ? `open ${load.target_rate}/s` : `closed ${load.concurrency}`,
    load,
    elapsed_s: measured.elapsed_s,
    cpu_s: measured.cpu_s,
    cpu_ms_per_order: cpuMs,
    messages_per_order: messages,
    commits_per_order: {
      com_commit: perOrder(commitsAfter.com_commit - commitsBefore.com_commit),
      log_fsyncs: perOrder(commitsAfter.log_fsyncs - commitsBefore.log_fsyncs),
    },
    peak_rss_mb: Object.fromEntries(processes.map((p) => [p.name, rssReset ? peakRssMb(p.pid) : -1])),
    load_average_after: Number((await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
  };
}

export interface GhzReport {
  readonly requests: number;
  readonly concurrency: number;
  readonly rps: number;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
  readonly status_codes: Record<string, number>;
}

/** ghz against PlaceOrder: a unique idempotency key per request; measures the RPC, whatever status it answers. */
export async function runGhz(root: string, requests: number, concurrency: number): Promise<GhzReport> {
  const { stdout: toolsPath } = await run(join(root, 'scripts/tools.sh'), ['path']);
  const ghz = join(toolsPath.trim(), 'ghz');
  const data = JSON.stringify({
    idempotency_key: 'ghz-{{.UUID}}',
    customer_id: 'ghz',
    currency: 'USD',
    payment_method_token: 'tok_approve',
    items: [{ sku: 'BOOK-1', quantity: 1, unit_price_minor: '1250' }],
  });
  const { stdout } = await run(
    ghz,
    [
      '--insecure',
      '--proto',
      join(root, 'proto/addispay/order/v1/order_service.proto'),
      '--import-paths',
      join(root, 'proto'),
      '--call',
      'addispay.order.v1.OrderService/PlaceOrder',
      '-d',
      data,
      '-n',
      String(requests),
      '-c',
      String(concurrency),
      '--timeout',
      '5s',
      '--format',
      'json',
      '127.0.0.1:50051',
    ],
    { maxBuffer: 64 << 20 },
  );
  const report = JSON.parse(stdout) as {
    count: number;
    rps: number;
    latencyDistribution: { percentage: number; latency: number }[] | null;
    statusCodeDistribution: Record<string, number>;
  };
  const percentile = (p: number): number | null => {
    const entry = report.latencyDistribution?.find((d) => d.percentage === p);
    return entry ? round(entry.latency / 1e6) : null;
  };
  return {
    requests: report.count,
    concurrency,
    rps: round(report.rps),
    p50_ms: percentile(50),
    p95_ms: percentile(95),
    p99_ms: percentile(99),
    status_codes: report.statusCodeDistribution,
  };
}
