/** The one retry policy: exponential backoff with full jitter, capped. */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 10_000 };

/** Delay before retry number `attempt` (0-based): random in [0, min(max, initial * 2^attempt)]. */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(Math.random() * ceiling);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * Runs `operation` until it succeeds, `isRetryable` says no, or `attempts` are spent, sleeping per the policy
 * between tries.
 */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: { attempts: number; isRetryable: (error: unknown) => boolean; policy?: BackoffPolicy },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt + 1 >= options.attempts || !options.isRetryable(error)) throw error;
      await sleep(backoffDelay(attempt, options.policy));
    }
  }
}
