import { createWriteStream } from 'node:fs';
import pino, { type DestinationStream, type Logger } from 'pino';

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
];

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
    },
    pino.multistream(streams.map((entry) => ({ ...entry, level: 'trace' as const }))),
  );
}
