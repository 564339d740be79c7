import { groupCommit, type InsertOutcome } from '@addispay/mysql';
import type { Batcher } from '@addispay/runtime';
import type { Logger } from '@addispay/telemetry';
import type { Pool } from 'mysql2/promise';
import { OrderStatusFeed } from './order-status-feed.js';
import { storeOrders, type OrderToStore } from './place-order.js';
import { applyTransitions, type TransitionRequest, type TransitionResult } from './transition-order.js';

/** What the order use cases need from the outside world. */
export interface OrderContext {
  readonly pool: Pool;
  readonly feed: OrderStatusFeed;
  /** Wakes the outbox relay so events written by a commit go out without waiting for its next poll. */
  readonly relay: { kick(): void };
  readonly now: () => Date;
  readonly logger: Logger;
  /** New orders, stored by group commit: the orders placed meanwhile share one transaction. */
  readonly placements: Batcher<OrderToStore, InsertOutcome>;
  /** Status transitions, applied by group commit in the same way. */
  readonly transitions: Batcher<TransitionRequest, TransitionResult>;
}

export function createOrderContext(options: {
  readonly pool: Pool;
  readonly relay: { kick(): void };
  readonly logger: Logger;
  readonly now?: () => Date;
}): OrderContext {
  const { pool } = options;
  const now = options.now ?? (() => new Date());
  return {
    ...options,
    now,
    feed: new OrderStatusFeed(),
    placements: groupCommit((orders) => storeOrders(pool, orders)),
    transitions: groupCommit((requests) => applyTransitions(pool, now(), requests)),
  };
}
