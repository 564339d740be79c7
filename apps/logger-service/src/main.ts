import { descriptorSet, loggerV1 } from '@addispay/api';
import { createPool } from '@addispay/mysql';
import { createTransport, loadTopology } from '@addispay/pulsar';
import { createRpcServer, tlsMode } from '@addispay/rpc';
import { loadConfig, runService } from '@addispay/runtime';
import { createLogger, localOnly, LogShipper, startOpsServer } from '@addispay/telemetry';
import { loggerServiceSettings } from './config.js';
import { loggerApi } from './grpc/logger-api.js';
import { startLogConsumer } from './log-consumer.js';
import { startRetention } from './retention.js';

await runService('logger-service', async () => {
  const config = loadConfig(loggerServiceSettings);
  const shipper = new LogShipper({ service: 'logger-service' });
  const logger = createLogger({
    service: 'logger-service',
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
  });
  logger.info({ transport: transport.kind }, 'connected to Pulsar');
  shipper.start({ open: () => transport.createProducer(topology.topic('logs').fullName), logger });

  // Lines about storing entries stay local: shipped, a failing insert would feed itself through the topic.
  const consumer = await startLogConsumer({
    transport,
    topology,
    pool,
    logger: localOnly(logger),
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
  let ready = true;
  const ops = await startOpsServer({ port: config.metricsPort, isReady: () => ready });
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
    ready = false;
    rpc.health.setStatus('unhealthy');
    await rpc.server.shutdown();
    await consumer.stop();
    await stopRetention();
    await shipper.close();
    await transport.close();
    await pool.end();
    ops.close();
    logger.info('logger-service stopped');
  };
});
