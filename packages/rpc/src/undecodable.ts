import { ServerError, Status, type ServerMiddleware } from 'nice-grpc';
import type { TsProtoServiceDefinition } from 'nice-grpc/lib/service-definitions/ts-proto.js';

/**
 * grpc-js answers a request body that does not decode (truncated, a wrong wire type, unknown groups nested deep
 * enough to exhaust the stack) with INTERNAL, as if the server were at fault. Here decoding never throws: a body
 * that does not decode becomes a marker, and the middleware below refuses it with INVALID_ARGUMENT before any
 * handler runs.
 */
const UNDECODABLE = Symbol('undecodable request');

interface Undecodable {
  readonly [UNDECODABLE]: string;
}

function isUndecodable(request: unknown): request is Undecodable {
  return typeof request === 'object' && request !== null && UNDECODABLE in request;
}

/** The definition with every request decoder made total. */
export function withTotalDecoders<S extends TsProtoServiceDefinition>(definition: S): S {
  const methods = Object.fromEntries(
    Object.entries(definition.methods).map(([name, method]) => {
      const decode = (input: Uint8Array): unknown => {
        try {
          return method.requestType.decode(input);
        } catch (error) {
          return { [UNDECODABLE]: error instanceof Error ? error.message : String(error) };
        }
      };
      return [name, { ...method, requestType: { ...method.requestType, decode } }];
    }),
  );
  return { ...definition, methods };
}

export const refuseUndecodableMiddleware: ServerMiddleware = async function* refuseUndecodable(call, context) {
  if (!call.requestStream && isUndecodable(call.request)) {
    throw new ServerError(
      Status.INVALID_ARGUMENT,
      `the request is not a valid ${call.method.path} request message: ${call.request[UNDECODABLE].slice(0, 200)}`,
    );
  }
  return yield* call.next(call.request, context);
};
