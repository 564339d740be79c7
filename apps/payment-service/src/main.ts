import { openFoundation } from '@addispay/foundation';
import { consume } from '@addispay/pulsar';
import { loadConfig, runService } from '@addispay/runtime';
import { paymentServiceSettings } from './config.js';
import { orderEventHandler } from './order-events.js';
import { createPaymentContext } from './payments.js';
import { createSimulatedProcessor } from './simulated-processor.js';

await runService('payment-service', async () => {
  const config = loadConfig(paymentServiceSettings);
  const foundation = await openFoundation('payment-service', config);
  const { logger, pool, transport, topology } = foundation;

  const processor = createSimulatedProcessor({
    latencyMs: config.latencyMs,
    failureRate: config.failureRate,
    timeoutMs: config.processorTimeoutMs,
  });
  const relay = foundation.startOutboxRelay();
  const context = createPaymentContext({ pool, processor, relay, logger });
  const orders = await consume(
    transport,
    topology.subscription('orders', 'payment-service'),
    orderEventHandler(context),
    { concurrency: config.consumerConcurrency, logger },
  );
  foundation.markReady();
  logger.info(
    { metricsPort: config.metricsPort, latencyMs: config.latencyMs, failureRate: config.failureRate },
    'payment-service ready',
  );

  return async () => {
    foundation.drain();
    await orders.stop();
    await foundation.close();
  };
});
