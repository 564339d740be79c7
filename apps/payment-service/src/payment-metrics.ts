import { PAYMENT_TIMEOUT_REASON } from '@addispay/domain';
import { metricsRegistry } from '@addispay/telemetry';
import { Counter } from 'prom-client';

const payments = new Counter({
  name: 'addispay_payments_total',
  help: 'Payment transactions recorded, by outcome (APPROVED, DECLINED, FAILED, VOIDED, REFUNDED) and reason.',
  labelNames: ['outcome', 'reason'],
  registers: [metricsRegistry],
});

/**
 * The processor's reasons are a short fixed list; a cancel's reason may be the customer's own words, so voids and
 * refunds are labelled by cause only: the payment timeout or a cancel.
 */
function reasonLabel(outcome: string, reason: string): string {
  if (outcome === 'APPROVED') return '';
  if (outcome === 'VOIDED' || outcome === 'REFUNDED') return reason === PAYMENT_TIMEOUT_REASON ? reason : 'cancelled';
  return reason;
}

export function recordPayment(outcome: string, reason: string): void {
  payments.inc({ outcome, reason: reasonLabel(outcome, reason) });
}
