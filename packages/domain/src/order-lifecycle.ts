/**
 * The order state machine. An order starts PENDING and ends in exactly one final status; every fact the platform
 * learns about it is an event, and redelivered events leave it unchanged.
 */
export type OrderStatus = 'PENDING' | 'PAID' | 'DECLINED' | 'FAILED' | 'CANCELLED';

export type FinalOrderStatus = Exclude<OrderStatus, 'PENDING'>;

export type OrderEvent =
  | { readonly type: 'PaymentApproved' }
  | { readonly type: 'PaymentDeclined'; readonly reason: string }
  | { readonly type: 'PaymentFailed'; readonly reason: string }
  /** The payment service gave up a charge for a cancelled or expired order: voided, or refunded. */
  | { readonly type: 'PaymentReversed'; readonly reason: string }
  | { readonly type: 'CancelRequested'; readonly reason: string }
  /** The sweeper found the order pending past its payment timeout. */
  | { readonly type: 'PaymentTimedOut' };

export type Transition =
  | { readonly kind: 'moved'; readonly to: FinalOrderStatus; readonly reason: string }
  /** The event changes nothing: a redelivery, or a late fact the order has already moved past. */
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'illegal'; readonly message: string };

export const PAYMENT_TIMEOUT_REASON = 'payment_timeout';

export function isFinal(status: OrderStatus): status is FinalOrderStatus {
  return status !== 'PENDING';
}

export function applyOrderEvent(status: OrderStatus, event: OrderEvent): Transition {
  switch (status) {
    case 'PENDING':
      return fromPending(event);
    case 'PAID':
      return fromPaid(event);
    case 'DECLINED':
    case 'FAILED':
      return fromUnpaidFinal(status, event);
    case 'CANCELLED':
      return fromCancelled(event);
    default:
      return assertNever(status);
  }
}

function fromPending(event: OrderEvent): Transition {
  switch (event.type) {
    case 'PaymentApproved':
      return moved('PAID', '');
    case 'PaymentDeclined':
      return moved('DECLINED', event.reason);
    case 'PaymentFailed':
      return moved('FAILED', event.reason);
    case 'CancelRequested':
      return moved('CANCELLED', event.reason);
    case 'PaymentTimedOut':
      return moved('FAILED', PAYMENT_TIMEOUT_REASON);
    case 'PaymentReversed':
      return illegal('a payment cannot be reversed for an order that was never cancelled');
    default:
      return assertNever(event);
  }
}

function fromPaid(event: OrderEvent): Transition {
  switch (event.type) {
    case 'PaymentApproved':
    case 'PaymentTimedOut':
      return unchanged;
    case 'CancelRequested':
      return illegal('the order is already paid and can no longer be cancelled');
    case 'PaymentDeclined':
    case 'PaymentFailed':
    case 'PaymentReversed':
      return illegal(`a ${event.type} result contradicts the order's PAID status`);
    default:
      return assertNever(event);
  }
}

/** DECLINED or FAILED: no money moved, except a charge that lands after a timeout, which is reversed. */
function fromUnpaidFinal(status: 'DECLINED' | 'FAILED', event: OrderEvent): Transition {
  switch (event.type) {
    case 'PaymentDeclined':
    case 'PaymentFailed':
    case 'PaymentTimedOut':
    case 'PaymentReversed':
      return unchanged;
    case 'PaymentApproved':
      // After a timeout the payment service was told to cancel, and refunds such a late charge.
      return status === 'FAILED' ? unchanged : illegal(`an approval contradicts the order's ${status} status`);
    case 'CancelRequested':
      return illegal(`the order is already ${status} and can no longer be cancelled`);
    default:
      return assertNever(event);
  }
}

/** CANCELLED: a charge that lands after the cancel is refunded by the payment service, so every late fact is a no-op. */
function fromCancelled(event: OrderEvent): Transition {
  switch (event.type) {
    case 'PaymentApproved':
    case 'PaymentDeclined':
    case 'PaymentFailed':
    case 'PaymentReversed':
    case 'PaymentTimedOut':
    case 'CancelRequested':
      return unchanged;
    default:
      return assertNever(event);
  }
}

const unchanged: Transition = { kind: 'unchanged' };

function moved(to: FinalOrderStatus, reason: string): Transition {
  return { kind: 'moved', to, reason };
}

function illegal(message: string): Transition {
  return { kind: 'illegal', message };
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
