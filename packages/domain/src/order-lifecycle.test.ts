import { describe, expect, it } from 'vitest';
import { applyOrderEvent, PAYMENT_TIMEOUT_REASON, type OrderEvent, type OrderStatus } from './order-lifecycle.js';

const events: Record<OrderEvent['type'], OrderEvent> = {
  PaymentApproved: { type: 'PaymentApproved' },
  PaymentDeclined: { type: 'PaymentDeclined', reason: 'insufficient_funds' },
  PaymentFailed: { type: 'PaymentFailed', reason: 'processor_timeout' },
  PaymentReversed: { type: 'PaymentReversed', reason: 'refunded' },
  CancelRequested: { type: 'CancelRequested', reason: 'customer_request' },
  PaymentTimedOut: { type: 'PaymentTimedOut' },
};

type Expected = string; // 'STATUS(reason)' when moved, '=' when unchanged, '!' when illegal
const table: Record<OrderStatus, Record<OrderEvent['type'], Expected>> = {
  PENDING: {
    PaymentApproved: 'PAID()',
    PaymentDeclined: 'DECLINED(insufficient_funds)',
    PaymentFailed: 'FAILED(processor_timeout)',
    PaymentReversed: '!',
    CancelRequested: 'CANCELLED(customer_request)',
    PaymentTimedOut: `FAILED(${PAYMENT_TIMEOUT_REASON})`,
  },
  PAID: {
    PaymentApproved: '=',
    PaymentDeclined: '!',
    PaymentFailed: '!',
    PaymentReversed: '!',
    CancelRequested: '!',
    PaymentTimedOut: '=',
  },
  DECLINED: {
    PaymentApproved: '!',
    PaymentDeclined: '=',
    PaymentFailed: '=',
    PaymentReversed: '=',
    CancelRequested: '!',
    PaymentTimedOut: '=',
  },
  FAILED: {
    PaymentApproved: '=',
    PaymentDeclined: '=',
    PaymentFailed: '=',
    PaymentReversed: '=',
    CancelRequested: '!',
    PaymentTimedOut: '=',
  },
  CANCELLED: {
    PaymentApproved: '=',
    PaymentDeclined: '=',
    PaymentFailed: '=',
    PaymentReversed: '=',
    CancelRequested: '=',
    PaymentTimedOut: '=',
  },
};

describe('applyOrderEvent', () => {
  const cases = Object.entries(table).flatMap(([status, row]) =>
    Object.entries(row).map(
      ([event, expected]) => [status as OrderStatus, event as OrderEvent['type'], expected] as const,
    ),
  );

  it.each(cases)('%s + %s → %s', (status, eventType, expected) => {
    const transition = applyOrderEvent(status, events[eventType]);
    const actual =
      transition.kind === 'moved'
        ? `${transition.to}(${transition.reason})`
        : transition.kind === 'unchanged'
          ? '='
          : '!';
    expect(actual).toBe(expected);
  });

  it('never leaves a final status for another status', () => {
    for (const [status, ,] of cases) {
      if (status === 'PENDING') continue;
      for (const event of Object.values(events)) expect(applyOrderEvent(status, event).kind).not.toBe('moved');
    }
  });
});
