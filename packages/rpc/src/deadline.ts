import { ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';
import type { CallContext } from 'nice-grpc';

/**
 * grpc-js keeps the caller's deadline to itself and nice-grpc does not pass it on, yet PlaceOrder must answer
 * *before* it. This interceptor copies it into the call's metadata, overwriting anything a client sent there.
 */
const DEADLINE_KEY = 'x-addispay-deadline-ms';

export const exposeDeadline: ServerInterceptor = (_method, call) =>
  new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMetadata: (metadata, forward) => {
          const deadline = call.getDeadline();
          const epochMs = deadline instanceof Date ? deadline.getTime() : deadline;
          metadata.remove(DEADLINE_KEY);
          if (Number.isFinite(epochMs)) metadata.set(DEADLINE_KEY, String(epochMs));
          forward(metadata);
        },
      }),
  });

/** The caller's deadline in epoch milliseconds, or undefined when it set none. */
export function callDeadline(context: CallContext): number | undefined {
  const value = context.metadata.get(DEADLINE_KEY);
  const epochMs = Number(value);
  return value !== undefined && Number.isFinite(epochMs) ? epochMs : undefined;
}
