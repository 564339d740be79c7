import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { repositoryRoot } from '@addispay/testkit';
import { Metadata, Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, placeRequest, startPlatform, type TestPlatform } from '../e2e/platform.js';
import { grafanaRegex, parseLabelValues, readDashboards, substitute } from './dashboards.js';
import { SpanKind, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import { startPrometheus, type TestPrometheus } from './prometheus.js';

const root = repositoryRoot();
const deadline = (ms = 15_000) => ({ deadline: new Date(Date.now() + ms) });

describe('metrics, dashboards and traces of a running platform', () => {
  let platform: TestPlatform;
  let prometheus: TestPrometheus;
  let otlp: OtlpReceiver;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    const tracing = {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    platform = await startPlatform({ order: tracing, payment: tracing });
    prometheus = await startPrometheus(
      [
        { job: 'order-service', port: platform.orderServices[0]!.metricsPort },
        { job: 'payment-service', port: platform.paymentService.metricsPort },
      ],
      [join(root, 'observability/alerts/*.yaml')],
    );
  });
  afterAll(async () => {
    await prometheus?.stop();
    await platform?.close();
    await otlp?.close();
  });

  it('one PlaceOrder is one trace: client, order service, MySQL, Pulsar, payment service, MySQL, Pulsar, order service', async () => {
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const metadata = Metadata({ traceparent: `00-${traceId}-${clientSpanId}-01` });
    const placed = await platform.client().placeOrder(placeRequest(), { ...deadline(), metadata });
    expect(placed.order?.status).toBeDefined();

    const inTrace = () => otlp.spans.filter((span) => span.traceId === traceId);
    const find = (where: (span: ReceivedSpan) => boolean) => inTrace().find(where);
    const consumerOf = (service: string, topic: string) => (span: ReceivedSpan) =>
      span.service === service &&
      span.kind === SpanKind.CONSUMER &&
      String(span.attributes['messaging.destination.name']).startsWith(topic);
    const settled = await eventually(
      async () => find(consumerOf('order-service', 'payment-results')) !== undefined,
      30_000,
    );
    expect(settled, `spans of trace ${traceId}: ${describeSpans(inTrace())}`).toBe(true);

    const server = find((span) => span.service === 'order-service' && span.kind === SpanKind.SERVER);
    expect(server?.name).toMatch(/OrderService\/PlaceOrder$/);
    expect(server?.parentSpanId).toBe(clientSpanId);
    expect(server?.attributes['rpc.system']).toBe('grpc');
    expect(server?.attributes['rpc.method']).toBe('PlaceOrder');

    const producedOrder = find((span) => span.kind === SpanKind.PRODUCER && span.parentSpanId === server?.spanId);
    expect(producedOrder).toMatchObject({ service: 'order-service', name: expect.stringMatching(/^send orders/) });
    expect(producedOrder?.attributes).toMatchObject({
      'messaging.system': 'pulsar',
      'messaging.operation.type': 'send',
    });
    const charged = find(consumerOf('payment-service', 'orders'));
    expect(charged?.parentSpanId).toBe(producedOrder?.spanId);
    expect(charged?.attributes).toMatchObject({
      'messaging.system': 'pulsar',
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': 'payment-service',
    });
    const producedResult = find((span) => span.kind === SpanKind.PRODUCER && span.parentSpanId === charged?.spanId);
    expect(producedResult).toMatchObject({
      service: 'payment-service',
      name: expect.stringMatching(/^send payment-results/),
    });
    const applied = find(consumerOf('order-service', 'payment-results'));
    expect(applied?.parentSpanId).toBe(producedResult?.spanId);

    // MySQL under each service's part of the trace.
    for (const parent of [server, charged, applied]) {
      const queries = inTrace().filter((span) => span.parentSpanId === parent?.spanId && span.kind === SpanKind.CLIENT);
      expect(queries.length, `MySQL spans under ${parent?.service} ${parent?.name}`).toBeGreaterThan(0);
      expect(queries.every((span) => span.attributes['db.system.name'] === 'mysql')).toBe(true);
    }
  });

  it('every panel of every dashboard returns data from Prometheus after a short load', async () => {
    const client = platform.client();
    const tokens = [
      'tok_approve',
      'tok_approve',
      'tok_approve',
      'tok_approve',
      'tok_decline',
      'tok_insufficient_funds',
    ];
    const placed = await Promise.all(
      [...tokens, 'tok_processor_error'].map((paymentMethodToken) =>
        client.placeOrder(placeRequest({ paymentMethodToken }), deadline()),
      ),
    );
    await expect(client.placeOrder(placeRequest({ items: [] }), deadline())).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
    });
    const orderId = placed[0]!.order!.orderId;
    for await (const update of client.watchOrder({ orderId }, deadline())) expect(update).toBeDefined();
    await client.getOrder({ orderId }, deadline());

    // Every order's final status is scraped, then a few more scrapes so that rates see it.
    const scraped = await eventually(async () => {
      const [total] = await prometheus.query('sum(addispay_orders_finalized_total)');
      return Number(total?.value[1] ?? 0) >= placed.length;
    }, 30_000);
    expect(scraped).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const empty: string[] = [];
    let checked = 0;
    for (const dashboard of readDashboards(join(root, 'observability/dashboards'))) {
      const values: Record<string, string> = {};
      for (const variable of dashboard.variables) {
        if (variable.type === 'datasource') continue;
        const source = parseLabelValues(variable.definition ?? '');
        if (!source) throw new Error(`${dashboard.file}: variable ${variable.name} is not a label_values() query`);
        const regex = grafanaRegex(variable.regex);
        const found = (await prometheus.labelValues(source.label, source.metric)).filter(
          (v) => !regex || regex.test(v),
        );
        expect(found.length, `${dashboard.file}: values of $${variable.name}`).toBeGreaterThan(0);
        values[variable.name] = found.join('|');
      }
      for (const query of dashboard.queries) {
        const result = await prometheus.query(substitute(query.expr, values));
        checked++;
        if (result.length === 0) empty.push(`${query.dashboard} / ${query.panel}: ${query.expr}`);
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(empty, 'panel queries without data').toEqual([]);
  });
});

function describeSpans(spans: readonly ReceivedSpan[]): string {
  return JSON.stringify(spans.map((span) => `${span.service} ${span.kind} ${span.name}`));
}
