/** What the payment service recorded for an order: at most one record per order, enforced by a unique key. */
export type ChargeStatus = 'APPROVED' | 'DECLINED' | 'FAILED' | 'VOIDED' | 'REFUNDED';

export type ProcessorDecision =
  | { readonly outcome: 'APPROVED' }
  | { readonly outcome: 'DECLINED'; readonly reason: string }
  | { readonly outcome: 'FAILED'; readonly reason: string };

/**
 * What a cancellation does to the order's charge. Cancels and placements of one order are keyed alike, so the
 * payment service sees a cancel after the order's placement was handled.
 */
export type CancelEffect =
  /** No charge was made: record a void so that a late redelivery of the placement can never charge. */
  | { readonly kind: 'void' }
  /** The money was taken: give it back. */
  | { readonly kind: 'refund' }
  /** Nothing was taken, or it was already reversed. */
  | { readonly kind: 'none' };

export function effectOfCancel(existing: ChargeStatus | undefined): CancelEffect {
  switch (existing) {
    case undefined:
      return { kind: 'void' };
    case 'APPROVED':
      return { kind: 'refund' };
    case 'DECLINED':
    case 'FAILED':
    case 'VOIDED':
    case 'REFUNDED':
      return { kind: 'none' };
  }
}
