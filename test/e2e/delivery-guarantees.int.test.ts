import { orderV1 } from '@addispay/api';
import { createTransport } from '@addispay/pulsar';
import { PULSAR_WS_URL } from '@addispay/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eventually, placeRequest, startPlatform, type TestPlatform } from './platform.js';

const { OrderStatus } = orderV1;
const deadline = (ms = 15_000) => ({ deadline: new Date(Date.now() + ms) });

describe('exactly once in effect', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    // The burst below wants all 1,100 calls admitted at once (admission control has its own test).
    platform = await startPlatform({ order: { PLACE_ORDER_MAX_IN_FLIGHT: '2000' } });
  });
  afterAll(() => platform?.close());

  it('1,000 concurrent PlaceOrder calls, 10% of them repeated, give 1,000 orders and at most one charge each', async () => {
    const requests = Array.from({ length: 1_000 }, (_, index) =>
      placeRequest({ idempotencyKey: `burst-${index}`, customerId: 'burst' }),
    );
    const repeats = requests.filter((_, index) => index % 10 === 0);
    const client = platform.client();
    const answers = await Promise.all(
      [...requests, ...repeats].map((request) => client.placeOrder(request, deadline(60_000))),
    );

    expect(new Set(answers.map((answer) => answer.order?.orderId)).size).toBe(1_000);
    expect(await count(platform.ordersDb, "SELECT COUNT(*) FROM orders WHERE customer_id = 'burst'")).toBe(1_000);
    const allPaid = () =>
      count(platform.ordersDb, "SELECT COUNT(*) FROM orders WHERE customer_id = 'burst' AND status = 'PAID'");
    expect(await eventually(async () => (await allPaid()) === 1_000)).toBe(true);
    expect(await count(platform.paymentsDb, "SELECT COUNT(*) FROM transactions WHERE customer_id = 'burst'")).toBe(
      1_000,
    );
    expect(
      await count(
        platform.paymentsDb,
        'SELECT COUNT(*) FROM (SELECT order_id FROM transactions GROUP BY order_id HAVING COUNT(*) > 1) d',
      ),
    ).toBe(0);
  });

  it('a payment service killed with SIGKILL mid-stream and restarted: every order final, none charged twice', async () => {
    const client = platform.client();
    const requests = Array.from({ length: 300 }, (_, index) =>
      placeRequest({ idempotencyKey: `crash-${index}`, customerId: 'crash' }),
    );
    const placing = Promise.allSettled(requests.map((request) => client.placeOrder(request, deadline(2_000))));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await platform.paymentService.kill();
    await placing;
    await platform.restartPaymentService();
    // Clients that got no answer retry with the same idempotency key, as real clients do.
    await Promise.all(requests.map((request) => client.placeOrder(request, deadline(30_000))));

    const finalCount = () =>
      count(platform.ordersDb, "SELECT COUNT(*) FROM orders WHERE customer_id = 'crash' AND status <> 'PENDING'");
    expect(await eventually(async () => (await finalCount()) === 300, 90_000)).toBe(true);
    expect(await count(platform.paymentsDb, "SELECT COUNT(*) FROM transactions WHERE customer_id = 'crash'")).toBe(300);
    expect(
      await count(platform.ordersDb, "SELECT COUNT(*) FROM orders WHERE customer_id = 'crash' AND status = 'PAID'"),
    ).toBe(300);
  });

  it('a charge that lands after the cancel is refunded, and the order stays CANCELLED', async () => {
    await platform.paymentService.stop();
    const { order } = await platform.client().placeOrder(placeRequest({ customerId: 'late' }), deadline(1_000));
    expect(order?.status).toBe(OrderStatus.ORDER_STATUS_PENDING);
    const { order: cancelled } = await platform
      .client()
      .cancelOrder({ orderId: order!.orderId, reason: 'changed_mind' });
    expect(cancelled?.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
    await platform.restartPaymentService();

    const refunded = () =>
      count(platform.paymentsDb, "SELECT COUNT(*) FROM transactions WHERE order_id = ? AND status = 'REFUNDED'", [
        order!.orderId,
      ]);
    expect(await eventually(async () => (await refunded()) === 1)).toBe(true);
    const { order: after } = await platform.client().getOrder({ orderId: order!.orderId });
    expect(after?.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
  });

  it('poison messages on each consumed topic go to its dead-letter topic and the flow goes on', async () => {
    const transport = await createTransport({ url: PULSAR_WS_URL });
    try {
      const poisons = ['orders', 'payment-results'];
      const dlqMessages: Record<string, string[]> = { orders: [], 'payment-results': [] };
      const readers = await Promise.all(
        poisons.map((topic) => {
          const dlq = topic === 'orders' ? `orders-payment-service-DLQ` : `payment-results-order-service-DLQ`;
          return transport.subscribe(
            {
              topic: `persistent://addispay/platform/${dlq}${platform.topicSuffix}`,
              subscription: 'test-reader',
              type: 'Exclusive',
              initialPosition: 'Earliest',
            },
            (message) => dlqMessages[topic]!.push(Buffer.from(message.payload).toString()),
          );
        }),
      );
      for (const topic of poisons) {
        const producer = await transport.createProducer(
          `persistent://addispay/platform/${topic}${platform.topicSuffix}`,
        );
        for (let index = 0; index < 5; index++) {
          await producer.send({
            key: `poison-${index}`,
            payload: Buffer.from(`not protobuf ${index} \u0000\u00ff`),
            properties: {},
          });
        }
        await producer.close();
      }
      const { order } = await platform.client().placeOrder(placeRequest(), deadline());
      expect(order?.status).toBe(OrderStatus.ORDER_STATUS_PAID);
      expect(
        await eventually(
          async () => dlqMessages['orders']!.length >= 5 && dlqMessages['payment-results']!.length >= 5,
          30_000,
        ),
      ).toBe(true);
      await Promise.all(readers.map((reader) => reader.close()));
    } finally {
      await transport.close();
    }
  });
});

