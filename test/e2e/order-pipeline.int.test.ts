import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { orderV1 } from '@addispay/api';
import { repositoryRoot } from '@addispay/testkit';
import { Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, placeRequest, startPlatform, type TestPlatform } from './platform.js';

const run = promisify(execFile);
const { OrderStatus } = orderV1;
const deadline = (ms = 10_000) => ({ deadline: new Date(Date.now() + ms) });

describe('order to payment and back, on the real broker and database', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(() => platform?.close());

  it('an order placed with the CLI reaches PAID, with one order row and one transaction', async () => {
    const cli = join(repositoryRoot(), 'apps/cli/src/main.ts');
    const { stdout } = await run(
      process.execPath,
      [
        '--conditions=development',
        '--import',
        'tsx',
        cli,
        'place',
        '--customer',
        'cli-user',
        '--item',
        'BOOK-1:2:1250',
        '--token',
        'tok_approve',
        '--json',
      ],
      { env: { ...process.env, ORDER_ADDR: platform.orderServices[0]!.grpcAddress } },
    );
    const order = JSON.parse(stdout) as { orderId: string; status: string; totalMinor: string };
    expect(order.status).toBe('ORDER_STATUS_PAID');
    expect(order.totalMinor).toBe('2500');
    expect(await count(platform.ordersDb, 'SELECT COUNT(*) FROM orders WHERE order_id = ?', [order.orderId])).toBe(1);
    expect(
      await count(
        platform.paymentsDb,
        "SELECT COUNT(*) FROM transactions WHERE order_id = ? AND status = 'APPROVED' AND amount_minor = 2500",
        [order.orderId],
      ),
    ).toBe(1);
  });

  it('an order placed with grpcurl through server reflection reaches PAID', async () => {
    const tools = (await run('bash', [join(repositoryRoot(), 'scripts/tools.sh'), 'path'])).stdout.trim();
    const request = JSON.stringify({
      idempotency_key: 'grpcurl-1',
      customer_id: 'grpcurl-user',
      currency: 'ETB',
      payment_method_token: 'tok_approve',
      items: [{ sku: 'COFFEE-250G', quantity: 3, unit_price_minor: '45000' }],
    });
    const { stdout } = await run(join(tools, 'grpcurl'), [
      '-plaintext',
      '-max-time',
      '15',
      '-d',
      request,
      platform.orderServices[0]!.grpcAddress,
      'addispay.order.v1.OrderService/PlaceOrder',
    ]);
    const { order } = JSON.parse(stdout) as { order: { orderId: string; status: string; totalMinor: string } };
    expect(order.status).toBe('ORDER_STATUS_PAID');
    expect(order.totalMinor).toBe('135000');
    expect(
      await count(platform.paymentsDb, 'SELECT COUNT(*) FROM transactions WHERE order_id = ?', [order.orderId]),
    ).toBe(1);
  });

  it.each([
    ['tok_decline', OrderStatus.ORDER_STATUS_DECLINED, 'card_declined', 'DECLINED'],
    ['tok_insufficient_funds', OrderStatus.ORDER_STATUS_DECLINED, 'insufficient_funds', 'DECLINED'],
    ['tok_processor_error', OrderStatus.ORDER_STATUS_FAILED, 'processor_error', 'FAILED'],
  ])('a %s token ends the order %s with reason, recorded once', async (token, status, reason, transactionStatus) => {
    const { order } = await platform.client().placeOrder(placeRequest({ paymentMethodToken: token }), deadline());
    expect(order?.status).toBe(status);
    expect(order?.statusReason).toBe(reason);
    expect(await count(platform.ordersDb, 'SELECT COUNT(*) FROM orders WHERE order_id = ?', [order?.orderId])).toBe(1);
    expect(
      await count(platform.paymentsDb, 'SELECT COUNT(*) FROM transactions WHERE order_id = ? AND status = ?', [
        order?.orderId,
        transactionStatus,
      ]),
    ).toBe(1);
  });

  it('answers PENDING, not an error, when the outcome misses the caller deadline, and the order still completes', async () => {
    const request = placeRequest({ paymentMethodToken: 'tok_timeout' });
    const { order } = await platform.client().placeOrder(request, deadline(1_500));
    expect(order?.status).toBe(OrderStatus.ORDER_STATUS_PENDING);
    const watched: orderV1.OrderStatus[] = [];
    for await (const update of platform.client().watchOrder({ orderId: order!.orderId }, deadline(30_000))) {
      watched.push(update.order!.status);
    }
    expect(watched.at(-1)).toBe(OrderStatus.ORDER_STATUS_FAILED);
  });

  it('returns the same order for a retried idempotency key and refuses the key with other content', async () => {
    const request = placeRequest();
    const first = await platform.client().placeOrder(request, deadline());
    const again = await platform.client().placeOrder(request, deadline());
    expect(again.order?.orderId).toBe(first.order?.orderId);
    expect(again.order?.status).toBe(OrderStatus.ORDER_STATUS_PAID);
    await expect(
      platform
        .client()
        .placeOrder({ ...request, items: [{ sku: 'OTHER', quantity: 1, unitPriceMinor: 1n }] }, deadline()),
    ).rejects.toMatchObject({ code: Status.ALREADY_EXISTS });
    expect(
      await count(platform.ordersDb, 'SELECT COUNT(*) FROM orders WHERE idempotency_key = ?', [request.idempotencyKey]),
    ).toBe(1);
  });

  it('refuses invalid requests with INVALID_ARGUMENT and writes nothing', async () => {
    const before = await count(platform.ordersDb, 'SELECT COUNT(*) FROM orders');
    const bad = [
      placeRequest({ items: [] }),
      placeRequest({ items: [{ sku: 'A', quantity: 0, unitPriceMinor: 1n }] }),
      placeRequest({ items: [{ sku: 'A', quantity: 1, unitPriceMinor: -5n }] }),
      placeRequest({ items: [{ sku: 'A', quantity: 10_000, unitPriceMinor: 9_223_372_036_854_775_807n }] }),
      placeRequest({ currency: 'ABC' }),
      placeRequest({ idempotencyKey: '' }),
      placeRequest({ customerId: 'x'.repeat(10_000) }),
      placeRequest({ paymentMethodToken: '4111111111111111' }),
    ];
    for (const request of bad) {
      await expect(platform.client().placeOrder(request, deadline())).rejects.toMatchObject({
        code: Status.INVALID_ARGUMENT,
      });
    }
    expect(await count(platform.ordersDb, 'SELECT COUNT(*) FROM orders')).toBe(before);
  });

  it('answers NOT_FOUND for an unknown order and FAILED_PRECONDITION for cancelling a paid one', async () => {
    await expect(platform.client().getOrder({ orderId: '00000000-0000-7000-8000-000000000000' })).rejects.toMatchObject(
      {
        code: Status.NOT_FOUND,
      },
    );
    const { order } = await platform.client().placeOrder(placeRequest(), deadline());
    expect(order?.status).toBe(OrderStatus.ORDER_STATUS_PAID);
    await expect(platform.client().cancelOrder({ orderId: order!.orderId, reason: '' })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
    });
  });

  it("lists a customer's orders newest first, page by page", async () => {
    const customerId = `list-${Date.now()}`;
    for (let index = 0; index < 5; index++)
      await platform.client().placeOrder(placeRequest({ customerId }), deadline());
    const first = await platform.client().listOrders({ customerId, pageSize: 3, status: 0, pageToken: '' });
    const second = await platform
      .client()
      .listOrders({ customerId, pageSize: 3, status: 0, pageToken: first.nextPageToken });
    const ids = [...first.orders, ...second.orders].map((order) => order.orderId);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(second.nextPageToken).toBe('');
  });
});
