import { createPool, OutboxRelay } from '@addispay/mysql';
import { consume, createTransport, loadTopology, topicPublisher } from '@addispay/pulsar';
import { loadConfig, runService } from '@addispay/runtime';
import { createLogger, LogShipper, startOpsServer } from '@addispay/telemetry';
import { paymentServiceSettings } from './config.js';
import { orderEventHandler } from './order-events.js';
import type { PaymentContext } from './payments.js';
import { createSimulatedProcessor } from './simulated-processor.js';

await runService('payment-service', async () => {
  const config = loadConfig(paymentServiceSettings);
  const shipper = new LogShipper({ service: 'payment-service' });
  const logger = createLogger({
    service: 'payment-service',
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
  const processor = createSimulatedProcessor({
    latencyMs: config.latencyMs,
    failureRate: config.failureRate,
    timeoutMs: config.processorTimeoutMs,
  });
  const context: PaymentContext = { pool, processor, relay, now: () => new Date(), logger };

  relay.start();
  const orders = await consume(
    transport,
    topology.subscription('orders', 'payment-service'),
    orderEventHandler(context),
    {
      concurrency: config.consumerConcurrency,
      logger,
    },
  );
  let ready = true;
  const ops = await startOpsServer({ port: config.metricsPort, isReady: () => ready });
  logger.info(
    { metricsPort: config.metricsPort, latencyMs: config.latencyMs, failureRate: config.failureRate },
    'payment-service ready',
  );

  return async () => {
    ready = false;
    await orders.stop();
    await relay.stop();
    await publisher.close();
    await shipper.close();
    await transport.close();
    await pool.end();
    ops.close();
    logger.info('payment-service stopped');
  };
});
