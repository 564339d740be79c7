import { descriptorSet, loggerV1 } from '@addispay/api';
import { openFoundation } from '@addispay/foundation';
import { createRpcServer, tlsMode } from '@addispay/rpc';
import { loadConfig, runService } from '@addispay/runtime';
import { loggerServiceSettings } from './config.js';
import { loggerApi } from './grpc/logger-api.js';
import { startLogConsumer } from './log-consumer.js';
import { startRetention } from './retention.js';

await runService('logger-service', async () => {
  const config = loadConfig(loggerServiceSettings);
  const foundation = await openFoundation('logger-service', config);
  const { logger, pool, transport, topology } = foundation;

  const consumer = await startLogConsumer({
    transport,
    topology,
    pool,
    logger,
    concurrency: config.consumerConcurrency,
    lingerMs: config.insertLingerMs,
    batchSize: config.insertBatchSize,
  });
  const stopRetention = startRetention({
    pool,
    logger,
    retentionDays: config.retentionDays,
    intervalMs: config.retentionIntervalMs,
    batchSize: config.retentionBatchSize,
  });

  const rpc = createRpcServer({
    logger,
    descriptorSet,
    serviceNames: ['addispay.logger.v1.LoggerService'],
    callTimeLimits: { maxUnaryMs: config.rpcMaxUnaryMs, maxStreamMs: config.rpcMaxStreamMs },
  });
  rpc.add(loggerV1.LoggerServiceDefinition, loggerApi(pool));
  await rpc.listen(config.grpcPort, config.grpcTls);
  rpc.health.setStatus('healthy');
  foundation.markReady();
  logger.info(
    {
      grpcPort: config.grpcPort,
      tls: tlsMode(config.grpcTls),
      metricsPort: config.metricsPort,
      retentionDays: config.retentionDays,
    },
    'logger-service ready',
  );

  return async () => {
    foundation.drain();
    rpc.health.setStatus('unhealthy');
    await rpc.server.shutdown();
    await consumer.stop();
    await stopRetention();
    await foundation.close();
  };
});
