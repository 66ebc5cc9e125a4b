import { packagesLoadedBy, sourcePath } from '@sms/testing';

const SDK = [
  '@opentelemetry/core',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace-node',
];
const setup = sourcePath('libs', 'shared', 'util-tracing', 'src', 'tracing.setup.ts');

describe('the OpenTelemetry SDK is loaded only when tracing is on', () => {
  it('is not loaded with tracing off (no OTLP endpoint)', () => {
    const loaded = packagesLoadedBy(`require(${setup}).initTracing({ serviceName: 'svc', env: {} });`);

    expect(loaded).toContain('@opentelemetry/api');
    expect(loaded.filter((name) => SDK.includes(name))).toEqual([]);
  });

  it('is loaded, exporter included, once an endpoint turns tracing on', () => {
    const loaded = packagesLoadedBy(`
      const tracing = require(${setup}).initTracing({
        serviceName: 'svc',
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' },
      });
      await tracing.shutdown();`);

    expect(loaded).toEqual(expect.arrayContaining(SDK));
  });
});
