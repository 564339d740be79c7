import { describe, expect, it } from 'vitest';
import { MAX_ORDER_TOTAL } from './money.js';
import { validatePlaceOrder, type PlaceOrderInput } from './order.js';

const valid: PlaceOrderInput = {
  idempotencyKey: 'key-1',
  customerId: 'cust-1',
  currency: 'USD',
  paymentMethodToken: 'tok_approve',
  items: [
    { sku: 'BOOK-1', quantity: 2, unitPriceMinor: 1250n },
    { sku: 'PEN.blue', quantity: 1, unitPriceMinor: 199n },
  ],
};

function violationsOf(input: PlaceOrderInput): string[] {
  const result = validatePlaceOrder(input);
  return result.ok ? [] : result.error.map((violation) => violation.field);
}

describe('validatePlaceOrder', () => {
  it('accepts a well-formed order and totals it exactly in minor units', () => {
    const result = validatePlaceOrder(valid);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.totalMinor).toBe(2699n);
  });

  it('gives the same fingerprint to the same content and another to different content', () => {
    const a = validatePlaceOrder(valid);
    const b = validatePlaceOrder({ ...valid, idempotencyKey: 'other' });
    const c = validatePlaceOrder({ ...valid, items: [{ sku: 'BOOK-1', quantity: 3, unitPriceMinor: 1250n }] });
    if (!a.ok || !b.ok || !c.ok) throw new Error('expected valid drafts');
    expect(a.value.fingerprint).toBe(b.value.fingerprint);
    expect(a.value.fingerprint).not.toBe(c.value.fingerprint);
  });

  it.each([
    ['no items', { items: [] }, ['items']],
    ['zero quantity', { items: [{ sku: 'A', quantity: 0, unitPriceMinor: 1n }] }, ['items[0].quantity']],
    ['negative quantity', { items: [{ sku: 'A', quantity: -3, unitPriceMinor: 1n }] }, ['items[0].quantity']],
    ['fractional quantity', { items: [{ sku: 'A', quantity: 1.5, unitPriceMinor: 1n }] }, ['items[0].quantity']],
    ['negative price', { items: [{ sku: 'A', quantity: 1, unitPriceMinor: -1n }] }, ['items[0].unit_price_minor']],
    ['unknown currency', { currency: 'XYZ' }, ['currency']],
    ['lower-case currency', { currency: 'usd' }, ['currency']],
    ['missing idempotency key', { idempotencyKey: '' }, ['idempotency_key']],
    ['oversized customer id', { customerId: 'c'.repeat(129) }, ['customer_id']],
    [
      'card number as token',
      { paymentMethodToken: '4111 1111 1111 1111' },
      ['payment_method_token', 'payment_method_token'],
    ],
    ['bad sku', { items: [{ sku: 'a b', quantity: 1, unitPriceMinor: 1n }] }, ['items[0].sku']],
  ] satisfies [string, Partial<PlaceOrderInput>, string[]][])('refuses %s', (_name, change, fields) => {
    expect(violationsOf({ ...valid, ...change })).toEqual(fields);
  });

  it('refuses too many items', () => {
    const items = Array.from({ length: 101 }, () => ({ sku: 'A', quantity: 1, unitPriceMinor: 1n }));
    expect(violationsOf({ ...valid, items })).toEqual(['items']);
  });

  it('refuses a total that would exceed the maximum, without overflowing', () => {
    const items = [
      { sku: 'A', quantity: 10_000, unitPriceMinor: MAX_ORDER_TOTAL },
      { sku: 'B', quantity: 10_000, unitPriceMinor: MAX_ORDER_TOTAL },
    ];
    expect(violationsOf({ ...valid, items })).toEqual(['items']);
  });

  it('reports every violation at once', () => {
    expect(violationsOf({ ...valid, currency: '', customerId: '', items: [] })).toEqual([
      'customer_id',
      'currency',
      'items',
    ]);
  });
});
