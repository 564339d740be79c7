import { join } from 'node:path';
import { orderV1 } from '@addispay/api';
import { createPool } from '@addispay/mysql';
import {
  createTestDatabase,
  createTestTopics,
  PULSAR_WS_URL,
  repositoryRoot,
  startService,
  type RunningService,
  type TestDatabase,
} from '@addispay/testkit';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { createRpcClientFactory, type DeadlineOptions } from '@addispay/rpc';
import { createChannel, type Channel, type Client } from 'nice-grpc';

/** The order and payment services on their own databases and topics, started as real processes. */
export interface TestPlatform {
  readonly orderServices: RunningService[];
  paymentService: RunningService;
  readonly ordersDb: Pool;
  readonly paymentsDb: Pool;
  readonly topicSuffix: string;
  readonly orderEnv: Record<string, string>;
  readonly paymentEnv: Record<string, string>;
  /** Started only with `withLogger`. */
  readonly loggerService: RunningService | undefined;
  client(replica?: number): Client<orderV1.OrderServiceDefinition, DeadlineOptions>;
  restartPaymentService(): Promise<void>;
  close(): Promise<void>;
}

export interface PlatformOptions {
  readonly orderReplicas?: number;
  readonly payment?: Record<string, string>;
  readonly order?: Record<string, string>;
  /** Also start the logger service, on its own database, storing what the others ship. */
  readonly withLogger?: boolean;
  /** Another broker than the shared one (scripts/pulsar.sh with PULSAR_INSTANCE). */
  readonly pulsar?: { readonly wsUrl: string; readonly adminUrl: string };
}

export async function startPlatform(options: PlatformOptions = {}): Promise<TestPlatform> {
  const root = repositoryRoot();
  const [orders, payments, logs] = await Promise.all([
    createTestDatabase({ label: 'orders', migrationsDir: join(root, 'apps/order-service/migrations') }),
    createTestDatabase({ label: 'payments', migrationsDir: join(root, 'apps/payment-service/migrations') }),
    options.withLogger
      ? createTestDatabase({ label: 'logs', migrationsDir: join(root, 'apps/logger-service/migrations') })
      : undefined,
  ]);
  const { suffix } = await createTestTopics(options.pulsar?.adminUrl);
  const common = {
    PULSAR_URL: options.pulsar?.wsUrl ?? PULSAR_WS_URL,
    PULSAR_TRANSPORT: 'websocket',
    PULSAR_TOPIC_SUFFIX: suffix,
  };
  const orderEnv = { ...common, MYSQL_DSN: orders.dsn, ...options.order };
  const paymentEnv = { ...common, MYSQL_DSN: payments.dsn, PAYMENT_LATENCY_MS: '5', ...options.payment };

  const loggerService = logs ? await startService('logger-service', { ...common, MYSQL_DSN: logs.dsn }) : undefined;
  const paymentService = await startService('payment-service', paymentEnv);
  const orderServices = await Promise.all(
    Array.from({ length: options.orderReplicas ?? 1 }, () => startService('order-service', orderEnv)),
  );
  const channels: Channel[] = [];
  const pools = [createPool(orders.adminDsn), createPool(payments.adminDsn)] as const;

  const platform: TestPlatform = {
    orderServices,
    paymentService,
    ordersDb: pools[0],
    paymentsDb: pools[1],
    topicSuffix: suffix,
    orderEnv,
    paymentEnv,
    loggerService,
    client(replica = 0) {
      const channel = createChannel(orderServices[replica]!.grpcAddress);
      channels.push(channel);
      return createRpcClientFactory().create(orderV1.OrderServiceDefinition, channel);
    },
    async restartPaymentService() {
      platform.paymentService = await startService('payment-service', paymentEnv);
    },
    async close() {
      channels.forEach((channel) => channel.close());
      const services = [...orderServices, platform.paymentService, ...(loggerService ? [loggerService] : [])];
      await Promise.all(services.map((service) => service.stop().catch(() => {})));
      await Promise.all(pools.map((pool) => pool.end()));
      const databases = [orders, payments, logs].filter((db): db is TestDatabase => db !== undefined);
      await Promise.all(databases.map((db) => db.drop()));
    },
  };
  return platform;
}

export async function count(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(sql, params);
  return Number(Object.values(rows[0] ?? {})[0] ?? 0);
}

export function placeRequest(overrides: Partial<orderV1.PlaceOrderRequest> = {}): orderV1.PlaceOrderRequest {
  return {
    idempotencyKey: `key-${Math.random().toString(36).slice(2)}`,
    customerId: 'cust-e2e',
    currency: 'USD',
    paymentMethodToken: 'tok_approve',
    items: [{ sku: 'BOOK-1', quantity: 2, unitPriceMinor: 1250n }],
    ...overrides,
  };
}

/** Polls until `check` holds or the time is up; returns whether it held. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return check();
}
