/** Amounts are integer minor units (cents for USD) in a bigint: never floats, never lossy. */
export type MinorUnits = bigint & { readonly __brand: 'MinorUnits' };

/** An ISO 4217 alphabetic code known to the platform. */
export type CurrencyCode = string & { readonly __brand: 'CurrencyCode' };

/** The largest amount one order may total. Far below BIGINT's 2^63 - 1, so sums of valid items never overflow. */
export const MAX_ORDER_TOTAL = (10n ** 13n) as MinorUnits;

const EXPONENT_BY_CURRENCY: ReadonlyMap<string, number> = (() => {
  const table = new Map<string, number>();
  const groups: Record<number, string> = {
    0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
    2: `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY
        COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR
        IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD
        NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC
        SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD YER ZAR ZMW ZWG`,
    3: 'BHD IQD JOD KWD LYD OMR TND',
    4: 'CLF UYW',
  };
  for (const [exponent, codes] of Object.entries(groups)) {
    for (const code of codes.split(/\s+/).filter(Boolean)) table.set(code, Number(exponent));
  }
  return table;
})();

export function parseCurrency(code: string): CurrencyCode | undefined {
  return EXPONENT_BY_CURRENCY.has(code) ? (code as CurrencyCode) : undefined;
}

/** Digits after the decimal point in the currency's major unit (2 for USD, 0 for JPY, 3 for KWD). */
export function currencyExponent(code: CurrencyCode): number {
  return EXPONENT_BY_CURRENCY.get(code) ?? 2;
}

/** "12.34 USD" for display; exact for any amount, since it never goes through a float. */
export function formatMoney(amount: MinorUnits, currency: CurrencyCode): string {
  const exponent = currencyExponent(currency);
  const sign = amount < 0n ? '-' : '';
  const digits = (amount < 0n ? -amount : amount).toString().padStart(exponent + 1, '0');
  const major = digits.slice(0, digits.length - exponent);
  const minor = digits.slice(digits.length - exponent);
  return `${sign}${major}${exponent > 0 ? `.${minor}` : ''} ${currency}`;
}
