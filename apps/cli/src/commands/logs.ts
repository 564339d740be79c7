import { eventsV1 } from '@addispay/api';
import { loggerClient } from '../clients.js';
import { UsageError, type CommandContext } from '../command.js';

/** `logs`: the stored log lines of every service, oldest first, by order, trace, service, level or time. */
export async function logs(context: CommandContext): Promise<void> {
  const { values } = context.parse({
    order: { type: 'string', default: '' },
    trace: { type: 'string', default: '' },
    service: { type: 'string', default: '' },
    level: { type: 'string' },
    since: { type: 'string' },
    limit: { type: 'string', default: '200' },
  });
  const request = {
    orderId: values.order,
    traceId: values.trace,
    service: values.service,
    minLevel: values.level === undefined ? eventsV1.LogLevel.LOG_LEVEL_UNSPECIFIED : parseLevel(values.level),
    since: values.since === undefined ? undefined : parseTime(values.since),
    limit: parseLimit(values.limit),
  };
  const { client, channel } = loggerClient(context.loggerAddress, context.tls);
  try {
    const { entries } = await client.queryLogs(request);
    // On stderr, so --json output stays empty when nothing matched.
    if (entries.length === 0) process.stderr.write('no log entries\n');
    for (const entry of entries) context.print(entry, logLine, logJson);
  } finally {
    channel.close();
  }
}

function parseLevel(text: string): eventsV1.LogLevel {
  const level = eventsV1.logLevelFromJSON(`LOG_LEVEL_${text.toUpperCase()}`);
  if (level === eventsV1.LogLevel.UNRECOGNIZED) {
    throw new UsageError(`--level "${text}" must be one of trace, debug, info, warn, error, fatal`);
  }
  return level;
}

function parseTime(text: string): Date {
  const time = new Date(text);
  if (Number.isNaN(time.getTime()))
    throw new UsageError(`--since "${text}" must be an ISO time, e.g. 2025-01-31T12:00:00Z`);
  return time;
}

function parseLimit(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1_000)
    throw new UsageError(`--limit "${text}" must be from 1 to 1000`);
  return limit;
}

function levelName(level: eventsV1.LogLevel): string {
  return eventsV1.logLevelToJSON(level).replace('LOG_LEVEL_', '').toLowerCase();
}

export function logLine(entry: eventsV1.LogEntry): string {
  const ids = [entry.orderId && `order=${entry.orderId}`, entry.traceId && `trace=${entry.traceId}`].filter(Boolean);
  return [
    entry.time?.toISOString() ?? '-',
    levelName(entry.level).toUpperCase().padEnd(5),
    entry.service.padEnd(15),
    entry.message,
    ...ids,
    entry.attributesJson,
  ]
    .filter((part) => part !== '')
    .join('  ');
}

/** One JSON object per line, shaped like the original log line. */
export function logJson(entry: eventsV1.LogEntry): unknown {
  return {
    time: entry.time?.toISOString(),
    level: levelName(entry.level),
    service: entry.service,
    msg: entry.message,
    ...(entry.orderId ? { orderId: entry.orderId } : {}),
    ...(entry.traceId ? { traceId: entry.traceId, spanId: entry.spanId } : {}),
    entryId: entry.entryId,
    ...(entry.attributesJson ? { attributes: parseAttributes(entry.attributesJson) } : {}),
  };
}

function parseAttributes(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // truncated attributes are no longer valid JSON
  }
}
