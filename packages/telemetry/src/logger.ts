import { createWriteStream } from 'node:fs';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import { LOCAL_ONLY } from './log-entry.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly service: string;
  readonly level?: string;
  /** Also append JSON lines to this file (the LOG_FILE variable). */
  readonly file?: string | undefined;
  /** Further destinations, such as the shipper to the logs topic. */
  readonly destinations?: readonly DestinationStream[];
}

/** Fields that may carry credentials or payment data: pino replaces them before anything is written. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'dsn',
  '*.dsn',
  'token',
  '*.token',
  'paymentMethodToken',
  '*.paymentMethodToken',
  'payment_method_token',
  '*.payment_method_token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'mysqlDsn',
  '*.mysqlDsn',
  '*.*.password',
  '*.*.dsn',
  '*.*.mysqlDsn',
  '*.*.token',
  '*.*.paymentMethodToken',
];

/**
 * Secrets inside free text, which field paths cannot reach: the password of any `scheme://user:password@` URL
 * (DSNs in error messages) and bearer tokens. Applied to every serialized line.
 */
export function scrubSecrets(line: string): string {
  return line
    .replace(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s:/@"']*:)[^\s@/"']+@/g, '$1[redacted]@')
    .replace(/(bearer\s+)[A-Za-z0-9._~+/-]+=*/gi, '$1[redacted]');
}

/** The active OpenTelemetry span's ids, when there is one: every line can then be joined to its trace. */
function traceFields(): { traceId?: string; spanId?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return {};
  return { traceId: context.traceId, spanId: context.spanId };
}

/**
 * A child logger whose lines are written to stdout and LOG_FILE but never shipped to the logs topic: for the
 * logger service's own storage path, whose shipped lines would come back to it.
 */
export function localOnly(logger: Logger): Logger {
  return logger.child({ [LOCAL_ONLY]: true });
}

export function createLogger(options: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [{ stream: process.stdout }];
  if (options.file) streams.push({ stream: createWriteStream(options.file, { flags: 'a' }) });
  for (const stream of options.destinations ?? []) streams.push({ stream });
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
      hooks: { streamWrite: scrubSecrets },
    },
    pino.multistream(streams.map((entry) => ({ ...entry, level: 'trace' as const }))),
  );
}
