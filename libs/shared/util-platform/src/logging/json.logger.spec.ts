import { Writable } from 'node:stream';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { inSpan, initTracing } from '@sms/tracing';
import { loadConfig } from '../config/app.config';
import { JsonLogger, type JsonLoggerOptions } from './json.logger';

/** A logger writing synchronously into an array of parsed JSON lines. */
function capture(options?: JsonLoggerOptions): { logger: JsonLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });

  return { logger: new JsonLogger('send-worker', 'debug', sink, options), lines };
}

describe(JsonLogger.name, () => {
  it('writes one JSON line per event with service, message id and provider, and censors phone numbers and bodies', () => {
    const { logger, lines } = capture();
    logger.log(
      {
        msg: 'provider accepted',
        messageId: '0190f0d6-7c1a-7000-8000-000000000001',
        provider: 'twilio',
        to: '+447400123456',
        from: '+447400900999',
        body: 'Your code is 123456',
        request: { to: '+447400123456', text: 'nested body' },
      },
      'send-worker',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'send-worker',
      context: 'send-worker',
      messageId: '0190f0d6-7c1a-7000-8000-000000000001',
      provider: 'twilio',
      to: '[redacted]',
      from: '[redacted]',
      body: '[redacted]',
      request: { to: '[redacted]', text: '[redacted]' },
    });
    expect(JSON.stringify(lines)).not.toMatch(/7400123456|Your code|nested body/);
  });

  it('keeps ids and host:port in free text and in fields, escaping only line breaks', () => {
    const { logger, lines } = capture();
    logger.error(
      {
        msg: 'Handler failed; retrying',
        topic: 'sms.send.v1',
        error: 'connect ECONNREFUSED 10.0.0.12:3306',
        messageId: '0190f0d6-7c1a-7000-8000-000000000001',
      },
      'bus',
    );
    logger.warn('webhook 1234567890123 from twilio held no readable receipt\nforged: line', 'dlr');
    expect(lines[0]).toMatchObject({
      level: 'error',
      context: 'bus',
      topic: 'sms.send.v1',
      msg: 'Handler failed; retrying',
      error: 'connect ECONNREFUSED 10.0.0.12:3306',
      messageId: '0190f0d6-7c1a-7000-8000-000000000001',
    });
    expect(lines[1]?.['msg']).toBe('webhook 1234567890123 from twilio held no readable receipt\\nforged: line');
  });

  it("masks an E.164 number in a line's message text and free-text fields, keeping the message id and peer", () => {
    const { logger, lines } = capture();
    logger.warn('twilio refused +447400123456 for 0190f0d6-7c1a-7000-8000-000000000001 via 10.0.0.12:443', 'send');
    logger.error({ msg: 'provider error', messageId: 'm-7', error: "The 'To' number +14155552671 is invalid" });
    expect(lines[0]?.['msg']).toBe(
      'twilio refused +44********56 for 0190f0d6-7c1a-7000-8000-000000000001 via 10.0.0.12:443',
    );
    expect(lines[1]).toMatchObject({ messageId: 'm-7', error: "The 'To' number +1********71 is invalid" });
  });

  it('censors sensitive fields at any depth and in any case, on every level and method', () => {
    const { logger, lines } = capture({ redactKeys: ['ClientReference'] });
    logger.error({ msg: 'refused', provider: { request: { To: '+447400123456', Body: 'secret text' } } }, 'x');
    logger.debug({ msg: 'dispatch', dispatch: { sender: '+14155552671', recipient: '+447400123456' } });
    logger.pino.info({ webhook: { form: { msisdn: '447400123456', text: 'STOP' } }, clientReference: 'c-1' }, 'raw');
    expect(lines[0]).toMatchObject({ provider: { request: { To: '[redacted]', Body: '[redacted]' } } });
    expect(lines[1]).toMatchObject({ dispatch: { sender: '[redacted]', recipient: '[redacted]' } });
    expect(lines[2]).toMatchObject({
      webhook: { form: { msisdn: '[redacted]', text: '[redacted]' } },
      clientReference: '[redacted]',
    });
    expect(JSON.stringify(lines)).not.toMatch(/7400123456|4155552671|secret text|STOP|c-1/);
  });

  it('censors the extra keys LOG_REDACT_KEYS names, from the validated configuration', () => {
    const config = loadConfig({ LOG_REDACT_KEYS: 'clientReference,callbackUrl' });
    const { logger, lines } = capture({ redactKeys: config.logging.redactKeys });
    logger.log({
      msg: 'accepted',
      clientReference: 'customer-42',
      callbackUrl: 'https://x.test/cb?token=s3cret',
      to: '+447400123456',
    });
    expect(lines[0]).toMatchObject({ clientReference: '[redacted]', callbackUrl: '[redacted]', to: '[redacted]' });
    expect(() => loadConfig({ LOG_REDACT_KEYS: 'a b;c' })).toThrow(/LOG_REDACT_KEYS/);
  });

  it('no longer reads LOG_REDACT_PHONE_NUMBERS: the built-in keys are always censored', () => {
    const config = loadConfig({ LOG_REDACT_PHONE_NUMBERS: 'false' });
    const { logger, lines } = capture({ redactKeys: config.logging.redactKeys });
    logger.log({ msg: 'lab', to: '+447400123456' });
    expect(lines[0]?.['to']).toBe('[redacted]');
  });

  it('stamps the active trace and span id on lines written inside a span, and none outside', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = initTracing({ serviceName: 'test', env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    try {
      const { logger, lines } = capture();
      await inSpan('work', {}, async () => {
        logger.log({ msg: 'inside', messageId: 'm-1', provider: 'twilio' });
      });
      logger.log('outside');
      const [span] = exporter.getFinishedSpans();
      expect(lines[0]).toMatchObject({
        trace_id: span?.spanContext().traceId,
        span_id: span?.spanContext().spanId,
        messageId: 'm-1',
        provider: 'twilio',
      });
      expect(lines[1]).not.toHaveProperty('trace_id');
    } finally {
      await tracing?.shutdown();
    }
  });
});
