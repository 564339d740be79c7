import { metricsRegistry } from '@addispay/telemetry';
import { labelNames, labelNamesWithCode, prometheusServerMiddleware } from 'nice-grpc-prometheus';
import { Counter, Histogram } from 'prom-client';

/**
 * Rate, errors and duration of every RPC a service serves, by method and status code (grpc_type, grpc_service,
 * grpc_method, grpc_path, grpc_code): nice-grpc-prometheus's middleware, with our names on our registry.
 */
const started = new Counter({
  name: 'addispay_rpc_started_total',
  help: 'RPCs started on the server.',
  labelNames,
  registers: [metricsRegistry],
});
const handled = new Counter({
  name: 'addispay_rpc_handled_total',
  help: 'RPCs completed on the server, by gRPC status code.',
  labelNames: labelNamesWithCode,
  registers: [metricsRegistry],
});
const duration = new Histogram({
  name: 'addispay_rpc_duration_seconds',
  help: 'Time from the start of an RPC to its answer (PlaceOrder includes the wait for the payment outcome).',
  labelNames: labelNamesWithCode,
  // Fine below a second, where answers should be; coarse up to the longest PlaceOrder wait.
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  registers: [metricsRegistry],
});
const streamReceived = new Counter({
  name: 'addispay_rpc_stream_messages_received_total',
  help: 'Messages received on client-streaming RPCs.',
  labelNames,
  registers: [metricsRegistry],
});
const streamSent = new Counter({
  name: 'addispay_rpc_stream_messages_sent_total',
  help: 'Messages sent on server-streaming RPCs (WatchOrder updates).',
  labelNames,
  registers: [metricsRegistry],
});

export const rpcMetricsMiddleware = prometheusServerMiddleware({
  serverStartedMetric: started,
  serverHandledMetric: handled,
  serverHandlingSecondsMetric: duration,
  serverStreamMsgReceivedMetric: streamReceived,
  serverStreamMsgSentMetric: streamSent,
});
