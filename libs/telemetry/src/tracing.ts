import { context, propagation, trace, SpanStatusCode, type Attributes, type Context, type Span, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, type SpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

let initialised = false;

/**
 * Registers the W3C trace-context propagator, an async-local context manager and a tracer provider, so spans
 * started around handlers carry `traceparent` across Kafka hops. Exporters are optional (OTLP in production).
 */
export function initTracing(options: { exporter?: SpanExporter } = {}): void {
  if (initialised) return;
  initialised = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const provider = new BasicTracerProvider({ spanProcessors: options.exporter ? [new SimpleSpanProcessor(options.exporter)] : [] });
  trace.setGlobalTracerProvider(provider);
}

const headerGetter: TextMapGetter<Record<string, string | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};
const headerSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** Trace context of the current span as headers (traceparent, tracestate). */
export function injectTraceHeaders(target: Record<string, string> = {}, ctx: Context = context.active()): Record<string, string> {
  propagation.inject(ctx, target, headerSetter);
  return target;
}

export function extractTraceContext(headers: Record<string, string | undefined>): Context {
  return propagation.extract(context.active(), headers, headerGetter);
}

/** Runs `fn` inside a span (child of `parent`), recording errors; the span ends when the promise settles. */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>, parent: Context = context.active()): Promise<T> {
  const tracer = trace.getTracer('llm-platform');
  const span = tracer.startSpan(name, { attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}
