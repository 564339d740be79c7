/**
 * The logger service as a process (its main.ts), against the real broker and MariaDB: entries shipped by other
 * services' loggers are stored and read back through QueryLogs; what does not decode is dead-lettered.
 */
import { eventsV1, loggerV1 } from '@addispay/api';
import { DEAD_LETTER_REASON, type IncomingMessage } from '@addispay/pulsar';
import { createLogger, LogShipper, TRUNCATION_MARKER } from '@addispay/telemetry';
import { PULSAR_WS_URL, startService, type RunningService } from '@addispay/testkit';
import { createChannel, createClient, type Channel } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, encode, logEntry, startLogSuite, waitFor, type LogSuite } from './support.js';

describe('logger-service', () => {
  let suite: LogSuite;
  let service: RunningService;
  let channel: Channel;
  let client: loggerV1.LoggerServiceClient;

  beforeAll(async () => {
    suite = await startLogSuite('logger_service');
    service = await startService('logger-service', {
      MYSQL_DSN: suite.db.dsn,
      PULSAR_URL: PULSAR_WS_URL,
      PULSAR_TOPIC_SUFFIX: suite.suffix,
    });
    channel = createChannel(service.grpcAddress);
    client = createClient(loggerV1.LoggerServiceDefinition, channel);
  });

  afterAll(async () => {
    channel?.close();
    await service?.stop();
    await suite?.close();
  });

  const query = (request: Partial<loggerV1.QueryLogsRequest>) =>
    client.queryLogs(request).then((response) => response.entries);

  it('stores what the services log through their shippers, readable by order id, oldest first', async () => {
    const orderId = `ord-${Date.now()}`;
    const producer = () => suite.transport.createProducer(suite.topology.topic('logs').fullName);
    for (const name of ['order-service', 'payment-service']) {
      const shipper = new LogShipper({ service: name });
      const logger = createLogger({ service: name, level: 'info', destinations: [shipper] });
      shipper.start({ open: producer, logger });
      logger.info({ orderId, step: 1 }, `${name}: first`);
      logger.warn({ orderId, step: 2, paymentMethodToken: 'tok_should_not_leak' }, `${name}: second`);
      logger.debug({ orderId }, 'below the level: never shipped');
      await shipper.close();
    }
    const all = await waitFor(
      () => query({ orderId }),
      (found) => found.filter((entry) => entry.service === 'logger-service').length === 2,
      "the logger service's line for each of the two shipped messages",
    );
    const entries = all.filter((entry) => entry.service !== 'logger-service');
    const own = all.filter((entry) => entry.service === 'logger-service');
    expect(own.map((entry) => [entry.message, JSON.parse(entry.attributesJson)])).toEqual([
      ['order log entries stored', { entries: 2 }],
      ['order log entries stored', { entries: 2 }],
    ]);
    expect(entries.map((entry) => entry.message).sort()).toEqual(
      ['order-service: first', 'order-service: second', 'payment-service: first', 'payment-service: second'].sort(),
    );
    expect(entries.map((entry) => entry.time!.getTime())).toEqual(
      entries.map((entry) => entry.time!.getTime()).sort((a, b) => a - b),
    );
    const warn = entries.find((entry) => entry.message === 'payment-service: second');
    expect(warn).toMatchObject({ service: 'payment-service', level: eventsV1.LogLevel.LOG_LEVEL_WARN, orderId });
    expect(JSON.parse(warn!.attributesJson)).toEqual({ step: 2, paymentMethodToken: '[redacted]' });
    expect(await query({ orderId, service: 'order-service' })).toHaveLength(2);
    expect(await query({ orderId, minLevel: eventsV1.LogLevel.LOG_LEVEL_WARN })).toHaveLength(2);
  });

  it('answers oldest first whatever the arrival order, and filters by trace, level, time and limit', async () => {
    const producer = await suite.transport.createProducer(suite.topology.topic('logs').fullName);
    const traceId = 'c'.repeat(24) + Date.now().toString(16).padStart(8, '0').slice(-8);
    const base = Date.UTC(2030, 0, 1);
    const levels = [
      eventsV1.LogLevel.LOG_LEVEL_DEBUG,
      eventsV1.LogLevel.LOG_LEVEL_INFO,
      eventsV1.LogLevel.LOG_LEVEL_ERROR,
    ];
    // Published newest first: storage order differs from time order.
    const sent = Array.from({ length: 30 }, (_, index) =>
      logEntry({
        traceId,
        message: `step ${29 - index}`,
        time: new Date(base + (29 - index) * 1000),
        level: levels[index % 3]!,
      }),
    );
    // One message per entry for the first twenty, then ten in one message, as the shipper sends them.
    await Promise.all(sent.slice(0, 20).map((entry) => producer.send({ key: entry.entryId, payload: encode(entry) })));
    await producer.send({ key: sent[20]!.entryId, payload: encode(...sent.slice(20)) });
    await producer.close();

    const all = await waitFor(
      () => query({ traceId }),
      (found) => found.length === 30,
      'thirty entries of the trace',
    );
    expect(all.map((entry) => entry.message)).toEqual(Array.from({ length: 30 }, (_, index) => `step ${index}`));
    expect(await query({ traceId, limit: 5 }).then((found) => found.map((entry) => entry.message))).toEqual([
      'step 0',
      'step 1',
      'step 2',
      'step 3',
      'step 4',
    ]);
    const since = await query({ traceId, since: new Date(base + 25_000) });
    expect(since.map((entry) => entry.message)).toEqual(['step 25', 'step 26', 'step 27', 'step 28', 'step 29']);
    const errors = await query({ traceId, minLevel: eventsV1.LogLevel.LOG_LEVEL_ERROR });
    expect(errors).toHaveLength(10);
    expect(errors.every((entry) => entry.level === eventsV1.LogLevel.LOG_LEVEL_ERROR)).toBe(true);
  });

  it('keeps an entry with oversized fields, truncated with a marker', async () => {
    const producer = await suite.transport.createProducer(suite.topology.topic('logs').fullName);
    const orderId = `ord-big-${Date.now()}`;
    const entry = logEntry({
      orderId,
      message: 'x'.repeat(200_000),
      attributesJson: JSON.stringify({ blob: 'y'.repeat(200_000) }),
    });
    await producer.send({ key: entry.entryId, payload: encode(entry) });
    await producer.close();
    const [stored] = await waitFor(
      () => query({ orderId, service: 'order-service' }),
      (found) => found.length === 1,
      'the oversized entry',
    );
    expect(stored!.message.length).toBeLessThan(10_000);
    expect(stored!.message.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(stored!.attributesJson.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('dead-letters messages that are not log entries, and counts them', async () => {
    const subscription = suite.topology.subscription('logs', 'logger-service');
    const deadLetters: IncomingMessage[] = [];
    const dlq = await suite.transport.subscribe(
      {
        topic: subscription.deadLetter.topic,
        subscription: 'test-review',
        type: 'Exclusive',
        initialPosition: 'Earliest',
      },
      (message) => {
        deadLetters.push(message);
        void dlq.acknowledge(message);
      },
    );
    const producer = await suite.transport.createProducer(subscription.topic);
    const truncatedProtobuf = new Uint8Array([0x0a, 0xff, 0x01]);
    await producer.send({ key: 'garbage', payload: truncatedProtobuf });
    await producer.send({ key: 'no-id', payload: encode(logEntry(), logEntry({ entryId: '' })) });
    await producer.send({ key: 'empty', payload: encode() });
    await producer.close();

    await waitFor(
      async () => deadLetters.length,
      (count) => count === 3,
      'three dead letters',
    );
    await dlq.close();
    expect(deadLetters.map((message) => message.properties[DEAD_LETTER_REASON]).sort()).toEqual([
      'log batch without entries',
      'log entry without entry_id',
      expect.stringMatching(/^not an addispay.events.v1.LogBatch: /),
    ]);
    const metrics = await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`).then((response) => response.text());
    expect(metrics).toMatch(/addispay_log_messages_handled_total\{outcome="poison"\} 3\n/);
    expect((await countRows(suite.db, 'entry_id = ?', [''])).rows).toBe(0);
  });

  it('stores its own lines too', async () => {
    const own = await waitFor(
      () => query({ service: 'logger-service' }),
      (found) => found.length > 0,
      'a logger-service line',
    );
    expect(own.map((entry) => entry.message)).toContain('logger-service ready');
  });
});
