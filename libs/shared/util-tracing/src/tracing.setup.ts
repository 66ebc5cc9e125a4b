import {
  context,
  diag,
  DiagConsoleLogger,
  type DiagLogger,
  DiagLogLevel,
  propagation,
  trace,
} from '@opentelemetry/api';
import type * as OtelCore from '@opentelemetry/core';
import type * as OtlpHttpExporter from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtelResources from '@opentelemetry/resources';
import type * as OtelSdk from '@opentelemetry/sdk-trace-node';
import type { NodeTracerProvider, SpanProcessor } from '@opentelemetry/sdk-trace-node';

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

/*
 * The SDK, its OTLP exporter and their dependencies are loaded only when tracing is turned on: off (the
 * default) a process needs the API alone, and every process kept them in its heap (docs/performance.md,
 * "Memory at the peak: what every process loads"). `require` rather than `import()`: initTracing is synchronous
 * and runs before anything else starts.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const otelCore = (): typeof OtelCore => require('@opentelemetry/core') as typeof OtelCore;
const otelSdk = (): typeof OtelSdk => require('@opentelemetry/sdk-trace-node') as typeof OtelSdk;
const otelResources = (): typeof OtelResources => require('@opentelemetry/resources') as typeof OtelResources;
const otlpHttpExporter = (): typeof OtlpHttpExporter =>
  require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttpExporter;
/* eslint-enable @typescript-eslint/no-require-imports */

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
    processors.push(new (otelSdk().BatchSpanProcessor)(new (otlpHttpExporter().OTLPTraceExporter)()));
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
  const provider = new (otelSdk().NodeTracerProvider)({
    resource: otelResources().resourceFromAttributes({
      'service.name': env['OTEL_SERVICE_NAME'] || options.serviceName,
    }),
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
  return otelCore().diagLogLevelFromString(value === '' ? undefined : value) ?? DiagLogLevel.INFO;
}

/** Exports buffered spans now (the last phase of a graceful shutdown); a no-op when tracing is off. */
export async function flushTracing(): Promise<void> {
  await installed?.provider.forceFlush();
}
