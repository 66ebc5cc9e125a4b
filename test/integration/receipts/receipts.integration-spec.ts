/**
 * Delivery receipts end to end on real MariaDB and Kafka (issue #5): dlr-ingest stores and publishes,
 * dlr-processor parses, correlates and rolls up, intake applies, and the message's events in
 * GET /v1/messages/:id (MessagesService.find) tell the whole story.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookRoutes, WebhookState } from '@sms/dlr-ingest';
import Fastify from 'fastify';
import { CallbackClient, CallbackDispatcher, CallbackState, UnmatchedReceiptsController } from '@sms/dlr-processor';
import { DEFAULT_ACCOUNT_ID, MessageStatus, TOPICS } from '@sms/contracts';
import { RetryScheduler } from '@sms/intake';
import { parseSmppConfig, SMPP_WEBHOOK_CONTENT_TYPE, SmppSmsProvider } from '@sms/provider-smpp';
import { fakeReceipt, ReceiptsPipeline, twilioReceipt, WEBHOOK_BASE } from '@sms/testing-receipts';

jest.setTimeout(120_000);

const pipeline = new ReceiptsPipeline();
const sid = (): string => `SM${randomUUID().replace(/-/g, '')}`;

beforeAll(async () => {
  await pipeline.start();
}, 120_000);

afterAll(async () => {
  await pipeline.stop();
}, 60_000);

async function rowOf(id: string): Promise<{ state: string; verified: number; duplicate_of: string | null }> {
  const rows: { state: string; verified: number; duplicate_of: string | null }[] = await pipeline.ingestDs.query(
    'SELECT state, verified, duplicate_of FROM inbound_webhooks WHERE id = ?',
    [id],
  );

  return rows[0] as { state: string; verified: number; duplicate_of: string | null };
}

describe('dlr-ingest', () => {
  it('answers a provider retry of the same receipt once: five parallel copies, one transition, raw copies kept', async () => {
    const id = await pipeline.createMessage();
    const providerId = sid();
    await pipeline.sent(id, 'twilio', providerId);
    await pipeline.waitForStatus(id, 'sent');
    const receipt = twilioReceipt(providerId, 'delivered', {}, `token-${providerId}`);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => pipeline.ingest.ingest('twilio', 'status', receipt)),
    );

    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(results.every((r) => r.verified)).toBe(true);
    const states = await Promise.all(results.map((r) => rowOf(r.id)));
    expect(states.map((s) => s.state).sort()).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    // The same body without the token header is the same receipt too (content hash).
    const sameContent = await pipeline.ingest.ingest('twilio', 'status', twilioReceipt(providerId, 'delivered'));
    expect(sameContent.duplicate).toBe(false); // a different idempotency identity: token vs body
    const again = await pipeline.ingest.ingest('twilio', 'status', twilioReceipt(providerId, 'delivered'));
    expect(again.duplicate).toBe(true);

    const message = await pipeline.waitForStatus(id, 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const settled = await pipeline.message(id);
    expect(settled.events.filter((e) => e.status === 'delivered' && e.applied !== false)).toHaveLength(1);
    expect(message.deliveredAt).not.toBeNull();
  });

  it('stores a forged receipt as rejected, never publishes it, and answers 403 (401 when unsigned)', async () => {
    const id = await pipeline.createMessage();
    const providerId = sid();
    await pipeline.sent(id, 'twilio', providerId);
    await pipeline.waitForStatus(id, 'sent');
    const forged = twilioReceipt(providerId, 'failed');
    const tampered = { ...forged, body: forged.body.replace('failed', 'undelivered') };
    const result = await pipeline.ingest.ingest('twilio', 'status', tampered);
    expect(result.verified).toBe(false);
    expect((await rowOf(result.id)).state).toBe(WebhookState.Rejected);

    // Over HTTP, through the routes dlr-ingest serves.
    const app = Fastify();
    await app.register(webhookRoutes({ ingest: pipeline.ingest, publicBaseUrl: WEBHOOK_BASE }));
    const post = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/webhooks/twilio/status', headers, payload: tampered.body });
    const forgedAnswer = await post({ 'content-type': tampered.contentType, 'x-twilio-signature': 'AAAA' });
    const unsignedAnswer = await post({ 'content-type': tampered.contentType });
    await app.close();
    expect([forgedAnswer.statusCode, forgedAnswer.json<{ code: string }>().code]).toEqual([403, 'INVALID_SIGNATURE']);
    expect([unsignedAnswer.statusCode, unsignedAnswer.json<{ code: string }>().code]).toEqual([
      401,
      'SIGNATURE_MISSING',
    ]);

    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await pipeline.message(id)).status).toBe('sent');
    const rejected: { n: number }[] = await pipeline.ingestDs.query(
      "SELECT COUNT(*) AS n FROM inbound_webhooks WHERE state = 'rejected' AND body LIKE ?",
      [`%${providerId}%`],
    );
    expect(Number(rejected[0]?.n)).toBe(3);
  });
});

describe('dlr-processor', () => {
  it('keeps delivered when the sent receipt arrives after it (out of order), with both in the history', async () => {
    const id = await pipeline.createMessage();
    const providerId = sid();
    await pipeline.sent(id, 'twilio', providerId);
    await pipeline.waitForStatus(id, 'sent');
    await pipeline.ingest.ingest('twilio', 'status', twilioReceipt(providerId, 'delivered'));
    await pipeline.waitForStatus(id, 'delivered');
    await pipeline.ingest.ingest('twilio', 'status', twilioReceipt(providerId, 'sent'));
    const view = await pipeline.waitFor(
      async () => {
        const m = await pipeline.message(id);

        return m.events.filter((e) => e.source === 'dlr').length === 2 ? m : null;
      },
      20_000,
      'the late sent receipt',
    );
    expect(view.status).toBe('delivered');
    expect(view.events.filter((e) => e.source === 'dlr').map((e) => [e.status, e.applied !== false])).toEqual([
      ['delivered', true],
      ['sent', false],
    ]);
  });

  it('parks a receipt that overtakes its send result and applies it once the id is known (id formats differ)', async () => {
    const id = await pipeline.createMessage();
    const providerId = sid();
    // The provider reports the id in another case: matched after normalisation.
    await pipeline.ingest.ingest(
      'twilio',
      'status',
      twilioReceipt(providerId.toUpperCase().replace(/^SM/, 'SM'), 'delivered'),
    );
    await pipeline.waitFor(
      async () => {
        const rows: unknown[] = await pipeline.processorDs.query(
          'SELECT id FROM parked_receipts WHERE provider_message_id = ?',
          [providerId.toLowerCase()],
        );

        return rows.length === 1;
      },
      20_000,
      'the early receipt to be parked',
    );
    await pipeline.sent(id, 'twilio', providerId);
    const view = await pipeline.waitForStatus(id, 'delivered');
    expect(view.events.map((e) => e.status)).toEqual(expect.arrayContaining(['queued', 'sent', 'delivered']));
    const left: unknown[] = await pipeline.processorDs.query(
      'SELECT id FROM parked_receipts WHERE provider_message_id = ?',
      [providerId.toLowerCase()],
    );
    expect(left).toHaveLength(0);
  });

  it('keeps a receipt for an unknown id and lists it to operators; unreadable ones too', async () => {
    const unknown = sid();
    const stored = await pipeline.ingest.ingest('twilio', 'status', twilioReceipt(unknown, 'delivered'));
    const garbage = await pipeline.ingest.ingest('twilio', 'status', {
      ...twilioReceipt(sid(), 'delivered'),
      body: 'not=a&receipt=%ZZ',
      headers: {},
    });
    expect(garbage.verified).toBe(false);
    const malformedTwilio = twilioReceipt('', 'bogus-status');
    const unreadable = await pipeline.ingest.ingest('twilio', 'status', malformedTwilio);
    const controller = new UnmatchedReceiptsController(pipeline.processorDs);
    const listed = await pipeline.waitFor(
      async () => {
        const { data } = await controller.list('twilio');
        const mine = data.filter((r) => r.webhookId === stored.id || r.webhookId === unreadable.id);

        return mine.length === 2 ? mine : null;
      },
      20_000,
      'the unmatched receipts to be listed',
    );
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          webhookId: stored.id,
          reason: 'unmatched',
          status: 'delivered',
          providerMessageId: unknown.toLowerCase(),
        }),
        expect.objectContaining({ webhookId: unreadable.id, reason: 'unreadable' }),
      ]),
    );
    await expect(controller.list(undefined, undefined, '0')).rejects.toMatchObject({
      status: 422,
      code: 'INVALID_LIMIT',
    });
  });

  it('survives a parser that throws or meets malformed JSON, and keeps processing the next receipt', async () => {
    const thrown = await pipeline.ingest.ingest('fakeparts', 'status', fakeReceipt('THROW'));
    const malformed = await pipeline.ingest.ingest('fakeparts', 'status', fakeReceipt('{"reports": [oops'));
    const id = await pipeline.createMessage();
    await pipeline.sent(id, 'fakeparts', 'ab12');
    await pipeline.waitForStatus(id, 'sent');
    await pipeline.ingest.ingest('fakeparts', 'status', fakeReceipt([{ id: String(0xab12), stat: 'DELIVRD' }]));
    await pipeline.waitForStatus(id, 'delivered');
    const controller = new UnmatchedReceiptsController(pipeline.processorDs);
    const { data } = await controller.list('fakeparts');
    expect(data.filter((r) => r.webhookId === thrown.id || r.webhookId === malformed.id).map((r) => r.reason)).toEqual([
      'unreadable',
      'unreadable',
    ]);
  });

  it('rolls a long message up per part: delivered only when every part is, each part in the history', async () => {
    const id = await pipeline.createMessage({ body: 'x'.repeat(400) });
    await pipeline.sent(id, 'fakeparts', 'a1', ['a1', 'a2', 'a3']);
    await pipeline.waitForStatus(id, 'sent');
    await pipeline.ingest.ingest('fakeparts', 'status', fakeReceipt([{ id: String(0xa1), stat: 'DELIVRD' }]));
    await pipeline.ingest.ingest('fakeparts', 'status', fakeReceipt([{ id: String(0xa3), stat: 'DELIVRD' }]));
    await pipeline.waitFor(
      async () => (await pipeline.message(id)).events.filter((e) => e.detail?.startsWith('part ')).length === 2,
      20_000,
      'two part receipts',
    );
    expect((await pipeline.message(id)).status).toBe('sent');
    await pipeline.ingest.ingest('fakeparts', 'status', fakeReceipt([{ id: String(0xa2), stat: 'DELIVRD' }]));
    const view = await pipeline.waitForStatus(id, 'delivered');
    const details = view.events.map((e) => e.detail ?? '');
    expect(details.filter((d) => /^part [123]\/3 delivered/.test(d))).toHaveLength(3);
    expect(details).toContain('all 3 parts delivered');
  });

  it('rolls a long message up to undelivered when one part finally fails', async () => {
    const id = await pipeline.createMessage({ body: 'y'.repeat(400) });
    await pipeline.sent(id, 'fakeparts', 'b1', ['b1', 'b2']);
    await pipeline.waitForStatus(id, 'sent');
    await pipeline.ingest.ingest('fakeparts', 'status', fakeReceipt([{ id: String(0xb1), stat: 'DELIVRD' }]));
    await pipeline.ingest.ingest(
      'fakeparts',
      'status',
      fakeReceipt([{ id: String(0xb2), stat: 'UNDELIV', err: 'P01' }]),
    );
    const view = await pipeline.waitForStatus(id, 'undelivered');
    expect(view.errorCode).toBe('P01');
    expect(view.events.some((e) => e.detail?.startsWith('part 2/2 undelivered'))).toBe(true);
  });
});

describe('fallback after a fixable receipt failure', () => {
  const accepted: { messageId: string; attempt: number; avoidProviders: string[] }[] = [];

  beforeAll(async () => {
    await pipeline.bus.subscribe({
      groupId: `router-probe-${pipeline.database.name}`,
      topics: [TOPICS.accepted],
      handler: (record) => {
        accepted.push(record.value as (typeof accepted)[number]);

        return Promise.resolve();
      },
    });
  });

  const scheduler = () =>
    new RetryScheduler(
      pipeline.intakeDs,
      () => undefined,
      () => undefined,
      60_000,
    );
  interface LedgerRow {
    status: string;
    attempt: number;
    avoid_providers: string;
    dlr_fallbacks: number;
    provider: string;
  }
  const ledgerRow = async (id: string): Promise<LedgerRow | undefined> => {
    const rows = await pipeline.intakeDs.query<LedgerRow[]>(
      'SELECT status, attempt, avoid_providers, dlr_fallbacks, provider FROM sms_messages WHERE id = ?',
      [id],
    );

    return rows[0];
  };

  it('re-sends once through another provider on a transient receipt failure, and ends with that provider', async () => {
    const id = await pipeline.createMessage();
    const first = sid();
    await pipeline.sent(id, 'twilio', first);
    await pipeline.waitForStatus(id, 'sent');
    await pipeline.ingest.ingest('twilio', 'status', twilioReceipt(first, 'undelivered', { ErrorCode: '30003' }));
    const reopened = await pipeline.waitFor(
      async () => {
        const row = await ledgerRow(id);

        return row && Number(row.dlr_fallbacks) === 1 ? row : null;
      },
      20_000,
      'the fallback',
    );
    expect(reopened).toMatchObject({ status: 'sent', attempt: 2, avoid_providers: 'twilio' });

    await pipeline.intakeDs.query('UPDATE sms_messages SET next_retry_at = ? WHERE id = ?', [
      new Date(Date.now() - 1000),
      id,
    ]);
    expect(await scheduler().publishDueRetries()).toBeGreaterThanOrEqual(1);
    const routed = await pipeline.waitFor(
      async () => accepted.find((a) => a.messageId === id && a.attempt === 2),
      20_000,
      'the re-route',
    );
    expect(routed).toMatchObject({ attempt: 2, avoidProviders: ['twilio'] });

    // The router picked the next-best provider; send-worker's result and that provider's receipt follow.
    await pipeline.sent(id, 'fakeparts', 'beef', undefined, 2);
    await pipeline.waitFor(async () => (await ledgerRow(id))?.provider === 'fakeparts', 20_000, 'the re-send adopted');
    await pipeline.ingest.ingest('fakeparts', 'status', fakeReceipt([{ id: String(0xbeef), stat: 'DELIVRD' }]));
    const view = await pipeline.waitForStatus(id, 'delivered');
    expect(view.provider).toBe('fakeparts');
    expect(view.events.some((e) => e.status === 'undelivered' && e.detail?.includes('fallback'))).toBe(true);
  });

  it('falls back only once, and never on a permanent failure', async () => {
    const id = await pipeline.createMessage();
    const first = sid();
    await pipeline.sent(id, 'twilio', first);
    await pipeline.waitForStatus(id, 'sent');
    await pipeline.ingest.ingest('twilio', 'status', twilioReceipt(first, 'undelivered', { ErrorCode: '30003' }));
    await pipeline.waitFor(async () => Number((await ledgerRow(id))?.dlr_fallbacks) === 1, 20_000, 'the fallback');
    await pipeline.sent(id, 'fakeparts', 'dead', undefined, 2);
    await pipeline.waitFor(async () => (await ledgerRow(id))?.provider === 'fakeparts', 20_000, 'the re-send adopted');
    await pipeline.ingest.ingest(
      'fakeparts',
      'status',
      fakeReceipt([{ id: String(0xdead), stat: 'UNDELIV', err: 'T42' }]),
    );
    const ended = await pipeline.waitForStatus(id, 'undelivered');
    expect(ended.attempts).toBe(2);

    const permanent = await pipeline.createMessage();
    const other = sid();
    await pipeline.sent(permanent, 'twilio', other);
    await pipeline.waitForStatus(permanent, 'sent');
    await pipeline.ingest.ingest('twilio', 'status', twilioReceipt(other, 'undelivered', { ErrorCode: '30005' }));
    expect((await pipeline.waitForStatus(permanent, 'undelivered')).attempts).toBe(1);
  });
});

describe('fallback after a transient SMPP receipt error (docs/receipt-errors.md)', () => {
  // A parse-only SMPP adapter (it binds on its first send, which never comes): receipts reach dlr-ingest as
  // the stored deliver_sm records the adapter pushes from its binds.
  const smppAdapter = new SmppSmsProvider(parseSmppConfig({ SMPP_HOST: '127.0.0.1', SMPP_SYSTEM_ID: 'smppsim' }));

  beforeAll(() => {
    pipeline.registry.register('smpp', smppAdapter);
  });

  /** A deliver_sm receipt as the adapter stores it: the SMPP 3.4 text plus the receipted id and state TLVs. */
  const smppReceipt = (messageId: string, stat: string, state: number, err: string) => {
    const text = `id:${BigInt(`0x${messageId}`).toString(10)} sub:001 dlvrd:000 submit date:2612070900 done date:2612070901 stat:${stat} err:${err} text:`;
    const record = {
      v: 1,
      sequence_number: 7,
      source_addr: '447400123456',
      destination_addr: '447400900700',
      esm_class: 0x04,
      data_coding: 0,
      short_message: Buffer.from(text, 'ascii').toString('hex'),
      receipted_message_id: messageId.toUpperCase(),
      message_state: state,
      received_at: new Date().toISOString(),
    };

    return {
      url: 'smpp://127.0.0.1:2775/smppsim/status',
      method: 'SMPP',
      headers: { 'content-type': SMPP_WEBHOOK_CONTENT_TYPE },
      body: JSON.stringify(record),
      contentType: SMPP_WEBHOOK_CONTENT_TYPE,
    };
  };
  const fallbacksOf = async (id: string): Promise<{ dlr_fallbacks: number; avoid_providers: string | null }> => {
    const rows = await pipeline.intakeDs.query<{ dlr_fallbacks: number; avoid_providers: string | null }[]>(
      'SELECT dlr_fallbacks, avoid_providers FROM sms_messages WHERE id = ?',
      [id],
    );

    return rows[0] ?? { dlr_fallbacks: -1, avoid_providers: null };
  };

  it('re-opens the message for another provider on err:027 (absent subscriber), not on err:001', async () => {
    const transient = await pipeline.createMessage();
    await pipeline.sent(transient, 'smpp', '5a17');
    await pipeline.waitForStatus(transient, 'sent');
    await pipeline.ingest.ingest('smpp', 'status', smppReceipt('5a17', 'EXPIRED', 3, '027'));
    await pipeline.waitFor(
      async () => Number((await fallbacksOf(transient)).dlr_fallbacks) === 1,
      20_000,
      'the SMPP receipt fallback',
    );
    expect(await fallbacksOf(transient)).toMatchObject({ avoid_providers: 'smpp' });
    const reopened = await pipeline.message(transient);
    expect(reopened).toMatchObject({ status: 'sent', attempts: 2 });
    expect(reopened.events.some((e) => e.errorCode === 'err:027' && e.detail?.includes('fallback'))).toBe(true);

    const permanent = await pipeline.createMessage();
    await pipeline.sent(permanent, 'smpp', '5a18');
    await pipeline.waitForStatus(permanent, 'sent');
    await pipeline.ingest.ingest('smpp', 'status', smppReceipt('5a18', 'UNDELIV', 5, '001'));
    const ended = await pipeline.waitForStatus(permanent, 'undelivered');
    expect(ended).toMatchObject({ attempts: 1, errorCode: 'err:001' });
    expect(Number((await fallbacksOf(permanent)).dlr_fallbacks)).toBe(0);
  });
});

