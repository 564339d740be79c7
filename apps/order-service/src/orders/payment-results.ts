import { eventsV1 } from '@addispay/api';
import type { OrderEvent } from '@addispay/domain';
import type { Disposition, IncomingMessage } from '@addispay/pulsar';
import type { OrderContext } from './order-context.js';
import { transitionOrder } from './transition-order.js';

/** Applies a PaymentResult to its order. Redeliveries change nothing; contradictions are dead-lettered. */
export function paymentResultHandler(context: OrderContext): (message: IncomingMessage) => Promise<Disposition> {
  return async (message) => {
    const decoded = decodePaymentResult(message.payload);
    if (typeof decoded === 'string') return { kind: 'poison', reason: decoded };
    const { orderId, event } = decoded;
    const result = await transitionOrder(context, orderId, event);
    if (!result.found) return { kind: 'poison', reason: `payment result for unknown order ${orderId}` };
    if (result.transition.kind === 'illegal') return { kind: 'poison', reason: result.transition.message };
    return { kind: 'ack' };
  };
}

function decodePaymentResult(payload: Uint8Array): { orderId: string; event: OrderEvent } | string {
  let result: eventsV1.PaymentResult;
  try {
    result = eventsV1.PaymentResult.decode(payload);
  } catch (error) {
    return `undecodable PaymentResult: ${(error as Error).message}`;
  }
  if (!result.orderId) return 'PaymentResult without order_id';
  const event = toOrderEvent(result);
  return event ? { orderId: result.orderId, event } : `PaymentResult with unknown outcome ${result.outcome}`;
}

function toOrderEvent(result: eventsV1.PaymentResult): OrderEvent | undefined {
  const { PaymentOutcome } = eventsV1;
  switch (result.outcome) {
    case PaymentOutcome.PAYMENT_OUTCOME_APPROVED:
      return { type: 'PaymentApproved' };
    case PaymentOutcome.PAYMENT_OUTCOME_DECLINED:
      return { type: 'PaymentDeclined', reason: result.reason || 'declined' };
    case PaymentOutcome.PAYMENT_OUTCOME_FAILED:
      return { type: 'PaymentFailed', reason: result.reason || 'failed' };
    case PaymentOutcome.PAYMENT_OUTCOME_VOIDED:
    case PaymentOutcome.PAYMENT_OUTCOME_REFUNDED:
      return { type: 'PaymentReversed', reason: result.reason };
    default:
      return undefined;
  }
}
