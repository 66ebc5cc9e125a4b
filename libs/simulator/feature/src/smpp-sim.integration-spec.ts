import { DeliveryStatus, ErrorClass, ProviderError, type RawWebhook } from '@sms/provider-port';
import { parseSmppConfig, SmppSmsProvider } from '@sms/provider-smpp';
import { SimulatorState } from './simulator.state';
import { SmppSimServer } from './smpp-sim.server';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { generateSimulatorAccounts, httpApiAccounts } from './simulator.accounts';
import { simulatorPlugin } from './simulator.plugin';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined } as unknown as FastifyBaseLogger;

interface Harness {
  readonly state: SimulatorState;
  readonly smsc: SmppSimServer;
  readonly provider: SmppSmsProvider;
  readonly pushed: { kind: string; webhook: RawWebhook }[];
}

const until = async (condition: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

async function start(env: Record<string, string> = {}, password = 'simpass'): Promise<Harness> {
  const state = new SimulatorState(7);
  const smsc = new SmppSimServer({ state, log: quiet, systemId: 'smppsim', password: 'simpass' });
  const port = await smsc.listen(0);
  const provider = new SmppSmsProvider(
    parseSmppConfig({
      SMPP_HOST: '127.0.0.1',
      SMPP_PORT: String(port),
      SMPP_SYSTEM_ID: 'smppsim',
      SMPP_PASSWORD: password,
      SMPP_BINDS: '2',
      SMPP_WINDOW: '10',
      SMPP_RECONNECT_BASE_MS: '50',
      SMPP_RECONNECT_MAX_MS: '200',
      SMPP_ACQUIRE_TIMEOUT_MS: '2000',
      ...env,
    }),
  );
  const pushed: Harness['pushed'] = [];
  provider.attachWebhookSink(async (kind, webhook) => {
    pushed.push({ kind, webhook });
  });
  state.setKnobs('smpp', { ...state.knobs('smpp'), dlrDelayMs: 20 });

  return { state, smsc, provider, pushed };
}

const request = (body: string, to = '+46701234567') => ({
  messageId: '0191e0a0-0000-7000-8000-000000000001',
  to,
  from: '+46701740605',
  body,
  encoding: 'GSM-7' as const,
  segments: 1,
});

describe('SMPP adapter against the simulated SMSC', () => {
  let h: Harness;

  afterEach(async () => {
    await h.provider.close();
    await h.smsc.close();
  });

  it('looks a message up with query_sm: ENROUTE, then its final state; a foreign id is not found', async () => {
    h = await start();
    h.state.setKnobs('smpp', { ...h.state.knobs('smpp'), dlrDelayMs: 300 });
    const sent = await h.provider.send(request('Your code is 123456'));
    const lookup = (providerMessageId: string | null) =>
      h.provider.lookup({ ...request(''), providerMessageId, notBefore: new Date(), notAfter: new Date() });

    const early = await lookup(sent.providerMessageId);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const late = await lookup(sent.providerMessageId);

    expect(early).toMatchObject({ outcome: 'found', status: DeliveryStatus.Sent, providerStatus: 'ENROUTE' });
    expect(late).toEqual({
      outcome: 'found',
      providerMessageId: sent.providerMessageId,
      status: DeliveryStatus.Delivered,
      providerStatus: 'DELIVERED',
    });
    expect(await lookup('7fffffffff')).toEqual({ outcome: 'not_found' });
    // SMPP has no search: without the SMSC's id the answer is unknown, never not_found.
    expect((await lookup(null)).outcome).toBe('unknown');
  });

  it('binds lazily, submits, and matches every receipt to the submit id', async () => {
    h = await start();
    expect(h.smsc.boundSessions).toBe(0);
    const result = await h.provider.send(request('Your code is 123456'));
    expect(result.status).toBe(DeliveryStatus.Sent);
    expect(result.providerMessageId).toMatch(/^[0-9a-f]+$/);
    expect(h.smsc.boundSessions).toBe(2);
    await until(() => h.pushed.length === 1);
    const [pushed] = h.pushed;
    expect(pushed?.kind).toBe('status');
    expect(h.provider.verifyWebhook(pushed!.webhook)).toBe(true);
    const reports = h.provider.parseDeliveryReports(pushed!.webhook);
    expect(reports).toEqual([
      expect.objectContaining({ providerMessageId: result.providerMessageId, status: DeliveryStatus.Delivered }),
    ]);
    // The same record posted over HTTP is not trusted: only the bind authenticates it.
    expect(h.provider.verifyWebhook({ ...pushed!.webhook, method: 'POST', url: 'http://x/webhooks/smpp/status' })).toBe(
      false,
    );
  });

  it('splits a long message into UDH parts sharing a reference; each part gets its receipt under its own id', async () => {
    h = await start();
    const result = await h.provider.send(request('x'.repeat(400)));
    expect(result.partIds).toHaveLength(3);
    expect(result.providerMessageId).toBe(result.partIds?.[0]);
    const concat = h.smsc.snapshot().messages.map((m) => m.concat);
    const refs = new Set(concat.map((c) => c?.split('/')[0]));
    expect(refs.size).toBe(1);
    expect(concat.map((c) => c?.split('/').slice(1).join('/')).sort()).toEqual(['3/1', '3/2', '3/3']);
    await until(() => h.pushed.length === 3);
    const ids = h.pushed.flatMap((p) => h.provider.parseDeliveryReports(p.webhook)).map((r) => r.providerMessageId);
    // dlr-processor learns every part id from partIds (part 1's is the message's id) and rolls them up.
    expect([...ids].sort()).toEqual([...(result.partIds ?? [])].sort());
    expect(result.partIds?.[0]).toBe(result.providerMessageId);
  });

  it('sends UCS-2 on data_coding 8', async () => {
    h = await start();
    await h.provider.send(request('Привет мир'));
    expect(h.smsc.snapshot().messages[0]?.dataCoding).toBe(8);
  });

  it('keeps at most `window` submits outstanding per bind', async () => {
    h = await start({ SMPP_BINDS: '1', SMPP_WINDOW: '3' });
    h.state.setKnobs('smpp', { ...h.state.knobs('smpp'), latencyMs: 100 });
    await h.provider.send(request('warm-up'));
    const sends = Array.from({ length: 9 }, (_, i) => h.provider.send(request(`n${i}`)));
    await until(() => h.smsc.submits >= 2);
    let maxSeen = 0;
    const sampler = setInterval(() => {
      maxSeen = Math.max(maxSeen, h.provider.pool.binds[0]?.inFlight ?? 0);
    }, 5);
    await Promise.all(sends);
    clearInterval(sampler);
    expect(maxSeen).toBeLessThanOrEqual(3);
    expect(maxSeen).toBeGreaterThanOrEqual(2);
  });

  it('classifies injected command_status by class', async () => {
    h = await start();
    const fail = async (errorRate: object): Promise<ProviderError> => {
      h.state.setKnobs('smpp', {
        ...h.state.knobs('smpp'),
        errorRate: { transient: 0, permanent: 0, optedOut: 0, configuration: 0, ...errorRate },
      });
      const error = await h.provider.send(request('x')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);

      return error as ProviderError;
    };
    expect((await fail({ permanent: 1 })).errorClass).toBe(ErrorClass.Permanent);
    expect((await fail({ configuration: 1 })).code).toBe('0x0000000a');
    expect((await fail({ configuration: 1 })).errorClass).toBe(ErrorClass.Configuration);
    expect((await fail({ transient: 1 })).errorClass).toBe(ErrorClass.Transient);
  });

  it('backs a bind off after ESME_RTHROTTLED and classifies it transient', async () => {
    h = await start({ SMPP_BINDS: '1', SMPP_THROTTLE_BACKOFF_MS: '300', SMPP_ACQUIRE_TIMEOUT_MS: '1000' });
    h.state.setKnobs('smpp', { ...h.state.knobs('smpp'), throttleRatePerSecond: 1 });
    await h.provider.send(request('first'));
    const throttled = (await h.provider.send(request('second')).catch((e: unknown) => e)) as ProviderError;
    expect(throttled.errorClass).toBe(ErrorClass.Transient);
    expect(throttled.code).toBe('0x00000058');
    expect(h.provider.pool.binds[0]?.isThrottled).toBe(true);
    const submitsBefore = h.smsc.submits;
    // The next send waits for the bind to rest instead of hammering the SMSC, then goes through.
    h.state.setKnobs('smpp', { ...h.state.knobs('smpp'), throttleRatePerSecond: null });
    const started = Date.now();
    await h.provider.send(request('third'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(h.smsc.submits).toBe(submitsBefore + 1);
  });

  it('reports a submit without answer as ambiguous', async () => {
    h = await start({ SMPP_RESPONSE_TIMEOUT_MS: '200' });
    h.state.setKnobs('smpp', { ...h.state.knobs('smpp'), timeoutAfterAcceptRate: 1 });
    const error = (await h.provider.send(request('x')).catch((e: unknown) => e)) as ProviderError;
    expect(error).toMatchObject({ errorClass: ErrorClass.Transient, code: 'SMPP_TIMEOUT', ambiguous: true });
  });

  it('drops a bind whose enquire_link goes unanswered and reconnects', async () => {
    h = await start({ SMPP_BINDS: '1', SMPP_ENQUIRE_LINK_MS: '100', SMPP_ENQUIRE_LINK_TIMEOUT_MS: '100' });
    await h.provider.send(request('x'));
    const bind = h.provider.pool.binds[0]!;
    h.smsc.silent = true;
    await until(() => bind.state !== 'bound');
    h.smsc.silent = false;
    await until(() => bind.state === 'bound');
    await expect(h.provider.send(request('after reconnect'))).resolves.toMatchObject({ status: 'sent' });
  });

  it('reconnects after the SMSC drops the connection', async () => {
    h = await start({ SMPP_BINDS: '1' });
    await h.provider.send(request('x'));
    h.smsc.dropConnections();
    await until(() => h.provider.pool.binds[0]?.state !== 'bound');
    await expect(h.provider.send(request('y'))).resolves.toMatchObject({ status: 'sent' });
  });

  it('rebinds after ESME_RINVBNDSTS, which is transient', async () => {
    h = await start({ SMPP_BINDS: '1' });
    await h.provider.send(request('x'));
    h.smsc.forgetBinds();
    const error = (await h.provider.send(request('y')).catch((e: unknown) => e)) as ProviderError;
    expect(error).toMatchObject({ errorClass: ErrorClass.Transient, code: '0x00000004', ambiguous: false });
    await until(() => h.smsc.boundSessions === 1);
    await expect(h.provider.send(request('z'))).resolves.toMatchObject({ status: 'sent' });
  });

  it('reports a refused bind as a configuration error', async () => {
    h = await start({ SMPP_ACQUIRE_TIMEOUT_MS: '300' }, 'wrong');
    const error = (await h.provider.send(request('x')).catch((e: unknown) => e)) as ProviderError;
    expect(error).toMatchObject({ errorClass: ErrorClass.Configuration, code: '0x0000000e' });
  });

  it('splits sending and receiving: a send-only process binds as transmitter, receipts reach the receiving one', async () => {
    h = await start();
    const receiver = h.provider;
    receiver.startReceiving();
    await until(() => h.smsc.boundSessions === 2);
    const sender = new SmppSmsProvider(
      parseSmppConfig({
        SMPP_HOST: '127.0.0.1',
        SMPP_PORT: String(h.smsc.port),
        SMPP_SYSTEM_ID: 'smppsim',
        SMPP_PASSWORD: 'simpass',
      }),
    );
    try {
      const result = await sender.send(request('split roles'));
      expect(h.smsc.snapshot().binds.sort()).toEqual(['transceiver', 'transceiver', 'transmitter', 'transmitter']);
      await until(() => h.pushed.length === 1);
      expect(receiver.parseDeliveryReports(h.pushed[0]!.webhook)[0]?.providerMessageId).toBe(result.providerMessageId);
    } finally {
      await sender.close();
    }
  });

  it("reports each part under its own id at a receiver that did not send: exactly the send result's partIds", async () => {
    h = await start({}, 'simpass');
    h.state.setKnobs('smpp', { ...h.state.knobs('smpp'), dlrDelayMs: 200 });
    const config = (extra: Record<string, string> = {}) =>
      parseSmppConfig({
        SMPP_HOST: '127.0.0.1',
        SMPP_PORT: String(h.smsc.port),
        SMPP_SYSTEM_ID: 'smppsim',
        SMPP_PASSWORD: 'simpass',
        ...extra,
      });
    const receiver = new SmppSmsProvider(config());
    const sender = new SmppSmsProvider(config());
    const pushed: RawWebhook[] = [];
    receiver.attachWebhookSink(async (_kind, webhook) => void pushed.push(webhook));
    receiver.startReceiving();
    try {
      await until(() => receiver.pool.boundCount === 2);
      const result = await sender.send(request('z'.repeat(320)));
      expect(result.partIds).toHaveLength(3);
      await until(() => pushed.length === 3);
      const ids = pushed.flatMap((webhook) => receiver.parseDeliveryReports(webhook)).map((r) => r.providerMessageId);
      // dlr-processor learns every part id from the sent event's partIds and rolls the parts up.
      expect([...ids].sort()).toEqual([...(result.partIds ?? [])].sort());
      expect(result.partIds?.[0]).toBe(result.providerMessageId);
    } finally {
      await sender.close();
      await receiver.close();
    }
  });

  it('asks for redelivery (ESME_RX_T_APPN) when a receipt cannot be stored, and gets it again', async () => {
    h = await start();
    let refusals = 1;
    h.provider.attachWebhookSink(async (kind, webhook) => {
      if (refusals-- > 0) {
        throw new Error('database down');
      }
      h.pushed.push({ kind, webhook });
    });
    const result = await h.provider.send(request('retry me'));
    await until(() => h.pushed.length === 1, 5_000);
    expect(h.provider.parseDeliveryReports(h.pushed[0]!.webhook)[0]?.providerMessageId).toBe(result.providerMessageId);
  });

  it('pushes MO, reassembling a concatenated one', async () => {
    h = await start();
    h.provider.connect();
    await until(() => h.smsc.boundSessions === 2);
    expect(h.smsc.deliverMo('+46709999999', '+46701740605', 'STOP')).toBe(true);
    const long = 'Lorem ipsum dolor sit amet. '.repeat(12);
    expect(h.smsc.deliverMo('+46709999998', '+46701740605', long)).toBe(true);
    await until(() => h.pushed.length === 2);
    const inbound = h.pushed.map((p) => h.provider.parseInbound(p.webhook));
    expect(inbound).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ from: '+46709999999', to: '+46701740605', body: 'STOP' }),
        expect.objectContaining({ from: '+46709999998', body: long }),
      ]),
    );
  });
});

