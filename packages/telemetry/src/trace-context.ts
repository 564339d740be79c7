import { context, propagation, type Context } from '@opentelemetry/api';

/**
 * The active trace context as W3C `traceparent` / `tracestate` entries (empty when there is no active span or
 * tracing is not started): stored with an event so that whoever publishes it later continues the same trace.
 */
export function currentTraceContext(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The context carried by `carrier` (message properties, headers), on top of the active one. */
export function traceContextFrom(carrier: Readonly<Record<string, string>>): Context {
  return propagation.extract(context.active(), carrier);
}