describe('replay', () => {
  it('re-runs the fixed parser over stored receipts, applies what changed, and is idempotent', async () => {
    pipeline.fake.parserVersion = 1;
    const id = await pipeline.createMessage();
    await pipeline.sent(id, 'fakeparts', 'cafe');
    await pipeline.waitForStatus(id, 'sent');
    const from = new Date(Date.now() - 1000);
    const stored = await pipeline.ingest.ingest(
      'fakeparts',
      'status',
      fakeReceipt([{ id: String(0xcafe), stat: 'DELIVRD' }]),
    );
    await pipeline.waitFor(
      async () => (await pipeline.message(id)).events.filter((e) => e.source === 'dlr').length === 1,
      20_000,
      'the misread receipt',
    );
    expect((await pipeline.message(id)).status).toBe('sent'); // the v1 bug: DELIVRD read as sent

    pipeline.fake.parserVersion = 2;
    const replayed = await pipeline.replay.replay({ provider: 'fakeparts', from, to: new Date(Date.now() + 1000) });
    expect(replayed.replayed).toBeGreaterThanOrEqual(1);
    const view = await pipeline.waitForStatus(id, 'delivered');
    const dlrEvents = view.events.filter((e) => e.source === 'dlr').length;

    await pipeline.replay.replay({ ids: [stored.id] });
    await pipeline.replay.replay({ ids: [stored.id] });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await pipeline.message(id)).events.filter((e) => e.source === 'dlr')).toHaveLength(dlrEvents);
  });
});

