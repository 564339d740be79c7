import { loggerV1, orderV1 } from '@addispay/api';
import { createRpcClientFactory } from '@addispay/rpc';
import fc from 'fast-check';
import { createChannel, Status, type Channel } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eventually, placeRequest } from '../e2e/platform.js';
import {
  ACCEPTABLE,
  cancelOrderRequest,
  FUZZ_RUNS,
  hostileBody,
  listOrdersRequest,
  orderId,
  placeOrderRequest,
  queryLogsRequest,
  RawClient,
} from './hostile-input.js';
import { isHealthy, startSecurityPlatform, type SecurityPlatform } from './support.js';

const ORDER_SERVICE = '/addispay.order.v1.OrderService';
const LOGGER_SERVICE = '/addispay.logger.v1.LoggerService';
const clients = createRpcClientFactory();

let running: SecurityPlatform;
let channels: Channel[] = [];
let raw: { order: RawClient; logger: RawClient };
let orders: ReturnType<typeof clients.create<orderV1.OrderServiceDefinition>>;
let logs: ReturnType<typeof clients.create<loggerV1.LoggerServiceDefinition>>;
let rowsBefore: Record<string, number>;
/** Orders a generated request happened to place (valid by chance): the only rows allowed to appear. */
const placedByChance = new Set<string>();
const codes = new Map<string, Map<Status, number>>();

function tally(rpc: string, code: Status): Status {
  const byCode = codes.get(rpc) ?? new Map<Status, number>();
  byCode.set(code, (byCode.get(code) ?? 0) + 1);
  codes.set(rpc, byCode);
  return code;
}

async function statusOf(rpc: string, call: Promise<unknown>): Promise<Status> {
  try {
    await call;
    return tally(rpc, Status.OK);
  } catch (error) {
    return tally(rpc, (error as { code?: Status }).code ?? Status.UNKNOWN);
  }
}

async function rowCounts(): Promise<Record<string, number>> {
  const { ordersDb, paymentsDb } = running.platform;
  return {
    orders: await count(ordersDb, 'SELECT COUNT(*) FROM orders'),
    orderItems: await count(ordersDb, 'SELECT COUNT(*) FROM order_items'),
    transactions: await count(paymentsDb, 'SELECT COUNT(*) FROM transactions'),
  };
}

const deadline = { deadline: 10_000 };

function expectAcceptable(code: Status): void {
  expect(ACCEPTABLE, `answered ${Status[code]}`).toContain(code);
}

beforeAll(async () => {
  // A request valid by chance must not hold the property run for seconds.
  running = await startSecurityPlatform({ order: { PLACE_ORDER_MAX_WAIT_MS: '200' } });
  const orderChannel = createChannel(running.platform.orderServices[0]!.grpcAddress);
  const loggerChannel = createChannel(running.loggerService.grpcAddress);
  channels = [orderChannel, loggerChannel];
  orders = clients.create(orderV1.OrderServiceDefinition, orderChannel);
  logs = clients.create(loggerV1.LoggerServiceDefinition, loggerChannel);
  raw = {
    order: new RawClient(running.platform.orderServices[0]!.grpcAddress),
    logger: new RawClient(running.loggerService.grpcAddress),
  };
  rowsBefore = await rowCounts();
});

afterAll(async () => {
  const summary = [...codes].map(
    ([rpc, byCode]) => `${rpc}: ${[...byCode].map(([code, n]) => `${Status[code]} ${n}`).join(', ')}`,
  );
  console.info(`hostile input, ${FUZZ_RUNS} runs per property:\n  ${summary.join('\n  ')}`);
  raw?.order.close();
  raw?.logger.close();
  channels.forEach((channel) => channel.close());
  await running?.close();
});

