import { isFinal, type OrderStatus } from '@addispay/domain';

/** A status change as heard: from this replica's own commit, or from the order-status topic. */
export interface StatusChange {
  readonly status: OrderStatus;
  readonly reason: string;
  readonly at: Date;
}

type Listener = (change: StatusChange) => void;

/**
 * In-process notice board of order status changes. It hears of changes made by this replica right after they
 * commit, and of every replica's changes through the order-status topic, so callers held here wake up whichever
 * replica finalized their order.
 */
export class OrderStatusFeed {
  private readonly listeners = new Map<string, Set<Listener>>();

  publish(orderId: string, change: StatusChange): void {
    for (const listener of this.listeners.get(orderId) ?? []) listener(change);
  }

  subscribe(orderId: string, listener: Listener): () => void {
    const set = this.listeners.get(orderId) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(orderId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(orderId);
    };
  }

  /**
   * Starts listening now; the returned promise settles with the final status change when one is heard, or with
   * undefined at `untilMs` or on abort.
   */
  waitForFinal(
    orderId: string,
    untilMs: number,
    signal?: AbortSignal,
  ): { done: Promise<StatusChange | undefined>; cancel: () => void } {
    let cancel = (): void => {};
    const done = new Promise<StatusChange | undefined>((resolve) => {
      const timer = setTimeout(() => finish(undefined), Math.max(0, untilMs - Date.now()));
      const unsubscribe = this.subscribe(orderId, (change) => isFinal(change.status) && finish(change));
      const onAbort = (): void => finish(undefined);
      signal?.addEventListener('abort', onAbort, { once: true });
      cancel = () => finish(undefined);
      function finish(change: StatusChange | undefined): void {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        resolve(change);
      }
    });
    return { done, cancel };
  }
}
