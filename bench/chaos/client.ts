/**
 * Clients as real ones behave: each order is placed with its own idempotency key and retried with the same key,
 * with backoff, until the answer is final or at least stored (PENDING). The answers are what the checks hold
 * the platform to: every order a client was told about must exist.
 */
import { orderV1 } from '@addispay/api';
import { createRpcClientFactory, type DeadlineOptions } from '@addispay/rpc';
import { backoffDelay, sleep } from '@addispay/runtime';
import { createChannel, type Channel, type Client } from 'nice-grpc';
import { ClientError, Status } from 'nice-grpc-common';

export interface Acknowledged {
  readonly key: string;
  readonly orderId: string;
  /** The status in the answer that ended the retries: final, or PENDING (stored). */
  readonly status: string;
  readonly attempts: number;
}

export interface ClientStats {
  started: number;
  acknowledged: number;
  final: number;
  pending: number;
  retries: number;
  /** Gave up: never got an answer (never acknowledged, so not a loss if absent). */
  abandoned: number;
  readonly errorCodes: Record<string, number>;
  /** The first message seen for each code, to tell what an error was. */
  readonly errorExamples: Record<string, string>;
}

/** The test tokens in a fixed mix: most approve, some decline (card and funds). */
export function tokenFor(index: number): string {
  const slot = index % 20;
  if (slot === 7) return 'tok_decline';
  if (slot === 13) return 'tok_insufficient_funds';
  return 'tok_approve';
}

export class RetryingClients {
  readonly acknowledged = new Map<string, Acknowledged>();
  readonly stats: ClientStats = {
    started: 0,
    acknowledged: 0,
    final: 0,
    pending: 0,
    retries: 0,
    abandoned: 0,
    errorCodes: {},
    errorExamples: {},
  };
  private channel: Channel | undefined;
  private client: Client<orderV1.OrderServiceDefinition, DeadlineOptions> | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly customerId: string,
    private readonly attemptTimeoutMs = 3_000,
    private readonly giveUpAfterMs = 600_000,
  ) {}

  /** Points new attempts at the order service's current address (it changes when the service restarts). */
  connect(address: string): void {
    const old = this.channel;
    this.channel = createChannel(address);
    this.client = createRpcClientFactory().create(orderV1.OrderServiceDefinition, this.channel);
    if (old) setTimeout(() => old.close(), 10_000).unref();
  }

  get outstanding(): number {
    return this.inFlight.size;
  }

  place(index: number, key: string): void {
    this.stats.started++;
    const run = this.placeUntilStored(index, key).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    this.channel?.close();
  }

  private async placeUntilStored(index: number, key: string): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; Date.now() - started < this.giveUpAfterMs; attempt++) {
      if (attempt > 0) this.stats.retries++;
      try {
        const { order } = await this.client!.placeOrder(
          {
            idempotencyKey: key,
            customerId: this.customerId,
            currency: 'USD',
            items: [{ sku: 'BOOK-1', quantity: 1 + (index % 3), unitPriceMinor: 1250n }],
            paymentMethodToken: tokenFor(index),
          },
          { deadline: new Date(Date.now() + this.attemptTimeoutMs) },
        );
        if (order?.orderId) return this.record(key, order, attempt + 1);
      } catch (error) {
        const code = error instanceof ClientError ? (Status[error.code] ?? String(error.code)) : 'CLIENT';
        this.stats.errorCodes[code] = (this.stats.errorCodes[code] ?? 0) + 1;
        this.stats.errorExamples[code] ??= error instanceof Error ? error.message.slice(0, 300) : String(error);
        if (error instanceof ClientError && !retryable(error.code)) {
          this.stats.abandoned++;
          return;
        }
      }
      await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 5_000 }));
    }
    this.stats.abandoned++;
  }

  private record(key: string, order: orderV1.Order, attempts: number): void {
    const status = orderV1.orderStatusToJSON(order.status).replace('ORDER_STATUS_', '');
    this.acknowledged.set(key, { key, orderId: order.orderId, status, attempts });
    this.stats.acknowledged++;
    if (status === 'PENDING') this.stats.pending++;
    else this.stats.final++;
  }
}

/** What a client may retry with the same key: the outcome is unknown or the server was briefly unable. */
function retryable(code: Status): boolean {
  return [
    Status.UNAVAILABLE,
    Status.DEADLINE_EXCEEDED,
    Status.INTERNAL,
    Status.UNKNOWN,
    Status.ABORTED,
    Status.RESOURCE_EXHAUSTED,
    Status.CANCELLED,
  ].includes(code);
}
