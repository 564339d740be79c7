import { orderV1 } from '@addispay/api';
import { Status } from 'nice-grpc';
import { RetryInfo, RichClientError } from 'nice-grpc-error-details';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, placeRequest, startPlatform, type TestPlatform } from '../e2e/platform.js';

let platform: TestPlatform;

async function failure(call: Promise<unknown>): Promise<{ code: Status; error: unknown }> {
  try {
    await call;
    return { code: Status.OK, error: undefined };
  } catch (error) {
    return { code: (error as { code: Status }).code, error };
  }
}

beforeAll(async () => {
  platform = await startPlatform({
    order: {
      PLACE_ORDER_RATE_LIMIT: '2',
      PLACE_ORDER_RATE_BURST: '3',
      RPC_MAX_UNARY_MS: '1000',
      RPC_MAX_STREAM_MS: '1500',
      PLACE_ORDER_MAX_WAIT_MS: '5000',
      PLACE_ORDER_MAX_IN_FLIGHT: '2',
    },
  });
});

afterAll(async () => {
  platform?.paymentService.resume();
  await platform?.close();
});

describe('server-side limits on every call', () => {
  it('ends a unary call at RPC_MAX_UNARY_MS although the caller set no deadline', async () => {
    platform.paymentService.pause(); // the order stays PENDING, so PlaceOrder would wait 5 s
    try {
      const { code } = await failure(platform.client().placeOrder(placeRequest()));
      // Without the limit the server would answer PENDING after PLACE_ORDER_MAX_WAIT_MS; the caller set no deadline.
      expect(code).toBe(Status.DEADLINE_EXCEEDED);
    } finally {
      platform.paymentService.resume();
    }
  });

  it('ends a WatchOrder stream at RPC_MAX_STREAM_MS with DEADLINE_EXCEEDED', async () => {
    platform.paymentService.pause();
    try {
      const { order } = await platform.client().placeOrder(placeRequest(), { deadline: 500 });
      const updates: orderV1.OrderStatus[] = [];
      const { code, error } = await failure(
        (async () => {
          for await (const update of platform.client().watchOrder({ orderId: order!.orderId }))
            updates.push(update.order!.status);
        })(),
      );
      expect(code, String(error)).toBe(Status.DEADLINE_EXCEEDED);
      expect(updates).toEqual([orderV1.OrderStatus.ORDER_STATUS_PENDING]);
    } finally {
      platform.paymentService.resume();
    }
  });

  it('limits PlaceOrder per client with RESOURCE_EXHAUSTED and a retry hint, other RPCs untouched', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_600)); // the bucket refills to its burst of 3
    const client = platform.client();
    const invalid = () => client.placeOrder(placeRequest({ currency: 'NOPE' }));
    const codes = [];
    for (let call = 0; call < 5; call++) codes.push((await failure(invalid())).code);
    expect(codes).toEqual([
      Status.INVALID_ARGUMENT,
      Status.INVALID_ARGUMENT,
      Status.INVALID_ARGUMENT,
      Status.RESOURCE_EXHAUSTED,
      Status.RESOURCE_EXHAUSTED,
    ]);
    const { error } = await failure(invalid());
    expect(error).toBeInstanceOf(RichClientError);
    const retry = (error as RichClientError).extra.find((detail) => detail.$type === RetryInfo.$type) as
      RetryInfo | undefined;
    const retryMs = (retry?.retryDelay?.seconds ?? 0) * 1000 + (retry?.retryDelay?.nanos ?? 0) / 1e6;
    expect(retryMs).toBeGreaterThan(0);
    expect(retryMs).toBeLessThanOrEqual(500);

    expect((await failure(client.getOrder({ orderId: crypto.randomUUID() }))).code).toBe(Status.NOT_FOUND);
    await new Promise((resolve) => setTimeout(resolve, retryMs + 50));
    expect((await failure(invalid())).code).toBe(Status.INVALID_ARGUMENT);
    // Refused calls wrote nothing: only the two orders of the tests above exist.
    expect(await count(platform.ordersDb, 'SELECT COUNT(*) FROM orders')).toBe(2);
  });

  it('refuses PlaceOrder calls past PLACE_ORDER_MAX_IN_FLIGHT with RESOURCE_EXHAUSTED, storing nothing for them', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_600)); // the rate limit's bucket refills to 3
    const before = await count(platform.ordersDb, 'SELECT COUNT(*) FROM orders');
    platform.paymentService.pause(); // accepted calls wait for an outcome, so they stay in flight
    try {
      const client = platform.client();
      const deadline = new Date(Date.now() + 2_000);
      const results = await Promise.all(
        [1, 2, 3].map(() => failure(client.placeOrder(placeRequest({ customerId: 'crowd' }), { deadline }))),
      );
      // The two admitted calls are stored and wait for the paused payment until RPC_MAX_UNARY_MS (1 s) ends them.
      expect(results.map((result) => result.code).sort()).toEqual([
        Status.DEADLINE_EXCEEDED,
        Status.DEADLINE_EXCEEDED,
        Status.RESOURCE_EXHAUSTED,
      ]);
      const refused = results.find((result) => result.code === Status.RESOURCE_EXHAUSTED)!.error as RichClientError;
      expect(refused.details).toMatch(/serving its limit of 2 calls at once/);
      expect(refused.extra.some((detail) => detail.$type === RetryInfo.$type)).toBe(true);
      expect(await count(platform.ordersDb, 'SELECT COUNT(*) FROM orders')).toBe(before + 2);
    } finally {
      platform.paymentService.resume();
    }
  });
});
