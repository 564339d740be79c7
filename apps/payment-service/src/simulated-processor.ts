import { createHash } from 'node:crypto';
import type { ProcessorDecision } from '@addispay/domain';
import { sleep } from '@addispay/runtime';

/**
 * A stand-in for a card processor. Outcomes are decided by the payment method token, so tests and demos can ask
 * for each one; transient outages happen at a configured rate, decided by a hash of the order id and attempt, so
 * a run can be repeated exactly.
 */
export const TEST_TOKENS = {
  approve: 'tok_approve',
  decline: 'tok_decline',
  insufficientFunds: 'tok_insufficient_funds',
  processorTimeout: 'tok_timeout',
  processorError: 'tok_processor_error',
} as const;

export interface ProcessorOptions {
  /** Time one charge takes. */
  readonly latencyMs: number;
  /** Share of attempts, from 0 to 1, that fail with a transient outage and are retried. */
  readonly failureRate: number;
  /** How long the processor may take before the charge counts as failed. */
  readonly timeoutMs: number;
}

export interface ChargeRequest {
  /** Also the idempotency key a real processor would be given, so a retried charge is never taken twice. */
  readonly orderId: string;
  readonly attempt: number;
  readonly paymentMethodToken: string;
}

/** A transient outage: nothing was charged, and the same request may be retried. */
export class ProcessorUnavailableError extends Error {
  constructor() {
    super('payment processor temporarily unavailable');
    this.name = 'ProcessorUnavailableError';
  }
}

export function createSimulatedProcessor(options: ProcessorOptions) {
  return {
    async charge(request: ChargeRequest): Promise<ProcessorDecision> {
      if (outageFor(request) < options.failureRate) throw new ProcessorUnavailableError();
      if (request.paymentMethodToken === TEST_TOKENS.processorTimeout) {
        await sleep(options.timeoutMs);
        return { outcome: 'FAILED', reason: 'processor_timeout' };
      }
      await sleep(options.latencyMs);
      switch (request.paymentMethodToken) {
        case TEST_TOKENS.decline:
          return { outcome: 'DECLINED', reason: 'card_declined' };
        case TEST_TOKENS.insufficientFunds:
          return { outcome: 'DECLINED', reason: 'insufficient_funds' };
        case TEST_TOKENS.processorError:
          return { outcome: 'FAILED', reason: 'processor_error' };
        default:
          return { outcome: 'APPROVED' };
      }
    },

    async refund(_orderId: string): Promise<void> {
      await sleep(options.latencyMs);
    },
  };
}

export type PaymentProcessor = ReturnType<typeof createSimulatedProcessor>;

/** A number in [0, 1) fixed by the order id and attempt. */
function outageFor(request: ChargeRequest): number {
  const digest = createHash('sha256').update(`${request.orderId}:${request.attempt}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}
