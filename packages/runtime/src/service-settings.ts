import { env } from './config.js';

/** The settings every Addispay service reads, with the names the original system gave them. */
export const serviceSettings = {
  mysqlDsn: env.string('MYSQL_DSN'),
  /** CA file to verify MySQL's certificate with when the DSN names none (`?ssl-ca=`): turns TLS on. */
  mysqlSslCa: env.optionalString('MYSQL_SSL_CA'),
  pulsarUrl: env.url('PULSAR_URL', ['ws', 'wss', 'http', 'https', 'pulsar', 'pulsar+ssl']),
  /** Unset: the URL's scheme decides (pulsar:// is native, ws:// or http:// is WebSocket). */
  pulsarTransport: env.optionalOneOf('PULSAR_TRANSPORT', ['websocket', 'native'] as const),
  pulsarTokenFile: env.optionalString('PULSAR_TOKEN_FILE'),
  /** Gives a test run its own topics: appended to every topic name in topology.yaml. */
  pulsarTopicSuffix: env.string('PULSAR_TOPIC_SUFFIX', ''),
  logLevel: env.oneOf('LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const, 'info'),
  logFile: env.optionalString('LOG_FILE'),
  /** Log lines held for the logs topic while the broker is away; past it, lines are dropped and counted. */
  logShipBufferLines: env.integer('LOG_SHIP_BUFFER_LINES', { min: 10, max: 1_000_000, default: 10_000 }),
  metricsPort: env.port('METRICS_PORT', 9464),
};