describe(`hostile requests (${FUZZ_RUNS} runs per property)`, () => {
  const options = { numRuns: FUZZ_RUNS, endOnFailure: true };

  it('PlaceOrder refuses malformed orders with INVALID_ARGUMENT and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(placeOrderRequest, async (request) => {
        try {
          const { order } = await orders.placeOrder(request, deadline);
          tally('PlaceOrder', Status.OK);
          if (order) placedByChance.add(order.orderId);
        } catch (error) {
          expectAcceptable(tally('PlaceOrder', (error as { code: Status }).code));
        }
      }),
      options,
    );
  });

  it('GetOrder, WatchOrder and CancelOrder answer unknown or malformed ids with NOT_FOUND or INVALID_ARGUMENT', async () => {
    await fc.assert(
      fc.asyncProperty(orderId, cancelOrderRequest, async (id, cancel) => {
        expectAcceptable(await statusOf('GetOrder', orders.getOrder({ orderId: id }, deadline)));
        const watch = (async () => {
          for await (const _update of orders.watchOrder({ orderId: id }, deadline)) break;
        })();
        expectAcceptable(await statusOf('WatchOrder', watch));
        expectAcceptable(await statusOf('CancelOrder', orders.cancelOrder(cancel, deadline)));
      }),
      options,
    );
  });

  it('ListOrders refuses hostile filters, page sizes and page tokens', async () => {
    await fc.assert(
      fc.asyncProperty(listOrdersRequest, async (request) => {
        expectAcceptable(await statusOf('ListOrders', orders.listOrders(request, deadline)));
      }),
      options,
    );
  });

  it('QueryLogs refuses hostile filters and limits', async () => {
    await fc.assert(
      fc.asyncProperty(queryLogsRequest, async (request) => {
        expectAcceptable(await statusOf('QueryLogs', logs.queryLogs(request, deadline)));
      }),
      options,
    );
  });

  it.each([
    ['PlaceOrder', 'other'],
    ['GetOrder', 'other'],
    ['ListOrders', 'ListOrders'],
    ['WatchOrder', 'other'],
    ['CancelOrder', 'other'],
    ['QueryLogs', 'QueryLogs'],
  ] as const)('%s refuses bodies that are not its request message (raw bytes)', async (method, kind) => {
    const path = `${method === 'QueryLogs' ? LOGGER_SERVICE : ORDER_SERVICE}/${method}`;
    const client = method === 'QueryLogs' ? raw.logger : raw.order;
    await fc.assert(
      fc.asyncProperty(hostileBody(kind), async (body) => {
        const code = tally(`${method} (raw)`, await client.call(path, body, method === 'WatchOrder'));
        expectAcceptable(code);
      }),
      options,
    );
  });

  it('every RPC refuses a message over the 256 KiB receive limit with RESOURCE_EXHAUSTED', async () => {
    const oversize = new Uint8Array(300 * 1024).fill(0x41);
    for (const method of ['PlaceOrder', 'GetOrder', 'ListOrders', 'WatchOrder', 'CancelOrder']) {
      expect(await raw.order.call(`${ORDER_SERVICE}/${method}`, oversize, method === 'WatchOrder')).toBe(
        Status.RESOURCE_EXHAUSTED,
      );
    }
    expect(await raw.logger.call(`${LOGGER_SERVICE}/QueryLogs`, oversize)).toBe(Status.RESOURCE_EXHAUSTED);
    const huge = placeRequest({ customerId: 'x'.repeat(300 * 1024) });
    expect(await statusOf('PlaceOrder', orders.placeOrder(huge, deadline))).toBe(Status.RESOURCE_EXHAUSTED);
  });

  it('leaves both services alive and healthy, nothing written but orders valid by chance, and orders still paid', async () => {
    expect(await isHealthy(running.platform.orderServices[0]!)).toBe(true);
    expect(await isHealthy(running.loggerService)).toBe(true);
    const after = await rowCounts();
    expect(after.orders).toBe(rowsBefore.orders! + placedByChance.size);
    if (placedByChance.size === 0) expect(after).toEqual(rowsBefore);

    const { order } = await orders.placeOrder(placeRequest(), { deadline: 30_000 });
    expect(order).toBeDefined();
    const paid = await eventually(async () => {
      const { order: current } = await orders.getOrder({ orderId: order!.orderId });
      return current?.status === orderV1.OrderStatus.ORDER_STATUS_PAID;
    }, 30_000);
    expect(paid).toBe(true);
  });
});
