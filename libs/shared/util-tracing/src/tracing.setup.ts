import {
  context,
  diag,
  DiagConsoleLogger,
  type DiagLogger,
  DiagLogLevel,
  propagation,
  trace,
} from '@opentelemetry/api';
import { diagLogLevelFromString } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';

export interface TracingOptions {
  /** `service.name` of the spans, unless OTEL_SERVICE_NAME overrides it. */
  readonly serviceName: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra processors (tests: a SimpleSpanProcessor over an InMemorySpanExporter). */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** Where the SDK's own diagnostics go (an exporter that cannot reach its collector); the console by default. */
  readonly diagLogger?: DiagLogger;
}

export interface TracingHandle {
  readonly provider: NodeTracerProvider;
  /** Exports what is buffered and stops; call once the process has no more work. */
  shutdown(): Promise<void>;
}

let installed: TracingHandle | null = null;

/** True once a tracer provider is installed; hot paths skip all span work when it is not. */
export function isTracingActive(): boolean {
  return installed !== null;
}

/**
 * Tracing is on when an OTLP endpoint is configured (the standard OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and OTEL_SDK_DISABLED is not true; the exporter itself reads the
 * other standard variables (headers, timeout, compression). Off, the API stays a no-op: no context
 * manager, no span objects, nothing on the hot path but a header lookup.
 */
export function tracingEnabled(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if ((env['OTEL_SDK_DISABLED'] ?? '').toLowerCase() === 'true') {
    return false;
  }

  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}

/**
 * Installs the process-wide tracer provider once (the embedded gateway hosts every service in one
 * process and one provider). Returns the installed handle, or null when tracing is off and no test
 * processor was given. A second call returns the first handle: the global API can be set only once.
 */
export function initTracing(options: TracingOptions): TracingHandle | null {
  if (installed) {
    return installed;
  }
  const env = options.env ?? process.env;
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (tracingEnabled(env)) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  if (processors.length === 0) {
    return null;
  }
  // The SDK reports its own trouble (an unreachable collector, a refused export) through diag: silencing
  // it hid a broken exporter. OTEL_LOG_LEVEL sets the level as the specification says, INFO when unset.
  diag.setLogger(options.diagLogger ?? new DiagConsoleLogger(), {
    logLevel: diagLevel(env['OTEL_LOG_LEVEL']),
    suppressOverrideMessage: true,
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] || options.serviceName }),
    spanProcessors: processors,
  });
  // Registers the W3C trace-context propagator and the AsyncLocalStorage context manager.
  provider.register();
  installed = {
    provider,
    shutdown: async () => {
      await provider.shutdown();
      // Global registrations live on globalThis: undo them so a later initTracing (a test) can register.
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
      installed = null;
    },
  };

  return installed;
}

/** OTEL_LOG_LEVEL (none, error, warn, info, debug, verbose, all; any case) as a diag level; INFO when unset or unknown. */
export function diagLevel(value: string | undefined): DiagLogLevel {
  return diagLogLevelFromString(value === '' ? undefined : value) ?? DiagLogLevel.INFO;
}

/** Exports buffered spans now (the last phase of a graceful shutdown); a no-op when tracing is off. */
export async function flushTracing(): Promise<void> {
  await installed?.provider.forceFlush();
}
