export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** One reason a request is invalid, named by the field's path as the client sent it (google.rpc.BadRequest). */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/** Why a request was refused. Each kind maps to exactly one gRPC status, in one place (packages/rpc). */
export type RequestError =
  | { readonly kind: 'invalid'; readonly violations: readonly FieldViolation[] }
  | { readonly kind: 'not_found'; readonly message: string }
  /** The idempotency key was already used for a request with other content. */
  | { readonly kind: 'conflict'; readonly message: string }
  /** The order's current state does not allow this. */
  | { readonly kind: 'precondition'; readonly message: string };

export function invalid(field: string, description: string): RequestError {
  return { kind: 'invalid', violations: [{ field, description }] };
}
