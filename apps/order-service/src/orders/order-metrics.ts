import { metricsRegistry } from '@addispay/telemetry';
import { Counter } from 'prom-client';

/** Orders by the final status they reached: the order success SLO counts PAID, DECLINED and CANCELLED as good. */
const finalized = new Counter({
  name: 'addispay_orders_finalized_total',
  help: 'Orders that reached a final status (PAID, DECLINED, FAILED, CANCELLED), counted by the replica that moved them.',
  labelNames: ['status'],
  registers: [metricsRegistry],
});
const expired = new Counter({
  name: 'addispay_orders_expired_total',
  help: 'Orders the sweeper failed because no payment outcome came within ORDER_PAYMENT_TIMEOUT_MS (stuck orders).',
  registers: [metricsRegistry],
});

export function recordFinalized(status: string): void {
  finalized.inc({ status });
}

export function recordExpired(count: number): void {
  if (count > 0) expired.inc(count);
}
