import { createHash } from 'node:crypto';
import { MAX_ORDER_TOTAL, parseCurrency, type CurrencyCode, type MinorUnits } from './money.js';
import type { OrderStatus } from './order-lifecycle.js';
import { err, ok, type FieldViolation, type Result } from './result.js';

export type OrderId = string & { readonly __brand: 'OrderId' };

export interface LineItem {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceMinor: MinorUnits;
}

/** An order as stored. */
export interface Order {
  readonly orderId: OrderId;
  readonly customerId: string;
  readonly idempotencyKey: string;
  readonly fingerprint: string;
  readonly currency: CurrencyCode;
  readonly items: readonly LineItem[];
  readonly totalMinor: MinorUnits;
  readonly status: OrderStatus;
  /** Why the order is DECLINED, FAILED or CANCELLED; empty otherwise. */
  readonly statusReason: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A validated order, not yet stored. */
export interface OrderDraft {
  readonly idempotencyKey: string;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly items: readonly LineItem[];
  readonly paymentMethodToken: string;
  readonly totalMinor: MinorUnits;
  /** Identifies the request's content, so a reused idempotency key with other content is caught. */
  readonly fingerprint: string;
}

/** The request as it arrives, before any rule is checked. */
export interface PlaceOrderInput {
  readonly idempotencyKey: string;
  readonly customerId: string;
  readonly currency: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number; readonly unitPriceMinor: bigint }[];
  readonly paymentMethodToken: string;
}

export const ORDER_LIMITS = {
  maxItems: 100,
  maxQuantity: 10_000,
  maxIdLength: 128,
  maxSkuLength: 64,
} as const;

const PRINTABLE_ID = /^[\x21-\x7e]+$/;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// A primary account number is 12 to 19 digits, maybe grouped: such a "token" must never be stored.
const LOOKS_LIKE_CARD_NUMBER = /^[\d\s-]{12,}$/;

export function validatePlaceOrder(input: PlaceOrderInput): Result<OrderDraft, FieldViolation[]> {
  const violations: FieldViolation[] = [];
  const violate = (field: string, description: string): void => {
    violations.push({ field, description });
  };

  checkIdentifier('idempotency_key', input.idempotencyKey, violate);
  checkIdentifier('customer_id', input.customerId, violate);
  checkIdentifier('payment_method_token', input.paymentMethodToken, violate);
  if (LOOKS_LIKE_CARD_NUMBER.test(input.paymentMethodToken)) {
    violate('payment_method_token', 'looks like a card number; send the payment provider token instead');
  }
  const currency = parseCurrency(input.currency);
  if (!currency) violate('currency', 'must be an active ISO 4217 code such as "USD" or "ETB"');

  if (input.items.length === 0) violate('items', 'must contain at least one line item');
  if (input.items.length > ORDER_LIMITS.maxItems)
    violate('items', `must contain at most ${ORDER_LIMITS.maxItems} line items`);

  let total = 0n;
  input.items.slice(0, ORDER_LIMITS.maxItems).forEach((item, index) => {
    const field = `items[${index}]`;
    if (item.sku.length === 0 || item.sku.length > ORDER_LIMITS.maxSkuLength || !SKU.test(item.sku)) {
      violate(`${field}.sku`, `must be 1 to ${ORDER_LIMITS.maxSkuLength} letters, digits, '.', '_' or '-'`);
    }
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > ORDER_LIMITS.maxQuantity) {
      violate(`${field}.quantity`, `must be a whole number from 1 to ${ORDER_LIMITS.maxQuantity}`);
    }
    if (item.unitPriceMinor < 1n || item.unitPriceMinor > MAX_ORDER_TOTAL) {
      violate(`${field}.unit_price_minor`, `must be from 1 to ${MAX_ORDER_TOTAL} minor units`);
      return;
    }
    total += item.unitPriceMinor * BigInt(Math.max(0, Math.trunc(item.quantity)));
  });
  if (total > MAX_ORDER_TOTAL) violate('items', `order total must not exceed ${MAX_ORDER_TOTAL} minor units`);

  if (violations.length > 0 || !currency) return err(violations);
  const items = input.items.map((item) => ({ ...item, unitPriceMinor: item.unitPriceMinor as MinorUnits }));
  const draft = { ...input, currency, items, totalMinor: total as MinorUnits };
  return ok({ ...draft, fingerprint: fingerprintOf(draft) });
}

function checkIdentifier(field: string, value: string, violate: (field: string, description: string) => void): void {
  if (value.length === 0) violate(field, 'is required');
  else if (value.length > ORDER_LIMITS.maxIdLength)
    violate(field, `must be at most ${ORDER_LIMITS.maxIdLength} characters`);
  else if (!PRINTABLE_ID.test(value)) violate(field, 'must be printable ASCII without spaces');
}

function fingerprintOf(draft: Omit<OrderDraft, 'fingerprint'>): string {
  const canonical = JSON.stringify([
    draft.customerId,
    draft.currency,
    draft.paymentMethodToken,
    draft.items.map((item) => [item.sku, item.quantity, item.unitPriceMinor.toString()]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
