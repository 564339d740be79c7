import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { orderV1 } from '@addispay/api';
import { Status } from 'nice-grpc';
import { ClientError } from 'nice-grpc-common';
import { orderClient, type OrderClient } from '../clients.js';
import { UsageError, type CommandContext } from '../command.js';
import { statusName } from '../format.js';

/** What one load run measured. Latencies are of answers in a final state, from the request's planned start. */
export interface LoadReport {
  readonly mode: 'open' | 'closed';
  readonly target_rate: number | null;
  readonly concurrency: number | null;
  readonly duration_s: number;
  readonly sent: number;
  readonly final: number;
  /** Answered PENDING: the deadline came before the outcome (the order exists; it is not an error). */
  readonly pending: number;
  readonly errors: number;
  readonly error_codes: Record<string, number>;
  readonly statuses: Record<string, number>;
  /** Final answers per second of the run. */
  readonly orders_per_s: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly mean_ms: number;
}

interface Tally {
  readonly finalMs: number[];
  pending: number;
  errors: number;
  readonly errorCodes: Record<string, number>;
  readonly statuses: Record<string, number>;
}

/**
 * PlaceOrder under load. Open loop (`--rate`): requests start on a fixed schedule whatever the answers take, and
 * latency counts from the planned start, so a stalled server cannot hide its queue. Closed loop (`--concurrency`):
 * N callers, each placing its next order when the previous answer arrives, to find the most the platform takes.
 */
export async function load(context: CommandContext): Promise<void> {
  const { values } = context.parse({
    rate: { type: 'string' },
    concurrency: { type: 'string' },
    duration: { type: 'string', default: '20s' },
    timeout: { type: 'string', default: '5000' },
    token: { type: 'string', default: 'tok_approve' },
    channels: { type: 'string', default: '2' },
  });
  const rate = values.rate === undefined ? undefined : positive('--rate', values.rate);
  const concurrency = values.concurrency === undefined ? undefined : positive('--concurrency', values.concurrency);
  if ((rate === undefined) === (concurrency === undefined))
    throw new UsageError('give exactly one of --rate N or --concurrency N');
  const durationS = parseDuration(values.duration);
  const timeoutMs = positive('--timeout', values.timeout);
  const channels = Array.from({ length: positive('--channels', values.channels) }, () =>
    orderClient(context.orderAddress),
  );
  const run = randomUUID().slice(0, 8);
  let sequence = 0;
  const tally: Tally = { finalMs: [], pending: 0, errors: 0, errorCodes: {}, statuses: {} };
  const place = (plannedAt: number): Promise<void> => {
    const index = sequence++;
    const client = channels[index % channels.length]!.client;
    return placeOne(client, `${run}-${index}`, values.token, timeoutMs, plannedAt, tally);
  };

  const started = performance.now();
  try {
    if (rate !== undefined) await openLoop(rate, durationS, place);
    else await closedLoop(concurrency!, durationS, place);
  } finally {
    channels.forEach(({ channel }) => channel.close());
  }
  const elapsedS = (performance.now() - started) / 1000;
  const report = summarize(tally, sequence, Math.max(durationS, elapsedS), rate, concurrency);
  context.print(report, describeReport, (value) => value);
}

async function openLoop(rate: number, durationS: number, place: (plannedAt: number) => Promise<void>): Promise<void> {
  const total = Math.round(rate * durationS);
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const plannedAt = start + (i * 1000) / rate;
    const wait = plannedAt - performance.now();
    if (wait >= 1) await sleep(wait);
    inFlight.push(place(plannedAt));
  }
  await Promise.all(inFlight);
}

async function closedLoop(
  callers: number,
  durationS: number,
  place: (plannedAt: number) => Promise<void>,
): Promise<void> {
  const end = performance.now() + durationS * 1000;
  const caller = async (): Promise<void> => {
    while (performance.now() < end) await place(performance.now());
  };
  await Promise.all(Array.from({ length: callers }, caller));
}

async function placeOne(
  client: OrderClient,
  idempotencyKey: string,
  token: string,
  timeoutMs: number,
  plannedAt: number,
  tally: Tally,
): Promise<void> {
  try {
    const { order } = await client.placeOrder(
      {
        idempotencyKey,
        customerId: 'load',
        currency: 'USD',
        items: [{ sku: 'BOOK-1', quantity: 1, unitPriceMinor: 1250n }],
        paymentMethodToken: token,
      },
      { deadline: new Date(Date.now() + timeoutMs) },
    );
    const status = order?.status ?? orderV1.OrderStatus.ORDER_STATUS_UNSPECIFIED;
    const name = statusName(status);
    tally.statuses[name] = (tally.statuses[name] ?? 0) + 1;
    if (status === orderV1.OrderStatus.ORDER_STATUS_PENDING) tally.pending++;
    else tally.finalMs.push(performance.now() - plannedAt);
  } catch (error) {
    const code = error instanceof ClientError ? Status[error.code] : 'CLIENT';
    tally.errors++;
    tally.errorCodes[code ?? 'UNKNOWN'] = (tally.errorCodes[code ?? 'UNKNOWN'] ?? 0) + 1;
  }
}

function summarize(
  tally: Tally,
  sent: number,
  durationS: number,
  rate: number | undefined,
  concurrency: number | undefined,
): LoadReport {
  const sorted = Float64Array.from(tally.finalMs).sort();
  const at = (q: number): number =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : 0;
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  const sum = sorted.reduce((total, ms) => total + ms, 0);
  return {
    mode: rate === undefined ? 'closed' : 'open',
    target_rate: rate ?? null,
    concurrency: concurrency ?? null,
    duration_s: round(durationS),
    sent,
    final: sorted.length,
    pending: tally.pending,
    errors: tally.errors,
    error_codes: tally.errorCodes,
    statuses: tally.statuses,
    orders_per_s: round(sorted.length / durationS),
    p50_ms: round(at(0.5)),
    p95_ms: round(at(0.95)),
    p99_ms: round(at(0.99)),
    max_ms: round(sorted.length ? sorted[sorted.length - 1]! : 0),
    mean_ms: round(sorted.length ? sum / sorted.length : 0),
  };
}

function describeReport(report: LoadReport): string {
  const shape =
    report.mode === 'open' ? `open loop at ${report.target_rate}/s` : `closed loop, ${report.concurrency} callers`;
  const codes = Object.entries(report.error_codes)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  return [
    `${shape} for ${report.duration_s} s: ${report.sent} sent, ${report.final} final, ${report.pending} pending, ${report.errors} errors${codes ? ` (${codes})` : ''}`,
    `  ${report.orders_per_s} orders/s to a final state`,
    `  latency to final: p50 ${report.p50_ms} ms  p95 ${report.p95_ms} ms  p99 ${report.p99_ms} ms  max ${report.max_ms} ms`,
  ].join('\n');
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a positive number, got "${text}"`);
  return value;
}

/** "20s", "2m", "500ms" or a number of seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!match) throw new UsageError(`--duration "${text}" must look like 20s, 2m or 500ms`);
  const value = Number(match[1]);
  const seconds = match[2] === 'ms' ? value / 1000 : match[2] === 'm' ? value * 60 : value;
  if (seconds <= 0) throw new UsageError('--duration must be more than zero');
  return seconds;
}
