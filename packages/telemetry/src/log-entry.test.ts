import { eventsV1 } from '@addispay/api';
import { describe, expect, it } from 'vitest';
import { LOG_ENTRY_LIMITS, logEntryFromLine, truncate, TRUNCATION_MARKER } from './log-entry.js';

describe('logEntryFromLine', () => {
  it('maps a pino line to a LogEntry, keeping other fields as JSON attributes', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: '2025-01-02T03:04:05.678Z',
      service: 'payment-service',
      orderId: 'ord-1',
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      attempt: 3,
      msg: 'charge retried',
    });
    expect(logEntryFromLine(`${line}\n`, 'e-1')).toEqual({
      entryId: 'e-1',
      service: 'payment-service',
      level: eventsV1.LogLevel.LOG_LEVEL_WARN,
      message: 'charge retried',
      time: new Date('2025-01-02T03:04:05.678Z'),
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      orderId: 'ord-1',
      attributesJson: '{"attempt":3}',
    });
  });

  it('skips lines that are not JSON objects and lines marked local-only', () => {
    expect(logEntryFromLine('not json', 'e')).toBeUndefined();
    expect(logEntryFromLine('[1]', 'e')).toBeUndefined();
    expect(logEntryFromLine('{"msg":"x","localOnly":true}', 'e')).toBeUndefined();
  });

  it('truncates oversized fields with a marker instead of refusing the entry', () => {
    const entry = logEntryFromLine(
      JSON.stringify({ level: 30, msg: 'm'.repeat(100_000), blob: 'x'.repeat(100_000) }),
      'e',
      'svc',
    );
    expect(entry?.level).toBe(eventsV1.LogLevel.LOG_LEVEL_INFO);
    expect(entry?.service).toBe('svc');
    expect(entry?.message).toHaveLength(LOG_ENTRY_LIMITS.message);
    expect(entry?.message.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(entry?.attributesJson).toHaveLength(LOG_ENTRY_LIMITS.attributesJson);
  });
});

describe('truncate', () => {
  it('leaves short text alone and never splits a surrogate pair', () => {
    expect(truncate('short', 10)).toBe('short');
    // The cut falls between the two halves of the emoji: the half is dropped, not kept as a lone surrogate.
    expect(truncate(`${'a'.repeat(7)}😀${'b'.repeat(30)}`, 8 + TRUNCATION_MARKER.length)).toBe(
      `${'a'.repeat(7)}${TRUNCATION_MARKER}`,
    );
    expect(truncate('abcdef', 3)).toHaveLength(3);
  });
});
