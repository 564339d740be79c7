import { eventsV1 } from '@addispay/api';
import { parseCurrency, type CurrencyCode, type MinorUnits } from '@addispay/domain';
import type { Disposition, IncomingMessage } from '@addispay/pulsar';
import { chargeOrder, reverseCharge, type PaymentContext } from './payments.js';
import { ProcessorUnavailableError } from './simulated-processor.js';

/** Handles the orders topic: OrderPlaced charges, OrderCancelled voids or refunds. */
export function orderEventHandler(context: PaymentContext): (message: IncomingMessage) => Promise<Disposition> {
  return async (message) => {
    const decoded = decodeOrderEvent(message.payload);
    if (typeof decoded === 'string') return { kind: 'poison', reason: decoded };
    const { orderId, event, amount } = decoded;
    const order = {
      orderId,
      customerId: amount.customerId,
      currency: amount.currency,
      amountMinor: amount.amountMinor,
    };
    try {
      if (event.$case === 'placed') {
        await chargeOrder(
          context,
          { ...order, paymentMethodToken: event.value.paymentMethodToken },
          message.redeliveryCount,
        );
      } else {
        await reverseCharge(context, order, event.value.reason || 'cancelled');
      }
      return { kind: 'ack' };
    } catch (error) {
      if (error instanceof ProcessorUnavailableError) return { kind: 'retry', reason: error.message };
      throw error;
    }
  };
}

interface Amount {
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly amountMinor: MinorUnits;
}

function decodeOrderEvent(
  payload: Uint8Array,
): { orderId: string; event: NonNullable<eventsV1.OrderEvent['event']>; amount: Amount } | string {
  let decoded: eventsV1.OrderEvent;
  try {
    decoded = eventsV1.OrderEvent.decode(payload);
  } catch (error) {
    return `undecodable OrderEvent: ${(error as Error).message}`;
  }
  const { orderId, event } = decoded;
  if (!orderId || !event) return 'OrderEvent without order_id or event';
  const currency = parseCurrency(event.value.currency);
  if (!currency) return `OrderEvent with unknown currency "${event.value.currency.slice(0, 8)}"`;
  if (event.value.amountMinor <= 0n) return 'OrderEvent with a non-positive amount';
  if (!event.value.customerId) return 'OrderEvent without customer_id';
  return {
    orderId,
    event,
    amount: { customerId: event.value.customerId, currency, amountMinor: event.value.amountMinor as MinorUnits },
  };
}
