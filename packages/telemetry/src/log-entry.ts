import { eventsV1 } from '@addispay/api';

/**
 * Turning a pino JSON line into the `LogEntry` carried on the `logs` topic, and the size limits every entry is cut
 * to (by the shipper before sending, and again by the logger service before storing, for any other producer).
 */
export const LOG_ENTRY_LIMITS = {
  entryId: 64,
  service: 64,
  message: 8_192,
  traceId: 32,
  spanId: 16,
  orderId: 64,
  attributesJson: 16_000,
} as const;

export const TRUNCATION_MARKER = '…[truncated]';

/** `text` cut to at most `max` UTF-16 units, ending in the marker when cut; never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - TRUNCATION_MARKER.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + TRUNCATION_MARKER.slice(0, max - end);
}

/** The entry with every field cut to LOG_ENTRY_LIMITS: oversized entries are kept, not refused. */
export function boundLogEntry(entry: eventsV1.LogEntry): eventsV1.LogEntry {
  return {
    ...entry,
    entryId: truncate(entry.entryId, LOG_ENTRY_LIMITS.entryId),
    service: truncate(entry.service, LOG_ENTRY_LIMITS.service),
    message: truncate(entry.message, LOG_ENTRY_LIMITS.message),
    traceId: truncate(entry.traceId, LOG_ENTRY_LIMITS.traceId),
    spanId: truncate(entry.spanId, LOG_ENTRY_LIMITS.spanId),
    orderId: truncate(entry.orderId, LOG_ENTRY_LIMITS.orderId),
    attributesJson: truncate(entry.attributesJson, LOG_ENTRY_LIMITS.attributesJson),
  };
}

const LEVELS: Readonly<Record<string, eventsV1.LogLevel>> = {
  trace: eventsV1.LogLevel.LOG_LEVEL_TRACE,
  debug: eventsV1.LogLevel.LOG_LEVEL_DEBUG,
  info: eventsV1.LogLevel.LOG_LEVEL_INFO,
  warn: eventsV1.LogLevel.LOG_LEVEL_WARN,
  error: eventsV1.LogLevel.LOG_LEVEL_ERROR,
  fatal: eventsV1.LogLevel.LOG_LEVEL_FATAL,
};

/** pino's numeric levels, for lines written without our level formatter. */
const NUMERIC_LEVELS: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

export function logLevelFromName(name: string): eventsV1.LogLevel | undefined {
  return LEVELS[name.toLowerCase()];
}

/** A line with `"localOnly": true` is written locally but never shipped (see `localOnly` in logger.ts). */
export const LOCAL_ONLY = 'localOnly';

/** Fields of a line that have their own place in a LogEntry; everything else goes to attributes_json. */
const OWN_FIELDS = new Set(['level', 'time', 'service', 'msg', 'traceId', 'spanId', 'orderId', LOCAL_ONLY]);

/**
 * The LogEntry for one pino line, or undefined for a line that is not a JSON object or is marked local-only.
 * `fallbackService` names lines that carry no `service` field.
 */
export function logEntryFromLine(line: string, entryId: string, fallbackService = ''): eventsV1.LogEntry | undefined {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const fields = record as Record<string, unknown>;
  if (fields[LOCAL_ONLY] === true) return undefined;
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (!OWN_FIELDS.has(key)) attributes[key] = value;
  return boundLogEntry({
    entryId,
    service: text(fields['service']) || fallbackService,
    level: levelOf(fields['level']),
    message: text(fields['msg']),
    time: timeOf(fields['time']),
    traceId: text(fields['traceId']),
    spanId: text(fields['spanId']),
    orderId: text(fields['orderId']),
    attributesJson: Object.keys(attributes).length === 0 ? '' : JSON.stringify(attributes),
  });
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

function levelOf(value: unknown): eventsV1.LogLevel {
  const name = typeof value === 'number' ? NUMERIC_LEVELS[value] : value;
  return (typeof name === 'string' ? logLevelFromName(name) : undefined) ?? eventsV1.LogLevel.LOG_LEVEL_UNSPECIFIED;
}

function timeOf(value: unknown): Date {
  const time = typeof value === 'string' || typeof value === 'number' ? new Date(value) : new Date(Number.NaN);
  return Number.isNaN(time.getTime()) ? new Date() : time;
}
