import { eventsV1, type loggerV1 } from '@addispay/api';
import { invalid } from '@addispay/domain';
import { toServerError } from '@addispay/rpc';
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
  if (!(request.minLevel in eventsV1.LogLevel) || request.minLevel < 0) {
    throw toServerError(invalid('min_level', 'must be a LogLevel'));
  }
  if (request.since && Number.isNaN(request.since.getTime()))
    throw toServerError(invalid('since', 'must be a valid time'));
  return {
    orderId: request.orderId,
    traceId: request.traceId,
    service: request.service,
    minLevel: request.minLevel,
    since: request.since,
    limit: request.limit === 0 ? DEFAULT_QUERY_LIMIT : Math.min(request.limit, MAX_QUERY_LIMIT),
  };
}