describe('two order-service replicas', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startPlatform({ orderReplicas: 2 });
  });
  afterAll(() => platform?.close());

  it('answers a waiting call even when the other replica consumed the payment result', async () => {
    const replicas = [platform.client(0), platform.client(1)];
    // Key_Shared spreads results over both replicas by order id, so among 40 calls on each, many are answered
    // from a result the other replica consumed.
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, index) =>
        replicas[index % 2]!.placeOrder(placeRequest({ customerId: 'replicas' }), deadline(15_000)),
      ),
    );
    expect(answers.map((answer) => answer.order?.status)).toEqual(answers.map(() => OrderStatus.ORDER_STATUS_PAID));
    // Which replica finalized each order: the one whose log says so.
    const finalizedBy = (replica: number) =>
      new Set(
        platform.orderServices[replica]!.output()
          .split('\n')
          .filter((line) => line.includes('"order status changed"'))
          .map((line) => (JSON.parse(line) as { orderId: string }).orderId),
      );
    const crossed = answers.filter((answer, index) => finalizedBy(1 - (index % 2)).has(answer.order!.orderId));
    expect(crossed.length).toBeGreaterThan(0);
  });
});

describe('the sweeper', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startPlatform({ order: { ORDER_PAYMENT_TIMEOUT_MS: '1500', ORDER_SWEEP_INTERVAL_MS: '200' } });
  });
  afterAll(() => platform?.close());

  it('fails an order whose payment never came back, and the late charge is refunded', async () => {
    await platform.paymentService.stop();
    const { order } = await platform.client().placeOrder(placeRequest({ customerId: 'stuck' }), deadline(1_000));
    expect(order?.status).toBe(OrderStatus.ORDER_STATUS_PENDING);
    const failed = async () => (await platform.client().getOrder({ orderId: order!.orderId })).order;
    await expect.poll(failed, { timeout: 20_000, interval: 200 }).toMatchObject({
      status: OrderStatus.ORDER_STATUS_FAILED,
      statusReason: 'payment_timeout',
    });

    await platform.restartPaymentService();
    const reversed = () =>
      count(
        platform.paymentsDb,
        "SELECT COUNT(*) FROM transactions WHERE order_id = ? AND status IN ('REFUNDED', 'VOIDED')",
        [order!.orderId],
      );
    expect(await eventually(async () => (await reversed()) === 1)).toBe(true);
    expect((await failed())?.status).toBe(OrderStatus.ORDER_STATUS_FAILED);
  });
});

describe('transient processor outages', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startPlatform({ payment: { PAYMENT_FAILURE_RATE: '0.3' } });
  });
  afterAll(() => platform?.close());

  it('retries a charge through negative acknowledgements until it goes through, charging once', async () => {
    const client = platform.client();
    const requests = Array.from({ length: 30 }, (_, index) =>
      placeRequest({ idempotencyKey: `flaky-${index}`, customerId: 'flaky' }),
    );
    await Promise.all(requests.map((request) => client.placeOrder(request, deadline(2_000))));
    const paid = () =>
      count(platform.ordersDb, "SELECT COUNT(*) FROM orders WHERE customer_id = 'flaky' AND status = 'PAID'");
    expect(await eventually(async () => (await paid()) === 30, 60_000)).toBe(true);
    expect(await count(platform.paymentsDb, "SELECT COUNT(*) FROM transactions WHERE customer_id = 'flaky'")).toBe(30);
    // The outages really happened: the payment service retried.
    expect(platform.paymentService.output()).toContain('payment processor temporarily unavailable');
  });
});