describe('callbacks to the caller', () => {
  let server: Server;
  let url: string;
  const received: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let failuresLeft = 2;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ path: request.url ?? '', headers: request.headers, body });
        if (request.url === '/redirect') {
          response.writeHead(302, { location: '/target' }).end();
        } else if (failuresLeft-- > 0) {
          response.writeHead(503).end();
        } else {
          response.writeHead(204).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs every status change signed, in order, retrying failures, and records each attempt', async () => {
    const id = await pipeline.createMessage({ callbackUrl: `https://caller.example/cb`, clientReference: 'order-42' });
    // The ledger row keeps the URL the caller gave; point it at the local receiver (SSRF checks are off here).
    await pipeline.intakeDs.query('UPDATE sms_messages SET callback_url = ? WHERE id = ?', [`${url}/status`, id]);
    const providerId = sid();
    await pipeline.sent(id, 'twilio', providerId);
    await pipeline.waitForStatus(id, 'sent');
    await pipeline.ingest.ingest('twilio', 'status', twilioReceipt(providerId, 'delivered'));
    await pipeline.waitForStatus(id, 'delivered');

    const rows = await pipeline.waitFor(
      async () => {
        const r: { state: string; attempts: number; seq: number; attempt_log: string }[] =
          await pipeline.processorDs.query(
            'SELECT state, attempts, seq, attempt_log FROM callback_deliveries WHERE message_id = ? ORDER BY seq',
            [id],
          );

        return r.length === 2 && r.every((row) => row.state === String(CallbackState.Delivered)) ? r : null;
      },
      30_000,
      'both callbacks delivered',
    );
    expect(rows[0]?.attempts).toBe(3); // 503, 503, then 204
    expect(JSON.parse(rows[0]?.attempt_log ?? '[]')).toEqual([
      expect.objectContaining({ outcome: 'failed', statusCode: 503 }),
      expect.objectContaining({ outcome: 'failed', statusCode: 503 }),
      expect.objectContaining({ outcome: 'delivered', statusCode: 204 }),
    ]);
    const successes = received.filter((r) => r.path === '/status');
    const bodies = successes.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    // In order per message: the delivered change never overtakes the pending sent change.
    const order = bodies.map((b) => b['status']);
    expect(order.lastIndexOf('sent')).toBeLessThan(order.indexOf('delivered'));
    expect(bodies.at(-1)).toEqual({
      id,
      status: 'delivered',
      previousStatus: 'sent',
      errorCode: null,
      errorMessage: null,
      at: expect.any(String),
      clientReference: 'order-42',
    });
    for (const request of successes) {
      const timestamp = request.headers['x-sms-gateway-timestamp'] as string;
      expect(request.headers['x-sms-gateway-signature']).toBe(
        createHmac('sha256', 'callback-secret').update(`${timestamp}.${request.body}`).digest('hex'),
      );
    }
  });

  it('does not follow a redirect', async () => {
    const id = await pipeline.createMessage({ callbackUrl: 'https://caller.example/cb' });
    await pipeline.intakeDs.query('UPDATE sms_messages SET callback_url = ? WHERE id = ?', [`${url}/redirect`, id]);
    await pipeline.sent(id, 'twilio', sid());
    const row = await pipeline.waitFor(
      async () => {
        const r: { attempts: number; last_error: string }[] = await pipeline.processorDs.query(
          'SELECT attempts, last_error FROM callback_deliveries WHERE message_id = ?',
          [id],
        );

        return r[0] && r[0].attempts >= 1 ? r[0] : null;
      },
      20_000,
      'a callback attempt',
    );
    expect(row.last_error).toBe('redirect not followed');
    expect(received.filter((r) => r.path === '/target')).toHaveLength(0);
  });

  it('refuses at dispatch a callback URL that is not https or not public, without retrying (SSRF)', async () => {
    await pipeline.dispatcher.stop();
    const strict = new CallbackDispatcher(
      pipeline.processorDs,
      new CallbackClient({
        secret: 's',
        allowInsecure: false,
        allowedPorts: [],
        resolver: () => Promise.resolve([{ address: '10.0.0.5', family: 4 }]),
      }),
      { retryWindowMs: 24 * 3_600_000, baseDelayMs: 10 },
    );
    const urls = [
      'http://caller.example/cb',
      'https://169.254.169.254/latest/meta-data',
      'https://[::ffff:127.0.0.1]/cb',
      'https://[::127.0.0.1]/cb',
      'https://caller.example:8443/cb',
      'https://rebinds-to-private.example/cb',
    ];
    const ids: string[] = [];
    for (const callbackUrl of urls) {
      const messageId = randomUUID();
      ids.push(messageId);
      await strict.enqueue({
        eventId: randomUUID(),
        messageId,
        accountId: DEFAULT_ACCOUNT_ID,
        status: MessageStatus.Sent,
        previousStatus: MessageStatus.Queued,
        callbackUrl,
        clientReference: null,
        errorCode: null,
        errorMessage: null,
        at: new Date().toISOString(),
      });
    }
    await strict.runOnce();
    const rows: { state: string; attempts: number }[] = await pipeline.processorDs.query(
      `SELECT state, attempts FROM callback_deliveries WHERE message_id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    expect(rows).toHaveLength(6);
    expect(rows.every((row) => row.state === String(CallbackState.Refused) && Number(row.attempts) === 1)).toBe(true);
  });
});
