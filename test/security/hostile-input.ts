import type { loggerV1 } from '@addispay/api';
import { orderV1 } from '@addispay/api';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { credentials, Client as GrpcClient, Metadata, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import { Status } from 'nice-grpc';

/** Generators of hostile requests for every RPC, and a raw client that sends any bytes to any method. */

/** Runs per property: `make test` keeps the default, `make fuzz` sets FUZZ_RUNS=10000. */
export const FUZZ_RUNS = Math.max(1, Number(process.env['FUZZ_RUNS'] ?? 300));

/** What a hostile request may get: a refusal that names the caller's fault, or an ordinary answer. Never
 * INTERNAL, UNKNOWN (the server at fault), UNAVAILABLE (it crashed) or DEADLINE_EXCEEDED (it hung). */
export const ACCEPTABLE = new Set([
  Status.OK,
  Status.INVALID_ARGUMENT,
  Status.NOT_FOUND,
  Status.RESOURCE_EXHAUSTED,
  Status.OUT_OF_RANGE,
  Status.ALREADY_EXISTS,
  Status.FAILED_PRECONDITION,
]);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const oddStrings = [
  '',
  ' ',
  '\u0000',
  'tok_approve\u0000',
  "'; DROP TABLE orders; --",
  '%',
  '_%_',
  '\\',
  '\u202eUSD',
  'U\u200bSD',
  'ｕｓｄ',
  'usd',
  '🏳️‍🌈'.repeat(40),
  'e\u0301'.repeat(100),
  '\ud800',
  '\udfff\ud800',
  '𝕬'.repeat(129),
  'A'.repeat(129),
  'A'.repeat(64 * 1024),
  '1234 5678 9012 3456',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
];

/** Unicode of every kind (lone surrogates included), odd constants, and now and then something long. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 3, arbitrary: fc.constantFrom(...oddStrings) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 129, maxLength: 3_000 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
);

export const hostileInt64: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.constantFrom(INT64_MIN, INT64_MAX, INT64_MIN + 1n, -1n, 0n, 1n, 10n ** 15n, 10n ** 15n + 1n, 2n ** 53n + 1n),
);

export const hostileInt32: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.constantFrom(-2_147_483_648, 2_147_483_647, -1, 0, 1, 100, 101, 10_000, 10_001),
);

const lineItem = fc.record({ sku: hostileString, quantity: hostileInt32, unitPriceMinor: hostileInt64 });

export const placeOrderRequest: fc.Arbitrary<orderV1.PlaceOrderRequest> = fc.record({
  idempotencyKey: hostileString,
  customerId: hostileString,
  currency: fc.oneof(hostileString, fc.constantFrom('USD', 'ETB', 'XXX', 'XTS', 'BTC', 'US', 'USDD')),
  paymentMethodToken: fc.oneof(hostileString, fc.constantFrom('tok_approve', '4111111111111111')),
  items: fc.oneof(
    { weight: 8, arbitrary: fc.array(lineItem, { maxLength: 8 }) },
    { weight: 1, arbitrary: fc.array(lineItem, { minLength: 99, maxLength: 150 }) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 101, max: 5_000 })
        .map((count) =>
          Array.from({ length: count }, (_, index) => ({ sku: `S${index}`, quantity: 1, unitPriceMinor: 1n })),
        ),
    },
  ),
});

/** Things that look like order ids and things that do not. */
export const orderId: fc.Arbitrary<string> = fc.oneof(fc.uuid(), hostileString, fc.stringMatching(/^[0-9a-f-]{36}$/));

/** Page tokens: garbage, and well-formed base64url JSON carrying hostile cursor values. */
const pageToken: fc.Arbitrary<string> = fc.oneof(
  hostileString,
  fc
    .tuple(
      fc.oneof(fc.double(), fc.integer(), fc.constantFrom(8.64e15 + 1, -8.64e15 - 1, 1e300, Number.MAX_VALUE)),
      fc.oneof(hostileString, fc.uuid()),
    )
    .map((cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url')),
  fc.json().map((json) => Buffer.from(json).toString('base64url')),
);

/** Mostly in range, so the other fields get past the first check; now and then anything. */
const smallOrAny = (max: number): fc.Arbitrary<number> =>
  fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max }) }, { weight: 1, arbitrary: hostileInt32 });

