import type { orderV1 } from '@addispay/api';
import { invalid, isFinal, type RequestError } from '@addispay/domain';
import { callDeadline, checkTimeFilter, toServerError } from '@addispay/rpc';
import type { CallContext } from 'nice-grpc';
import type { OrderContext } from '../orders/order-context.js';
import { findOrder, listOrders } from '../orders/order-store.js';
import { placeOrder } from '../orders/place-order.js';
import { cancelOrder } from '../orders/transition-order.js';
import { decodeCursor, encodeCursor, fromProtoStatusFilter, toProtoOrder } from './order-mapping.js';

export interface OrderApiOptions {
  /** How long PlaceOrder waits for the outcome when the caller set no deadline. */
  readonly maxWaitMs: number;
  /** Answer this long before the caller's deadline, so the answer arrives in time. */
  readonly answerMarginMs: number;
}

const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 50;
const ORDER_ID = /^[0-9a-f-]{36}$/;

function fail(error: RequestError): never {
  throw toServerError(error);
}

function requireOrderId(orderId: string): void {
  if (!ORDER_ID.test(orderId)) fail(invalid('order_id', 'must be an order id as returned by PlaceOrder'));
}

export function orderApi(context: OrderContext, options: OrderApiOptions): orderV1.OrderServiceImplementation {
  return {
    async placeOrder(request, call: CallContext) {
      const deadline = callDeadline(call) ?? Date.now() + options.maxWaitMs;
      const answerBy = Math.min(deadline - options.answerMarginMs, Date.now() + options.maxWaitMs);
      const result = await placeOrder(
        context,
        {
          idempotencyKey: request.idempotencyKey,
          customerId: request.customerId,
          currency: request.currency,
          paymentMethodToken: request.paymentMethodToken,
          items: request.items.map((item) => ({
            sku: item.sku,
            quantity: item.quantity,
            unitPriceMinor: item.unitPriceMinor,
          })),
        },
        answerBy,
        call.signal,
      );
      if (!result.ok) fail(result.error);
      return { order: toProtoOrder(result.value) };
    },

    async getOrder(request) {
      requireOrderId(request.orderId);
      const order = await findOrder(context.pool, request.orderId);
      if (!order) fail({ kind: 'not_found', message: `order ${request.orderId} does not exist` });
      return { order: toProtoOrder(order) };
    },

    async listOrders(request) {
      const status = fromProtoStatusFilter(request.status);
      if (!status.ok) fail(status.error);
      if (request.pageSize < 0 || request.pageSize > MAX_PAGE_SIZE)
        fail(invalid('page_size', `must be from 0 to ${MAX_PAGE_SIZE}`));
      const cursor = request.pageToken ? decodeCursor(request.pageToken) : undefined;
      if (request.pageToken && (!cursor || checkTimeFilter('page_token', cursor.createdAt)))
        fail(invalid('page_token', 'is not a token returned by ListOrders'));
      const badTime =
        checkTimeFilter('created_after', request.createdAfter) ??
        checkTimeFilter('created_before', request.createdBefore);
      if (badTime) fail(badTime);
      const pageSize = request.pageSize || DEFAULT_PAGE_SIZE;
      const orders = await listOrders(
        context.pool,
        {
          customerId: request.customerId,
          status: status.value,
          createdAfter: request.createdAfter,
          createdBefore: request.createdBefore,
        },
        cursor,
        pageSize + 1,
      );
      const page = orders.slice(0, pageSize);
      const last = page.at(-1);
      return {
        orders: page.map(toProtoOrder),
        nextPageToken: orders.length > pageSize && last ? encodeCursor(last) : '',
      };
    },

    async *watchOrder(request, call: CallContext) {
      requireOrderId(request.orderId);
      const changes: string[] = [];
      let wake = (): void => {};
      const unsubscribe = context.feed.subscribe(request.orderId, (change) => {
        changes.push(change.status);
        wake();
      });
      call.signal.addEventListener('abort', () => wake(), { once: true });
      try {
        let lastSent: string | undefined;
        while (!call.signal.aborted) {
          const order = await findOrder(context.pool, request.orderId);
          if (!order) fail({ kind: 'not_found', message: `order ${request.orderId} does not exist` });
          if (order.status !== lastSent) {
            lastSent = order.status;
            yield { order: toProtoOrder(order) };
          }
          if (isFinal(order.status)) return;
          if (changes.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          changes.length = 0;
        }
      } finally {
        unsubscribe();
      }
    },

    async cancelOrder(request) {
      requireOrderId(request.orderId);
      if (request.reason.length > 128) fail(invalid('reason', 'must be at most 128 characters'));
      const result = await cancelOrder(context, request.orderId, request.reason);
      if (!result.ok) fail(result.error);
      return { order: toProtoOrder(result.value) };
    },
  };
}
