import { isFinal, type OrderStatus } from '@addispay/domain';

type Listener = (status: OrderStatus) => void;

/**
 * In-process notice board of order status changes. It hears of changes made by this replica right after they
 * commit, and of every replica's changes through the order-status topic, so callers held here wake up whichever
 * replica finalized their order.
 */
export class OrderStatusFeed {
  private readonly listeners = new Map<string, Set<Listener>>();

  publish(orderId: string, status: OrderStatus): void {
    for (const listener of this.listeners.get(orderId) ?? []) listener(status);
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

  /** Starts listening now; the returned promise settles when a final status is heard, at `untilMs`, or on abort. */
  waitForFinal(orderId: string, untilMs: number, signal?: AbortSignal): { done: Promise<void>; cancel: () => void } {
    let cancel = (): void => {};
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(finish, Math.max(0, untilMs - Date.now()));
      const unsubscribe = this.subscribe(orderId, (status) => isFinal(status) && finish());
      signal?.addEventListener('abort', finish, { once: true });
      cancel = finish;
      function finish(): void {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', finish);
        resolve();
      }
    });
    return { done, cancel };
  }

  get watchedOrders(): number {
    return this.listeners.size;
  }
}