describe('simulator plugin: the SMPP SMSC and its HTTP routes', () => {
  it('starts the SMSC on a free port, takes knobs, and pushes MO only when an ESME is bound', async () => {
    let smscPort = 0;
    const app = Fastify();
    await app.register(simulatorPlugin, {
      ...httpApiAccounts(generateSimulatorAccounts()),
      prefix: '/sim',
      publicBaseUrl: 'http://127.0.0.1',
      controlAuth: () => 'allowed',
      webhookBaseUrl: 'http://127.0.0.1',
      smpp: { port: 0, systemId: 'smppsim', password: 'simpass', onListening: (port) => (smscPort = port) },
    });
    const provider = new SmppSmsProvider(
      parseSmppConfig({
        SMPP_HOST: '127.0.0.1',
        SMPP_PORT: String(smscPort),
        SMPP_SYSTEM_ID: 'smppsim',
        SMPP_PASSWORD: 'simpass',
      }),
    );
    try {
      expect(smscPort).toBeGreaterThan(0);
      const knobs = await app.inject({ method: 'PUT', url: '/sim/knobs/smpp', payload: { dlrDelayMs: 5 } });
      expect(knobs.json()).toMatchObject({ dlrDelayMs: 5 });
      const bad = await app.inject({ method: 'POST', url: '/sim/smpp/inbound', payload: { from: '+1' } });
      expect(bad.statusCode).toBe(400);
      const unbound = { from: '+46709999999', to: '+46701740605', body: 'hi' };
      expect((await app.inject({ method: 'POST', url: '/sim/smpp/inbound', payload: unbound })).statusCode).toBe(409);
      const pushed: RawWebhook[] = [];
      provider.attachWebhookSink(async (_kind, webhook) => {
        pushed.push(webhook);
      });
      provider.startReceiving();
      await until(() => pushed.length === 0 && provider.pool.boundCount === 2);
      expect((await app.inject({ method: 'POST', url: '/sim/smpp/inbound', payload: unbound })).statusCode).toBe(202);
      await until(() => pushed.length === 1);
      expect(provider.parseInbound(pushed[0]!)).toMatchObject({ body: 'hi', from: '+46709999999' });
      await provider.send(request('via plugin'));
      const messages = await app.inject({ method: 'GET', url: '/sim/smpp/messages' });
      expect(messages.json()).toMatchObject({ binds: ['transceiver', 'transceiver'], submits: 1 });
    } finally {
      await provider.close();
      await app.close();
    }
  });
});
