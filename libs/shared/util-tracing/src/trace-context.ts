import {
  context,
  type Context,
  isSpanContextValid,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { isTracingActive } from './tracing.setup';

/** W3C trace-context header carried on bus records, in outbox rows and on stored provider refs. */
export const TRACEPARENT_HEADER = 'traceparent';

const TRACER_NAME = '@sms/tracing';

export const tracer = (): Tracer => trace.getTracer(TRACER_NAME);

const headerGetter = {
  keys: (carrier: Readonly<Record<string, string>>): string[] => Object.keys(carrier),
  get: (carrier: Readonly<Record<string, string>>, key: string): string | undefined => carrier[key],
};

/**
 * The active trace context as W3C headers (`traceparent`, and `tracestate` when set), to store with
 * work that continues later in another async context: an outbox row, a group-committed write.
 * Empty when no span is active (tracing off, or outside any traced work).
 */
export function currentTraceHeaders(active: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (trace.getSpanContext(active)) {
    propagation.inject(active, carrier);
  }

  return carrier;
}

/**
 * Copies `headers` and adds the active trace context, unless the record already carries one (a context
 * stored with the work wins over whatever is active when it is finally published) or `replace` is set.
 */
export function withTraceHeaders(
  headers: Readonly<Record<string, string>> | undefined,
  active: Context = context.active(),
  replace = false,
): Readonly<Record<string, string>> | undefined {
  if ((!replace && headers?.[TRACEPARENT_HEADER] !== undefined) || !trace.getSpanContext(active)) {
    return headers;
  }

  return { ...headers, ...currentTraceHeaders(active) };
}

/** The context a record's headers carry (the root context when they carry none). */
export function contextFromHeaders(headers: Readonly<Record<string, string>>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}

/** The span context of a stored `traceparent`, for a span link; undefined when absent or malformed. */
export function spanContextOf(traceparent: string | null | undefined): SpanContext | undefined {
  if (!traceparent) {
    return undefined;
  }
  const spanContext = trace.getSpanContext(contextFromHeaders({ [TRACEPARENT_HEADER]: traceparent }));

  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** Trace id of the active span, for log lines; undefined when nothing is traced. */
export function activeTraceIds(): { readonly traceId: string; readonly spanId: string } | undefined {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !isSpanContextValid(spanContext)) {
    return undefined;
  }

  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Record<string, string | number | boolean | undefined>;
  readonly links?: readonly Link[];
  /** Parent context; the active one by default. */
  readonly parent?: Context;
}

/**
 * Runs `work` inside a new span made active for everything it awaits; the span records an exception
 * and ERROR status when `work` throws, and ends either way.
 */
export async function inSpan<T>(name: string, options: SpanOptions, work: () => Promise<T>): Promise<T> {
  if (!isTracingActive()) {
    // Tracing off (the embedded default): no span objects, no context switch on the hot path.
    return work();
  }
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      attributes: options.attributes,
      links: options.links ? [...options.links] : undefined,
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
    throw error;
  } finally {
    span.end();
  }
}

export { SpanKind };

/**
 * Runs `work` with no active trace. For background loops (an outbox relay) that a request's commit
 * happened to wake: timers inherit the waker's async context, and records without a stored context
 * must not be attributed to that unrelated request.
 */
export function outsideAnyTrace<T>(work: () => T): T {
  return context.with(ROOT_CONTEXT, work);
}
