/**
 * OpenTelemetry tracing, started before the application is loaded:
 *
 *   node --import @addispay/telemetry/instrumentation apps/order-service/dist/main.js
 *
 * Configured by the standard OTEL_* variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL,
 * OTEL_TRACES_EXPORTER, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, …). With neither an OTLP
 * endpoint nor OTEL_TRACES_EXPORTER set, nothing is exported and the sampler defaults to `always_off`: spans are
 * not recorded (recording them to throw away was 5 % of a busy service's CPU), yet every span still has ids, so
 * trace context still crosses gRPC and Pulsar and every log line carries its trace id.
 * Metrics and logs have their own paths (prom-client on /metrics, pino to the logs topic): the SDK's are off.
 */
import { basename, dirname } from 'node:path';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { NodeSDK, type tracing } from '@opentelemetry/sdk-node';

const env = process.env;
const exportConfigured = Boolean(
  env.OTEL_TRACES_EXPORTER || env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
);
if (!exportConfigured) env.OTEL_TRACES_SAMPLER ??= 'always_off';
env.OTEL_METRICS_EXPORTER ??= 'none';
env.OTEL_LOGS_EXPORTER ??= 'none';
// apps/<service>/{src,dist}/main.* names the service when OTEL_SERVICE_NAME does not.
env.OTEL_SERVICE_NAME ??= basename(dirname(dirname(process.argv[1] ?? 'unknown/unknown/main')));

/** Lets spans go: without it the SDK would export to a default OTLP endpoint. */
const discardSpans: tracing.SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

const sdk = new NodeSDK({
  instrumentations: [
    new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch', 'ServerReflectionInfo'] }),
    new MySQL2Instrumentation(),
  ],
  ...(exportConfigured ? {} : { spanProcessors: [discardSpans] }),
});
sdk.start();

// Spans still buffered are sent on the way out; runService's handler stops the application first.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void sdk.shutdown().catch(() => undefined);
  });
}
