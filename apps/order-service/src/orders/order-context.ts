import type { Logger } from '@addispay/telemetry';
import type { Pool } from 'mysql2/promise';
import type { OrderStatusFeed } from './order-status-feed.js';

/** What the order use cases need from the outside world. */
export interface OrderContext {
  readonly pool: Pool;
  readonly feed: OrderStatusFeed;
  /** Wakes the outbox relay so events written by a commit go out without waiting for its next poll. */
  readonly relay: { kick(): void };
  readonly now: () => Date;
  readonly logger: Logger;
}
