import { describe, expect, it } from 'vitest';
import { formatMoney, parseCurrency, type CurrencyCode, type MinorUnits } from './money.js';
import { newId } from './ids.js';
import { effectOfCancel } from './payment.js';

describe('money', () => {
  it.each([
    [1234n, 'USD', '12.34 USD'],
    [5n, 'ETB', '0.05 ETB'],
    [1234n, 'JPY', '1234 JPY'],
    [1234n, 'KWD', '1.234 KWD'],
    [-150n, 'EUR', '-1.50 EUR'],
    [9_007_199_254_740_993n, 'USD', '90071992547409.93 USD'],
  ])('formats %s %s as %s', (amount, currency, text) => {
    expect(formatMoney(amount as MinorUnits, currency as CurrencyCode)).toBe(text);
  });

  it('knows active ISO 4217 codes only', () => {
    expect(parseCurrency('ETB')).toBe('ETB');
    expect(parseCurrency('XXX')).toBeUndefined();
  });
});

describe('newId', () => {
  it('makes UUIDv7 ids that sort by creation time', () => {
    const earlier = newId(1_700_000_000_000);
    const later = newId(1_700_000_000_001);
    expect(earlier).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(earlier < later).toBe(true);
  });
});

describe('effectOfCancel', () => {
  it('voids an uncharged order, refunds a charged one, and leaves reversed ones alone', () => {
    expect(effectOfCancel(undefined).kind).toBe('void');
    expect(effectOfCancel('APPROVED').kind).toBe('refund');
    expect(effectOfCancel('REFUNDED').kind).toBe('none');
    expect(effectOfCancel('DECLINED').kind).toBe('none');
  });
});
