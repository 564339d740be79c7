import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ROOT_CONTEXT, trace, TraceFlags, type Context, type ContextManager } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, localOnly, scrubSecrets } from './logger.js';

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: () => string[] } {
  const written: string[] = [];
  const logger = createLogger({
    service: 'test-service',
    level: 'info',
    destinations: [{ write: (line: string) => void written.push(line) }],
  });
  return { logger, lines: () => written };
}

describe('createLogger', () => {
  it('never writes passwords, DSN passwords, payment tokens or authorization headers', () => {
    const { logger, lines } = capturingLogger();
    logger.info(
      {
        dsn: 'mysql://order_service:dsn-secret-1@db:3306/orders',
        config: { mysqlDsn: 'mysql://order_service:dsn-secret-2@db:3306/orders', password: 'pw-secret-3' },
        paymentMethodToken: 'tok_secret_4',
        token: 'token-secret-5',
        request: { headers: { authorization: 'Bearer bearer-secret-6' } },
        headers: { authorization: 'Basic basic-secret-7' },
        order: { paymentMethodToken: 'tok_secret_8' },
        cause: 'connect failed for mysql://root:dsn-secret-9@10.0.0.1:3306/x',
      },
      'could not reach mysql://user:dsn-secret-10@db:3306/orders with Authorization: Bearer bearer-secret-11',
    );
    const [line] = lines();
    expect(line).toBeDefined();
    for (const secret of [
      'dsn-secret-1',
      'dsn-secret-2',
      'pw-secret-3',
      'tok_secret_4',
      'token-secret-5',
      'bearer-secret-6',
      'basic-secret-7',
      'tok_secret_8',
      'dsn-secret-9',
      'dsn-secret-10',
      'bearer-secret-11',
    ]) {
      expect(line).not.toContain(secret);
    }
    const record = JSON.parse(line!) as Record<string, unknown>;
    expect(record['msg']).toBe(
      'could not reach mysql://user:[redacted]@db:3306/orders with Authorization: Bearer [redacted]',
    );
    expect(record['service']).toBe('test-service');
    expect(record['level']).toBe('info');
  });

  describe('with an OpenTelemetry context manager registered (as the SDK does)', () => {
    beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager()));
    afterAll(() => context.disable());

    it("adds the active span's trace and span ids to each line, and nothing when no span is active", () => {
      const { logger, lines } = capturingLogger();
      const spanContext = {
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: TraceFlags.SAMPLED,
      };
      context.with(trace.setSpanContext(context.active(), spanContext), () =>
        logger.info({ orderId: 'o-1' }, 'inside a span'),
      );
      logger.info('outside');
      const [inside, outside] = lines().map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(inside).toMatchObject({ orderId: 'o-1', traceId: spanContext.traceId, spanId: spanContext.spanId });
      expect(outside?.['traceId']).toBeUndefined();
    });
  });

  it('marks local-only lines so the shipper skips them', () => {
    const { logger, lines } = capturingLogger();
    localOnly(logger).warn('stored nothing');
    expect(JSON.parse(lines()[0]!)).toMatchObject({ localOnly: true, msg: 'stored nothing' });
  });
});

describe('scrubSecrets', () => {
  it('keeps URLs without credentials as they are', () => {
    expect(scrubSecrets('ws://127.0.0.1:8080/ws/v2 and http://host:80/a@b')).toBe(
      'ws://127.0.0.1:8080/ws/v2 and http://host:80/a@b',
    );
  });
});

/** The few lines of @opentelemetry/context-async-hooks this test needs (the SDK is not a dependency yet). */
class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}
