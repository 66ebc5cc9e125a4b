import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { contextFromHeaders, TRACEPARENT_HEADER, tracer } from './trace-context';

/** A PRODUCER span for one record being published, and the headers that carry it to the consumer. */
export interface ProducerSpan {
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** Ends the span once the broker took the record (or refused it: pass the error). */
  end(error?: unknown): void;
}

/**
 * Starts the PRODUCER span of one record by the OpenTelemetry messaging semantic conventions: named
 * `send <topic>`, a child of the context the record already carries (an outbox row's stored trace) or
 * else of the active one; the returned headers carry this span, so the CONSUMER span becomes its child.
 * A record with no trace to continue gets no span and keeps its headers. Call only when tracing is on.
 */
export function startProducerSpan(
  system: string,
  topic: string,
  headers: Readonly<Record<string, string>> | undefined,
): ProducerSpan {
  const parent = headers?.[TRACEPARENT_HEADER] !== undefined ? contextFromHeaders(headers) : context.active();
  if (!trace.getSpanContext(parent)) {
    return { headers, end: () => undefined };
  }
  const span = tracer().startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': system,
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': topic,
      },
    },
    parent,
  );
  const carried: Record<string, string> = { ...headers };
  propagation.inject(trace.setSpan(parent, span), carried);

  return {
    headers: carried,
    end: (error?: unknown) => {
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : 'publish failed');
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      }
      span.end();
    },
  };
}
