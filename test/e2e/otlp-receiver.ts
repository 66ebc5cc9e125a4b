import { createServer, type Server } from 'node:http';
import type { SpanRecord } from '@sms/testing';

interface OtlpAttribute {
  readonly key: string;
  readonly value: { readonly stringValue?: string; readonly intValue?: string | number; readonly boolValue?: boolean };
}

interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes?: readonly OtlpAttribute[];
  readonly links?: readonly { readonly traceId: string; readonly spanId: string }[];
}

interface OtlpExport {
  readonly resourceSpans?: readonly {
    readonly resource?: { readonly attributes?: readonly OtlpAttribute[] };
    readonly scopeSpans?: readonly { readonly spans?: readonly OtlpSpan[] }[];
  }[];
}

/** OTLP/JSON ids are hex; some encoders send base64 (16/8 bytes): accept both. */
const hexId = (id: string | undefined): string | undefined => {
  if (!id) {
    return undefined;
  }

  return /^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16)
    ? id.toLowerCase()
    : Buffer.from(id, 'base64').toString('hex');
};

const valueOf = (attribute: OtlpAttribute): unknown =>
  attribute.value.stringValue ?? attribute.value.intValue ?? attribute.value.boolValue;

/**
 * A stand-in OpenTelemetry collector for tests: accepts OTLP/HTTP JSON trace exports on
 * POST /v1/traces and keeps the spans in memory, so processes started with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing here are checked through their real exporter.
 */
export class OtlpReceiver {
  readonly spans: SpanRecord[] = [];
  private server: Server | undefined;

  async listen(port: number): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method === 'POST' && request.url === '/v1/traces') {
          this.collect(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport);
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');

          return;
        }
        response.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));

    return `http://127.0.0.1:${port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private collect(payload: OtlpExport): void {
    for (const resourceSpans of payload.resourceSpans ?? []) {
      const service = String(
        valueOf(resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name') ?? { key: '', value: {} }),
      );
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            name: span.name,
            service,
            traceId: hexId(span.traceId) as string,
            spanId: hexId(span.spanId) as string,
            parentSpanId: hexId(span.parentSpanId),
            links: (span.links ?? []).map((link) => ({
              traceId: hexId(link.traceId) as string,
              spanId: hexId(link.spanId) as string,
            })),
            attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, valueOf(a)])),
          });
        }
      }
    }
  }
}
