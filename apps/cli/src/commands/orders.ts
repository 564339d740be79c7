import { randomUUID } from 'node:crypto';
import { orderV1 } from '@addispay/api';
import { describeOrder, orderJson, orderLine, statusName } from '../format.js';
import { orderClient } from '../clients.js';
import { UsageError, type CommandContext } from '../command.js';

export async function place(context: CommandContext): Promise<void> {
  const { values } = context.parse({
    customer: { type: 'string' },
    currency: { type: 'string', default: 'USD' },
    item: { type: 'string', multiple: true },
    token: { type: 'string', default: 'tok_approve' },
    key: { type: 'string' },
    timeout: { type: 'string', default: '5000' },
  });
  const items = (values.item ?? []).map(parseItem);
  const { client, channel } = orderClient(context.orderAddress, context.tls);
  try {
    const { order } = await client.placeOrder(
      {
        idempotencyKey: values.key ?? randomUUID(),
        customerId: values.customer ?? '',
        currency: values.currency,
        items,
        paymentMethodToken: values.token,
      },
      { deadline: new Date(Date.now() + Number(values.timeout)) },
    );
    if (order) context.print(order, describeOrder, orderJson);
  } finally {
    channel.close();
  }
}

export async function get(context: CommandContext): Promise<void> {
  const { positionals } = context.parse({});
  const { client, channel } = orderClient(context.orderAddress, context.tls);
  try {
    const { order } = await client.getOrder({ orderId: positionals[0] ?? '' });
    if (order) context.print(order, describeOrder, orderJson);
  } finally {
    channel.close();
  }
}

export async function list(context: CommandContext): Promise<void> {
  const { values } = context.parse({
    customer: { type: 'string' },
    status: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string', default: '20' },
    'page-token': { type: 'string' },
  });
  const { client, channel } = orderClient(context.orderAddress, context.tls);
  try {
    const response = await client.listOrders({
      customerId: values.customer ?? '',
      status: values.status
        ? orderV1.orderStatusFromJSON(`ORDER_STATUS_${values.status.toUpperCase()}`)
        : orderV1.OrderStatus.ORDER_STATUS_UNSPECIFIED,
      createdAfter: values.since ? new Date(values.since) : undefined,
      createdBefore: values.until ? new Date(values.until) : undefined,
      pageSize: Number(values.limit),
      pageToken: values['page-token'] ?? '',
    });
    context.print(
      response,
      (page) =>
        [...page.orders.map(orderLine), page.nextPageToken ? `next page: --page-token ${page.nextPageToken}` : '']
          .filter(Boolean)
          .join('\n') || 'no orders',
      (page) => orderV1.ListOrdersResponse.toJSON(page),
    );
  } finally {
    channel.close();
  }
}

export async function watch(context: CommandContext): Promise<void> {
  const { positionals } = context.parse({});
  const { client, channel } = orderClient(context.orderAddress, context.tls);
  try {
    for await (const { order } of client.watchOrder({ orderId: positionals[0] ?? '' })) {
      if (order)
        context.print(
          order,
          (o) =>
            `${new Date().toISOString()}  ${o.orderId}  ${statusName(o.status)}${o.statusReason ? ` (${o.statusReason})` : ''}`,
          orderJson,
        );
    }
  } finally {
    channel.close();
  }
}

export async function cancel(context: CommandContext): Promise<void> {
  const { values, positionals } = context.parse({ reason: { type: 'string', default: '' } });
  const { client, channel } = orderClient(context.orderAddress, context.tls);
  try {
    const { order } = await client.cancelOrder({ orderId: positionals[0] ?? '', reason: values.reason });
    if (order) context.print(order, describeOrder, orderJson);
  } finally {
    channel.close();
  }
}

/** "SKU:QUANTITY:UNIT_PRICE_MINOR", e.g. "BOOK-1:2:1250" for two books at 12.50. */
function parseItem(text: string): orderV1.LineItem {
  const match = /^([^:]+):(\d+):(\d+)$/.exec(text);
  if (!match) throw new UsageError(`--item "${text}" must be SKU:QUANTITY:UNIT_PRICE_MINOR, e.g. BOOK-1:2:1250`);
  return { sku: match[1]!, quantity: Number(match[2]), unitPriceMinor: BigInt(match[3]!) };
}
