import { createClientFactory, Metadata, type ClientMiddleware } from 'nice-grpc';
import { deadlineMiddleware, type DeadlineOptions } from 'nice-grpc-client-middleware-deadline';
import { errorDetailsClientMiddleware } from 'nice-grpc-error-details';

/**
 * nice-grpc enforces a call's `deadline` on the client only; this also sends it as the standard `grpc-timeout`
 * header, so the server knows it too (PlaceOrder answers before it, as with any other gRPC client).
 */
const sendDeadline: ClientMiddleware<DeadlineOptions> = async function* sendDeadline(call, options) {
  if (options.deadline === undefined) return yield* call.next(call.request, options);
  const deadline = options.deadline instanceof Date ? options.deadline.getTime() : Date.now() + options.deadline;
  const metadata = Metadata(options.metadata);
  metadata.set('grpc-timeout', `${Math.max(1, deadline - Date.now())}m`);
  return yield* call.next(call.request, { ...options, metadata });
};

/** The client factory for our services: error details decoded, deadlines enforced and propagated. */
export function createRpcClientFactory() {
  return createClientFactory().use(errorDetailsClientMiddleware).use(deadlineMiddleware).use(sendDeadline);
}

export type { DeadlineOptions };
