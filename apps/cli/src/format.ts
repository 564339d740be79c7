import { orderV1 } from '@addispay/api';
import { formatMoney, parseCurrency, type MinorUnits } from '@addispay/domain';

/** Human-readable and JSON renderings of the CLI's results. */

export function statusName(status: orderV1.OrderStatus): string {
  return orderV1.orderStatusToJSON(status).replace('ORDER_STATUS_', '');
}

function money(amount: bigint, currency: string): string {
  const code = parseCurrency(currency);
  return code ? formatMoney(amount as MinorUnits, code) : `${amount} ${currency}`;
}

export function describeOrder(order: orderV1.Order): string {
  const reason = order.statusReason ? ` (${order.statusReason})` : '';
  const lines = [
    `order ${order.orderId}  ${statusName(order.status)}${reason}`,
    `  customer ${order.customerId}  total ${money(order.totalMinor, order.currency)}  created ${order.createdAt?.toISOString() ?? '-'}`,
    ...order.items.map((item) => `  ${item.quantity} x ${item.sku} @ ${money(item.unitPriceMinor, order.currency)}`),
  ];
  return lines.join('\n');
}

export function orderLine(order: orderV1.Order): string {
  return [
    order.orderId,
    statusName(order.status).padEnd(9),
    money(order.totalMinor, order.currency).padStart(16),
    order.customerId,
    order.createdAt?.toISOString() ?? '',
  ].join('  ');
}

/** JSON with bigint amounts as strings, the way protobuf's JSON mapping writes int64. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => (typeof field === 'bigint' ? field.toString() : field));
}

export function orderJson(order: orderV1.Order): unknown {
  return { ...(orderV1.Order.toJSON(order) as object) };
}
