import { orderV1 } from '@addispay/api';
import { createLogger } from '@addispay/telemetry';
import { createChannel, Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRpcClientFactory } from './client.js';
import { createRpcServer, type RpcServer } from './server.js';

const failWith = (error: unknown) => async () => {
  throw error;
};

const mysqlError = (message: string, code: string, errno: number) => Object.assign(new Error(message), { code, errno });

/** What a failing-over InnoDB cluster answers, one per call of cancelOrder. */
const failover = [
  mysqlError('The MySQL server is running with the --super-read-only option', 'ER_OPTION_PREVENTS_STATEMENT', 1290),
  mysqlError(
    'Plugin instructed the server to rollback the current transaction.',
    'ER_TRANSACTION_ROLLBACK_DURING_COMMIT',
    3101,
  ),
  mysqlError('Server shutdown in progress', 'ER_SERVER_SHUTDOWN', 1053),
  mysqlError('The client was disconnected by the server because of inactivity.', 'ER_CLIENT_INTERACTION_TIMEOUT', 4031),
  mysqlError('Connection lost: The server closed the connection.', 'PROTOCOL_CONNECTION_LOST', 0),
];
const failoverCount = failover.length;

describe('errors a handler did not expect', () => {
  let rpc: RpcServer;
  let client: ReturnType<typeof createClient>;
  const createClient = (port: number) =>
    createRpcClientFactory().create(orderV1.OrderServiceDefinition, createChannel(`127.0.0.1:${port}`));

  beforeAll(async () => {
    rpc = createRpcServer({
      logger: createLogger({ service: 'test', level: 'fatal' }),
      descriptorSet: new Uint8Array(),
      serviceNames: [],
    });
    rpc.add(orderV1.OrderServiceDefinition, {
      placeOrder: failWith(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' })),
      getOrder: failWith(new TypeError('cannot read properties of undefined')),
      listOrders: failWith(
        Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK' }),
      ),
      cancelOrder: () => {
        const error = failover.shift();
        return Promise.reject(error ?? new Error('no failover error left'));
      },
      // eslint-disable-next-line require-yield
      async *watchOrder() {
        throw new Error('unused');
      },
    });
    client = createClient(await rpc.listen(0));
  });
  afterAll(() => rpc.server.shutdown());

  it('answers UNAVAILABLE, retryable, when a dependency cannot be reached', async () => {
    await expect(client.placeOrder({ items: [] })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
  });

  it('answers UNAVAILABLE, retryable, to what MySQL answers while its primary fails over', async () => {
    for (let call = 0; call < failoverCount; call++) {
      await expect(client.cancelOrder({ orderId: 'x' })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    }
  });

  it('answers ABORTED, retryable, when a transaction kept conflicting with others', async () => {
    await expect(client.listOrders({})).rejects.toMatchObject({ code: Status.ABORTED });
  });

  it('answers INTERNAL without internals for anything else', async () => {
    const failure = client.getOrder({ orderId: 'x' });
    await expect(failure).rejects.toMatchObject({ code: Status.INTERNAL });
    await expect(failure).rejects.not.toMatchObject({ details: expect.stringContaining('undefined') });
  });
});
