import { orderV1 } from '@addispay/api';
import { invalid, type Order, type OrderStatus, type RequestError } from '@addispay/domain';
import { statusFromProto, statusToProto } from '../orders/order-status-codec.js';
import type { OrderCursor } from '../orders/order-store.js';

/** Translation between the wire types of proto/addispay/order/v1 and the domain. */

export function toProtoOrder(order: Order): orderV1.Order {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    status: statusToProto(order.status),
    currency: order.currency,
    items: order.items.map((item) => ({ sku: item.sku, quantity: item.quantity, unitPriceMinor: item.unitPriceMinor })),
    totalMinor: order.totalMinor,
    statusReason: order.statusReason,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

/** UNSPECIFIED means "any status"; a number outside the enum is refused rather than ignored. */
export function fromProtoStatusFilter(
  status: orderV1.OrderStatus,
): { ok: true; value: OrderStatus | undefined } | { ok: false; error: RequestError } {
  if (status === orderV1.OrderStatus.ORDER_STATUS_UNSPECIFIED) return { ok: true, value: undefined };
  const known = statusFromProto(status);
  return known ? { ok: true, value: known } : { ok: false, error: invalid('status', `unknown order status ${status}`) };
}

export function encodeCursor(order: Order): string {
  return Buffer.from(JSON.stringify([order.createdAt.getTime(), order.orderId])).toString('base64url');
}

export function decodeCursor(token: string): OrderCursor | undefined {
  try {
    const [createdAtMs, orderId] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAtMs !== 'number' || typeof orderId !== 'string' || orderId.length > 64) return undefined;
    return { createdAt: new Date(createdAtMs), orderId };
  } catch {
    return undefined;
  }
}
