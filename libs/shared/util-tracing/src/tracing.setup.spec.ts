import { diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { currentTraceHeaders, inSpan, spanContextOf, withTraceHeaders } from './trace-context';
import { diagLevel, initTracing, tracingEnabled } from './tracing.setup';

describe(tracingEnabled.name, () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }, false],
  ])('is on only when an OTLP endpoint is set and the SDK is not disabled: %j', (env, expected) => {
    expect(tracingEnabled(env)).toBe(expected);
  });
});

describe(initTracing.name, () => {
  it('installs nothing without an endpoint (the embedded default): spans are no-ops and carry no headers', async () => {
    expect(initTracing({ serviceName: 'gateway', env: {} })).toBeNull();
    await inSpan('work', {}, async () => {
      expect(trace.getActiveSpan()?.isRecording() ?? false).toBe(false);
      expect(currentTraceHeaders()).toEqual({});
    });
  });

  it('propagates W3C trace context: headers in, span children out, stored contexts as links', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = initTracing({ serviceName: 'svc', env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    try {
      let headers: Record<string, string> = {};
      await inSpan('parent', {}, async () => {
        headers = currentTraceHeaders();
        // A stored context wins over the active one; `replace` forces the active one.
        expect(withTraceHeaders({ traceparent: 'stored' })).toEqual({ traceparent: 'stored' });
        expect(withTraceHeaders({ traceparent: 'stored' }, undefined, true)?.['traceparent']).toBe(
          headers['traceparent'],
        );
      });
      expect(headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      const stored = spanContextOf(headers['traceparent']);
      await inSpan('receipt', { links: stored ? [{ context: stored }] : [] }, async () => undefined);
      await expect(inSpan('fails', {}, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');

      const [parent, receipt, failed] = exporter.getFinishedSpans();
      expect(receipt?.links[0]?.context.spanId).toBe(parent?.spanContext().spanId);
      expect(receipt?.spanContext().traceId).not.toBe(parent?.spanContext().traceId);
      expect(failed?.status.code).toBe(2);
      expect(spanContextOf('garbage')).toBeUndefined();
      expect(spanContextOf(null)).toBeUndefined();
    } finally {
      await tracing?.shutdown();
    }
  });
});

describe(diagLevel.name, () => {
  it.each([
    [undefined, DiagLogLevel.INFO],
    ['', DiagLogLevel.INFO],
    ['none', DiagLogLevel.NONE],
    ['ERROR', DiagLogLevel.ERROR],
    ['warn', DiagLogLevel.WARN],
    ['debug', DiagLogLevel.DEBUG],
    ['all', DiagLogLevel.ALL],
  ])('reads OTEL_LOG_LEVEL=%j as the specification says', (value, expected) => {
    expect(diagLevel(value)).toBe(expected);
  });
});

describe('the SDK diagnostics', () => {
  const capture = () => {
    const lines: string[] = [];
    const write = (level: string) => (message: string) => void lines.push(`${level} ${message}`);

    return {
      lines,
      logger: {
        error: write('error'),
        warn: write('warn'),
        info: write('info'),
        debug: write('debug'),
        verbose: write('verbose'),
      },
    };
  };

  it('reports an exporter that fails, at the default level', async () => {
    const { lines, logger } = capture();
    const exporter = new InMemorySpanExporter();
    // A stopped exporter refuses every export, as one that cannot reach its collector does.
    await exporter.shutdown();
    const tracing = initTracing({
      serviceName: 'svc',
      env: {},
      spanProcessors: [new SimpleSpanProcessor(exporter)],
      diagLogger: logger,
    });
    try {
      await inSpan('lost', {}, async () => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines.some((line) => line.startsWith('error '))).toBe(true);
    } finally {
      await tracing?.shutdown();
    }
  });

  it('honours OTEL_LOG_LEVEL', async () => {
    const { lines, logger } = capture();
    const tracing = initTracing({
      serviceName: 'svc',
      env: { OTEL_LOG_LEVEL: 'warn' },
      spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
      diagLogger: logger,
    });
    try {
      diag.info('not shown');
      diag.warn('shown');
      expect(lines).toEqual(['warn shown']);
    } finally {
      await tracing?.shutdown();
    }
  });
});
