import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { tracer } from './trace-context';
import { isTracingActive } from './tracing.setup';

/** What a traced HTTP call reports back: the response status, when a response came. */
export interface HttpCallResult {
  readonly status: number;
}

/**
 * Runs one outbound HTTP call (a provider's API, a customer's callback) in a CLIENT span named and
 * attributed by the OpenTelemetry HTTP semantic conventions, and hands `call` the headers that carry the
 * span (`traceparent`) so the receiver's work joins the same trace. `url.full` is recorded without its
 * query string: a query can hold a number or a credential. With tracing off `call` gets undefined and
 * nothing else happens: no URL parse, no span, no header object.
 */
export async function tracedHttpCall<T extends HttpCallResult>(
  method: string,
  url: string,
  call: (traceHeaders: Record<string, string> | undefined) => Promise<T>,
): Promise<T> {
  if (!isTracingActive()) {
    return call(undefined);
  }
  const parent = context.active();
  const span = tracer().startSpan(
    method,
    { kind: SpanKind.CLIENT, attributes: { 'http.request.method': method, ...targetAttributes(url) } },
    parent,
  );
  const active = trace.setSpan(parent, span);
  const headers: Record<string, string> = {};
  propagation.inject(active, headers);
  try {
    const result = await context.with(active, () => call(headers));
    span.setAttribute('http.response.status_code', result.status);
    // For a client every 4xx and 5xx is an error (HTTP semantic conventions, span status).
    if (result.status >= 400) {
      span.setAttribute('error.type', String(result.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }

    return result;
  } catch (error) {
    span.setAttribute('error.type', errorType(error));
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
    throw error;
  } finally {
    span.end();
  }
}

function targetAttributes(url: string): Record<string, string | number> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {};
  }
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;

  return {
    'url.full': `${parsed.origin}${parsed.pathname}`,
    'server.address': parsed.hostname,
    'server.port': port,
  };
}

/** The socket's error code (ECONNREFUSED, UND_ERR_…) when there is one, else the error's class name. */
function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }

  return error instanceof Error ? error.name : '_OTHER';
}
