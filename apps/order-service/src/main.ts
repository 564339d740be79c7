import { descriptorSet, orderV1 } from '@addispay/api';
import { openFoundation } from '@addispay/foundation';
import { consume } from '@addispay/pulsar';
import { createRpcServer, tlsMode } from '@addispay/rpc';
import { loadConfig, runService } from '@addispay/runtime';
import { orderServiceSettings } from './config.js';
import { orderApi } from './grpc/order-api.js';
import { createOrderContext } from './orders/order-context.js';
import { orderStatusListener } from './orders/order-status-topic.js';
import { paymentResultHandler } from './orders/payment-results.js';
import { expireStuckOrders } from './orders/transition-order.js';

await runService('order-service', async () => {
  const config = loadConfig(orderServiceSettings);
  const foundation = await openFoundation('order-service', config);
  const { logger, pool, transport, topology } = foundation;

  const relay = foundation.startOutboxRelay();
  const context = createOrderContext({ pool, relay, logger });

  const statusReader = await transport.read(topology.topic('order-status').fullName, orderStatusListener(context));
  const results = await consume(
    transport,
    topology.subscription('payment-results', 'order-service'),
    paymentResultHandler(context),
    { concurrency: config.consumerConcurrency, logger },
  );
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
    inFlightLimits: [
      { method: '/addispay.order.v1.OrderService/PlaceOrder', maxInFlight: config.placeOrderMaxInFlight },
    ],
  });
  rpc.add(
    orderV1.OrderServiceDefinition,
    orderApi(context, { maxWaitMs: config.placeOrderMaxWaitMs, answerMarginMs: config.answerMarginMs }),
  );
  await rpc.listen(config.grpcPort, config.grpcTls);
  rpc.health.setStatus('healthy');
  foundation.markReady();
  logger.info(
    { grpcPort: config.grpcPort, tls: tlsMode(config.grpcTls), metricsPort: config.metricsPort },
    'order-service ready',
  );

  return async () => {
    foundation.drain();
    rpc.health.setStatus('unhealthy');
    await rpc.server.shutdown();
    clearInterval(sweeper);
    await results.stop();
    await statusReader.close();
    await foundation.close();
  };
});
