import type { RequestError } from '@addispay/domain';
import type { Logger } from '@addispay/telemetry';
import { ServerError, Status, type ServerMiddleware } from 'nice-grpc';
import { BadRequest, RichServerError } from 'nice-grpc-error-details';

/** The one mapping from a refused request to a gRPC status. */
export function toServerError(error: RequestError): ServerError {
  switch (error.kind) {
    case 'invalid': {
      const summary = error.violations.map((violation) => `${violation.field} ${violation.description}`).join('; ');
      return new RichServerError(Status.INVALID_ARGUMENT, summary, [
        BadRequest.fromPartial({ fieldViolations: error.violations.map((violation) => ({ ...violation })) }),
      ]);
    }
    case 'not_found':
      return new ServerError(Status.NOT_FOUND, error.message);
    case 'conflict':
      return new ServerError(Status.ALREADY_EXISTS, error.message);
    case 'precondition':
      return new ServerError(Status.FAILED_PRECONDITION, error.message);
  }
}

/** Unexpected failures are logged once, here, and reach the caller without internals. */
export function unexpectedErrorMiddleware(logger: Logger): ServerMiddleware {
  return async function* logUnexpected(call, context) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (error instanceof ServerError) throw error;
      if (context.signal.aborted) throw new ServerError(Status.CANCELLED, 'the call was cancelled');
      if (hasCode(error, UNREACHABLE_CODES)) {
        logger.warn({ err: error, method: call.method.path }, 'a dependency is unreachable');
        throw new ServerError(Status.UNAVAILABLE, 'temporarily unavailable; retry with the same idempotency key');
      }
      if (hasCode(error, CONFLICT_CODES)) {
        logger.warn({ err: error, method: call.method.path }, 'gave up on a transaction conflicting with others');
        throw new ServerError(
          Status.ABORTED,
          'conflicted with concurrent requests; retry with the same idempotency key',
        );
      }
      logger.error({ err: error, method: call.method.path }, 'unexpected error in RPC');
      throw new ServerError(
        Status.INTERNAL,
        'internal error; the request may be retried with the same idempotency key',
      );
    }
  };
}

/**
 * A dependency away for a while, retryable, so clients are told UNAVAILABLE: connection failures (the database
 * restarting, say), and what MySQL answers while an InnoDB cluster's primary changes (the same codes as
 * packages/mysql's isDatabaseUnavailable): the demoted primary read-only (1290, 1836), a commit rolled back by
 * group replication (3101, once withTransaction's own retries are spent), the server shutting down (1053), a
 * connection dropped (4031).
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_OPTION_PREVENTS_STATEMENT',
  'ER_READ_ONLY_MODE',
  'ER_TRANSACTION_ROLLBACK_DURING_COMMIT',
  'ER_SERVER_SHUTDOWN',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

/** Lock conflicts still there after the transaction's own retries (withTransaction): retryable, so ABORTED. */
const CONFLICT_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

function hasCode(error: unknown, codes: ReadonlySet<string>): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' && codes.has(code);
}
