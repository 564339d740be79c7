import { eventsV1, type loggerV1 } from '@addispay/api';
import { invalid } from '@addispay/domain';
import { checkTimeFilter, toServerError } from '@addispay/rpc';
import type { Pool } from 'mysql2/promise';
import { queryLogEntries, type LogQuery } from '../log-store.js';

export const DEFAULT_QUERY_LIMIT = 200;
export const MAX_QUERY_LIMIT = 1_000;

/** addispay.logger.v1.LoggerService: reads stored entries back, oldest first. */
export function loggerApi(pool: Pool): loggerV1.LoggerServiceImplementation {
  return {
    async queryLogs(request) {
      return { entries: await queryLogEntries(pool, logQuery(request)) };
    },
  };
}

function logQuery(request: loggerV1.QueryLogsRequest): LogQuery {
  if (request.limit < 0) throw toServerError(invalid('limit', 'must not be negative'));
  // trace_id is an ASCII column: anything else could never match, and MySQL refuses to compare it.
  if (!/^[\x21-\x7e]{0,32}$/.test(request.traceId))
    throw toServerError(invalid('trace_id', 'must be at most 32 printable ASCII characters'));
  if (request.orderId.length > 64) throw toServerError(invalid('order_id', 'must be at most 64 characters'));
  if (request.service.length > 64) throw toServerError(invalid('service', 'must be at most 64 characters'));
  if (!(request.minLevel in eventsV1.LogLevel) || request.minLevel < 0) {
    throw toServerError(invalid('min_level', 'must be a LogLevel'));
  }
  const badSince = checkTimeFilter('since', request.since);
  if (badSince) throw toServerError(badSince);
  return {
    orderId: request.orderId,
    traceId: request.traceId,
    service: request.service,
    minLevel: request.minLevel,
    since: request.since,
    limit: request.limit === 0 ? DEFAULT_QUERY_LIMIT : Math.min(request.limit, MAX_QUERY_LIMIT),
  };
}
