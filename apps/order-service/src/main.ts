import { descriptorSet, orderV1 } from '@addispay/api';
import { createPool, OutboxRelay } from '@addispay/mysql';
import { consume, createTransport, loadTopology, topicPublisher } from '@addispay/pulsar';
import { createRpcServer, tlsMode } from '@addispay/rpc';
import { loadConfig, runService } from '@addispay/runtime';
import { createLogger, LogShipper, startOpsServer } from '@addispay/telemetry';
import { orderServiceSettings } from './config.js';
import { orderApi } from './grpc/order-api.js';
import type { OrderContext } from './orders/order-context.js';
import { OrderStatusFeed } from './orders/order-status-feed.js';
import { orderStatusListener } from './orders/order-status-topic.js';
import { paymentResultHandler } from './orders/payment-results.js';
import { expireStuckOrders } from './orders/transition-order.js';

await runService('order-service', async () => {
  const config = loadConfig(orderServiceSettings);
  const shipper = new LogShipper({ service: 'order-service' });
  const logger = createLogger({
    service: 'order-service',
    level: config.logLevel,
    file: config.logFile,
    destinations: [shipper],
  });
  const topology = loadTopology({ topicSuffix: config.pulsarTopicSuffix });
  const pool = createPool(config.mysqlDsn);
  const transport = await createTransport({
    url: config.pulsarUrl.href,
    kind: config.pulsarTransport,
    tokenFile: config.pulsarTokenFile,
    logger,
  });
  logger.info({ transport: transport.kind }, 'connected to Pulsar');
  shipper.start({ open: () => transport.createProducer(topology.topic('logs').fullName), logger });

  const publisher = topicPublisher(transport, topology);
  const relay = new OutboxRelay({ pool, publish: publisher.publish, logger });
  const context: OrderContext = { pool, feed: new OrderStatusFeed(), relay, now: () => new Date(), logger };

  const statusReader = await transport.read(topology.topic('order-status').fullName, orderStatusListener(context));
  const results = await consume(
    transport,
    topology.subscription('payment-results', 'order-service'),
    paymentResultHandler(context),
    {
      concurrency: config.consumerConcurrency,
      logger,
    },
  );
  relay.start();
  const sweeper = setInterval(() => {
    expireStuckOrders(context, config.paymentTimeoutMs)
      .then((expired) => expired > 0 && logger.warn({ expired }, 'expired orders stuck past the payment timeout'))
      .catch((error: unknown) => logger.error({ err: error }, 'sweeping stuck orders failed'));
  }, config.sweepIntervalMs);

  const rpc = createRpcServer({
    logger,
    descriptorSet,
    serviceNames: ['addispay.order.v1.OrderService'],
    callTimeLimits: { maxUnaryMs: config.rpcMaxUnaryMs, maxStreamMs: config.rpcMaxStreamMs },
    rateLimits: [
      {
        method: '/addispay.order.v1.OrderService/PlaceOrder',
        perSecond: config.placeOrderRateLimit,
        burst: config.placeOrderRateBurst || Math.max(1, Math.ceil(config.placeOrderRateLimit * 2)),
      },
    ],
  });
  rpc.add(
    orderV1.OrderServiceDefinition,
    orderApi(context, { maxWaitMs: config.placeOrderMaxWaitMs, answerMarginMs: config.answerMarginMs }),
  );
  await rpc.listen(config.grpcPort, config.grpcTls);
  rpc.health.setStatus('healthy');
  let ready = true;
  const ops = await startOpsServer({ port: config.metricsPort, isReady: () => ready });
  logger.info(
    { grpcPort: config.grpcPort, tls: tlsMode(config.grpcTls), metricsPort: config.metricsPort },
    'order-service ready',
  );

  return async () => {
    ready = false;
    rpc.health.setStatus('unhealthy');
    await rpc.server.shutdown();
    clearInterval(sweeper);
    await results.stop();
    await statusReader.close();
    await relay.stop();
    await publisher.close();
    await shipper.close();
    await transport.close();
    await pool.end();
    ops.close();
    logger.info('order-service stopped');
  };
});
