import { ServerError, Status, type CallContext, type ServerMiddleware } from 'nice-grpc';
import { RetryInfo, RichServerError } from 'nice-grpc-error-details';

/**
 * Limits every call of a service gets, whatever its handler does: a maximum handling time for unary calls, a
 * maximum life for server streams (WatchOrder), and per-client token buckets on chosen methods.
 */

export interface CallTimeLimits {
  /** A unary call still running after this is answered DEADLINE_EXCEEDED and its handler's signal aborted. */
  readonly maxUnaryMs: number;
  /** A server stream is ended after this with DEADLINE_EXCEEDED ("watch again to continue"). */
  readonly maxStreamMs: number;
}

/**
 * Bounds the time a call holds server resources, independently of the caller's own deadline (which a hostile or
 * careless client may leave unset). The handler gets a signal that aborts at the limit, so signal-aware handlers
 * (WatchOrder, PlaceOrder's wait) stop at once; the answer does not wait for handlers that ignore it.
 */
export function callTimeLimitMiddleware(limits: CallTimeLimits): ServerMiddleware {
  return async function* limitCallTime(call, context) {
    const limitMs = call.responseStream ? limits.maxStreamMs : limits.maxUnaryMs;
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    context.signal.addEventListener('abort', abort, { once: true });
    let timedOut = false;
    let expire: () => void = () => {};
    const expired = new Promise<'expired'>((resolve) => (expire = () => resolve('expired')));
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
      expire();
    }, limitMs);
    const exceeded = (): ServerError =>
      new ServerError(
        Status.DEADLINE_EXCEEDED,
        call.responseStream
          ? `streams of ${call.method.path} last at most ${limitMs} ms; call again to continue`
          : `${call.method.path} did not finish within the server's limit of ${limitMs} ms`,
      );
    const inner = call.next(call.request, { ...context, signal: controller.signal });
    try {
      for (;;) {
        const step = await Promise.race([inner.next(), expired]);
        if (step === 'expired' || timedOut) {
          void inner.return(undefined as never).catch(() => {});
          throw exceeded();
        }
        if (step.done) return step.value;
        yield step.value;
      }
    } catch (error) {
      // A handler that noticed the aborted signal and ended its own way still ends as "exceeded".
      if (timedOut && !(error instanceof ServerError && error.code === Status.DEADLINE_EXCEEDED)) throw exceeded();
      throw error;
    } finally {
      clearTimeout(timer);
      context.signal.removeEventListener('abort', abort);
    }
  };
}

export interface RateLimit {
  /** The method's full path, e.g. /addispay.order.v1.OrderService/PlaceOrder. */
  readonly method: string;
  /** Tokens added per second; 0 turns the limit off. */
  readonly perSecond: number;
  /** Bucket size: how many calls a quiet client may make at once. */
  readonly burst: number;
}

/** Buckets idle this long are full again and dropped, so the table cannot grow without bound. */
const IDLE_BUCKET_MS = 60_000;
const MAX_BUCKETS = 100_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets per client and method. The client is the peer's IP address (the port is dropped: one host, one
 * bucket): unlike a customer id or an `x-client-id` header, a client cannot choose it freely. Behind a proxy
 * every caller shares the proxy's address, so the limit is then per proxy; see docs/security.md.
 */
export function rateLimitMiddleware(limits: readonly RateLimit[], now: () => number = Date.now): ServerMiddleware {
  const active = new Map(limits.filter((limit) => limit.perSecond > 0).map((limit) => [limit.method, limit]));
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();

  const take = (limit: RateLimit, client: string): number => {
    const at = now();
    if (at - lastSweep > IDLE_BUCKET_MS || buckets.size > MAX_BUCKETS) {
      for (const [key, bucket] of buckets) if (at - bucket.updatedAt > IDLE_BUCKET_MS) buckets.delete(key);
      lastSweep = at;
    }
    const key = `${limit.method} ${client}`;
    const bucket = buckets.get(key) ?? { tokens: limit.burst, updatedAt: at };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((at - bucket.updatedAt) / 1000) * limit.perSecond);
    bucket.updatedAt = at;
    buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / limit.perSecond) * 1000);
  };

  return async function* limitRate(call, context) {
    const limit = active.get(call.method.path);
    if (limit) {
      const waitMs = take(limit, clientAddress(context));
      if (waitMs > 0) {
        const message = `rate limit of ${limit.perSecond}/s (burst ${limit.burst}) for ${call.method.path} exceeded`;
        throw refused(message, waitMs, context);
      }
    }
    return yield* call.next(call.request, context);
  };
}

export interface InFlightLimit {
  /** The method's full path, e.g. /addispay.order.v1.OrderService/PlaceOrder. */
  readonly method: string;
  /** Calls of the method served at once by this process; 0 turns the limit off. */
  readonly maxInFlight: number;
}

/** How long a refused caller is told to wait: about one call's time at capacity. */
const BUSY_RETRY_MS = 100;

/**
 * Admission control: past `maxInFlight` concurrent calls of a method, new ones are refused at once with
 * RESOURCE_EXHAUSTED instead of queueing, so an overloaded replica keeps its memory bounded and answers the calls
 * it took in time; callers retry with backoff or go to another replica.
 */
export function inFlightLimitMiddleware(limits: readonly InFlightLimit[]): ServerMiddleware {
  const slots = new Map(
    limits.filter((limit) => limit.maxInFlight > 0).map((limit) => [limit.method, { ...limit, inFlight: 0 }]),
  );

  return async function* limitInFlight(call, context) {
    const slot = slots.get(call.method.path);
    if (!slot) return yield* call.next(call.request, context);
    if (slot.inFlight >= slot.maxInFlight) {
      const message = `${slot.method} is serving its limit of ${slot.maxInFlight} calls at once on this replica`;
      throw refused(message, BUSY_RETRY_MS, context);
    }
    slot.inFlight += 1;
    try {
      return yield* call.next(call.request, context);
    } finally {
      slot.inFlight -= 1;
    }
  };
}

/** RESOURCE_EXHAUSTED with when to retry, as a `google.rpc.RetryInfo` detail and a `retry-after-ms` trailer. */
function refused(message: string, waitMs: number, context: CallContext): ServerError {
  context.trailer.set('retry-after-ms', String(waitMs));
  return new RichServerError(Status.RESOURCE_EXHAUSTED, `${message}; retry after ${waitMs} ms`, [
    RetryInfo.fromPartial({ retryDelay: { seconds: Math.floor(waitMs / 1000), nanos: (waitMs % 1000) * 1e6 } }),
  ]);
}

/** "ipv4:10.0.0.7:51234" → "10.0.0.7", "ipv6:[::1]:51234" → "::1"; anything else as it is. */
export function clientAddress(context: Pick<CallContext, 'peer'>): string {
  const peer = context.peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(peer);
  if (bracketed?.[1]) return bracketed[1];
  return peer.replace(/:\d+$/, '');
}
