import { eventsV1 } from '@addispay/api';
import type { IncomingMessage } from '@addispay/pulsar';
import { statusFromProto } from './order-status-codec.js';
import type { OrderContext } from './order-context.js';

/** Every replica reads the order-status topic: a change made by any replica wakes the callers waiting here. */
export function orderStatusListener(context: OrderContext): (message: IncomingMessage) => void {
  return (message) => {
    try {
      const change = eventsV1.OrderStatusChanged.decode(message.payload);
      const status = statusFromProto(change.status);
      if (status)
        context.feed.publish(change.orderId, {
          status,
          reason: change.statusReason,
          at: change.occurredAt ?? new Date(),
        });
    } catch {
      // A notice that does not decode wakes nobody; the waiting caller still answers at its deadline.
    }
  };
}