export const listOrdersRequest: fc.Arbitrary<orderV1.ListOrdersRequest> = fc.record({
  customerId: hostileString,
  status: smallOrAny(5),
  createdAfter: fc.option(fc.date({ noInvalidDate: true }), { nil: undefined }),
  createdBefore: fc.option(fc.date({ noInvalidDate: true }), { nil: undefined }),
  pageSize: smallOrAny(500),
  pageToken: fc.oneof(fc.constant(''), pageToken),
});

export const cancelOrderRequest: fc.Arbitrary<orderV1.CancelOrderRequest> = fc.record({
  orderId,
  reason: hostileString,
});

export const queryLogsRequest: fc.Arbitrary<loggerV1.QueryLogsRequest> = fc.record({
  orderId: fc.oneof(fc.constant(''), hostileString),
  traceId: fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9a-f]{32}$/), hostileString),
  service: hostileString,
  minLevel: smallOrAny(6),
  since: fc.option(fc.date({ noInvalidDate: true }), { nil: undefined }),
  limit: smallOrAny(2_000),
});

/** A google.protobuf.Timestamp field with any seconds and nanos, as the typed encoders would never write it. */
function timestampField(field: number, seconds: bigint, nanos: number): Uint8Array {
  return new BinaryWriter()
    .uint32((field << 3) | 2)
    .fork()
    .uint32(8)
    .int64(seconds)
    .uint32(16)
    .int32(nanos)
    .join()
    .finish();
}

const hostileTimestamp = fc.tuple(hostileInt64, hostileInt32);

/** Bodies that are not what the method expects, at the wire level. */
export function hostileBody(method: 'ListOrders' | 'QueryLogs' | 'other'): fc.Arbitrary<Uint8Array> {
  const common: fc.Arbitrary<Uint8Array>[] = [
    // Any bytes at all.
    fc.uint8Array({ maxLength: 2_000 }),
    // Unknown groups nested deep: a recursive decoder runs out of stack.
    fc.integer({ min: 1_000, max: 120_000 }).map((depth) => new Uint8Array(depth).fill(0x0b)),
    // Length prefixes that promise more than follows.
    fc
      .tuple(fc.integer({ min: 1, max: 15 }), fc.uint8Array({ maxLength: 8 }))
      .map(([field, rest]) => new Uint8Array([(field << 3) | 2, 0xff, 0xff, 0xff, 0xff, 0x0f, ...rest])),
    // Another message type entirely.
    placeOrderRequest.map((request) => orderV1.PlaceOrderRequest.encode(request).finish()),
    listOrdersRequest.map((request) => orderV1.ListOrdersRequest.encode(request).finish()),
  ];
  if (method === 'ListOrders') {
    common.push(
      fc
        .tuple(fc.constantFrom(3, 4), hostileTimestamp)
        .map(([field, [seconds, nanos]]) => timestampField(field, seconds, nanos)),
    );
  }
  if (method === 'QueryLogs') {
    common.push(hostileTimestamp.map(([seconds, nanos]) => timestampField(5, seconds, nanos)));
  }
  return fc.oneof(...common);
}

/** grpc-js with identity (de)serializers: sends exactly the bytes given. */
export class RawClient {
  private readonly client: GrpcClient;

  constructor(address: string) {
    this.client = new GrpcClient(address, credentials.createInsecure(), {
      'grpc.max_send_message_length': -1,
      'grpc.max_receive_message_length': -1,
    });
  }

  /** The status the call ended with; for a stream, after reading (and dropping) what it sent. */
  call(path: string, body: Uint8Array, stream = false, timeoutMs = 10_000): Promise<Status> {
    const identity = (bytes: Buffer): Buffer => bytes;
    const options = { deadline: new Date(Date.now() + timeoutMs) };
    return new Promise((resolve) => {
      if (!stream) {
        this.client.makeUnaryRequest(path, identity, identity, Buffer.from(body), new Metadata(), options, (error) =>
          resolve(error ? (error as ServiceError).code : Status.OK),
        );
        return;
      }
      const call = this.client.makeServerStreamRequest(
        path,
        identity,
        identity,
        Buffer.from(body),
        new Metadata(),
        options,
      );
      call.on('data', () => {});
      call.on('error', () => {});
      call.on('status', (status: { code: Status }) => resolve(status.code));
    });
  }

  close(): void {
    this.client.close();
  }
}
