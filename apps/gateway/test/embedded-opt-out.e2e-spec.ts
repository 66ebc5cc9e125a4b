import { GatewayClient, isFinalMessage } from '@sms/testing';
import { keyForAccount, startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';
import { inbound, simMessages, sleep, waitFor } from '@sms/testing-scenarios';

jest.setTimeout(60_000);

/** Router seed numbers (valid US longcodes), so replies from them pass intake's sender rules. */
const SENDER = '+12025550142';
const OTHER_SENDER = '+12025550143';
/** The STOP race's own sender (added by that case), so its booked slots delay no other case. */
const RACE_SENDER = '+12025550144';
/** A second account; the suite's own key belongs to the default account. */
const OTHER_ACCOUNT = '0c0b7d6e-5a6f-4b7e-8c9d-1e2f3a4b5c6d';
let nextRecipient = 100;
/** A fresh GB mobile per test, so entries never leak between cases. */
const recipient = () => `+4474001234${String(nextRecipient++).padStart(2, '0').slice(-2)}`;

describe('embedded gateway: opt-out', () => {
  let gateway: EmbeddedGateway;
  let client: GatewayClient;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway({ OPT_OUT_EXTRA_STOP_WORDS: 'ARRET' });
    client = new GatewayClient(gateway.url, gateway.auth);
    await liftSenderLimits();
  });

  /**
   * Every case primes its recipient and then waits for a confirmation, both from SENDER: at a long code's
   * 1 segment/s the confirmations queue behind the earlier cases' messages on the sender's schedule, and on a
   * fast run that queue outgrows the wait. This suite is about opt-outs, not carrier limits.
   */
  const liftSenderLimits = async () => {
    for (const number of [SENDER, OTHER_SENDER]) {
      await limitSender(number, 100);
    }
  };
  const limitSender = async (number: string, segmentsPerSecond: number) => {
    const set = await client.raw(
      'PATCH',
      `/v1/numbers/${encodeURIComponent(number)}`,
      JSON.stringify({ segmentsPerSecond }),
      { 'content-type': 'application/json' },
    );
    expect(set.status).toBe(200);
  };

  afterAll(async () => {
    await gateway?.close();
  });

  beforeEach(async () => {
    await client.raw('POST', '/sim/reset');
    await knobs({ dlrDelayMs: 10 });
  });

  const knobs = (value: object) =>
    client.raw('PUT', '/sim/knobs/twilio', JSON.stringify(value), { 'content-type': 'application/json' });
  const mo = (from: string, body: string, to = SENDER) => inbound(client, gateway.url, from, to, body);
  const send = (to: string, from?: string) =>
    client.post('/v1/messages', { to, body: 'hello', ...(from ? { from } : {}) });
  const entries = async (number: string) =>
    (await client.get(`/v1/opt-outs?number=${encodeURIComponent(number)}`)).body.data;
  const refusedWithin = async (to: string, from?: string, timeoutMs = 1000) => {
    const started = Date.now();
    await waitFor('the opt-out to reach intake', async () => (await send(to, from)).status === 422, timeoutMs);

    return Date.now() - started;
  };
  /** What the gateway itself sent to `to` (confirmations, help), not the test's own 'hello' messages. */
  const repliesTo = async (to: string) => (await simMessages(client)).filter((m) => m.to === to && m.body !== 'hello');
  /**
   * The suite's account messages `to` from `from` first, so a STOP texted back to `from` answers that
   * account (pool numbers are shared: the opt-out service attributes a STOP to the latest account that
   * messaged the recipient from the number texted).
   */
  const primed = async (to: string, from = SENDER) => {
    const accepted = await send(to, from);
    expect(accepted.status).toBe(202);
    await client.waitForMessage(accepted.body['id'], isFinalMessage);
  };

  describe('keyword matrix', () => {
    it.each([
      'STOP',
      'stop',
      '  Stop ',
      'unsubscribe',
      'Cancel',
      'END',
      'quit',
      'revoke',
      'OptOut',
      'opt-out',
      'arret',
    ])(
      '%j opts the recipient out of every sender of the account, within a second, with one confirmation',
      async (body) => {
        const number = recipient();
        await primed(number);
        await mo(number, body);
        expect(await refusedWithin(number, SENDER)).toBeLessThan(1000);
        const refusal = await send(number, SENDER);
        expect(refusal.body).toMatchObject({ error: { code: 'RECIPIENT_OPTED_OUT', field: 'to' } });
        expect(await entries(number)).toEqual([
          expect.objectContaining({ number, scope: 'account', sender: null, everyAccount: false, source: 'keyword' }),
        ]);
        // Account scope (the default): the account's other senders are refused too.
        expect((await send(number, OTHER_SENDER)).body).toMatchObject({ error: { code: 'RECIPIENT_OPTED_OUT' } });
        const confirmation = await waitFor('the confirmation', async () =>
          (await repliesTo(number)).find((m) => m.from === SENDER),
        );
        expect(confirmation.body).toBe(
          'You will receive no more messages from this service. Reply START to resubscribe.',
        );
      },
    );

    it.each(['stop please', 'please STOP', 'S T O P', 'stopp', 'STOP ALL'])(
      '%j is conversation, not a keyword',
      async (body) => {
        const number = recipient();
        await mo(number, body);
        await sleep(300);
        expect(await entries(number)).toEqual([]);
        expect((await send(number, SENDER)).status).toBe(202);
      },
    );

    it('STOPALL is account-wide whatever the scope setting', async () => {
      const number = recipient();
      await mo(number, ' stopall ');
      await refusedWithin(number, OTHER_SENDER);
      expect((await send(number)).body).toMatchObject({ error: { code: 'RECIPIENT_OPTED_OUT' } });
      expect(await entries(number)).toEqual([expect.objectContaining({ scope: 'account', sender: null })]);
    });

    it('a repeated STOP changes nothing and is confirmed once', async () => {
      const number = recipient();
      await mo(number, 'STOP');
      await refusedWithin(number, SENDER);
      await waitFor('the confirmation', async () => (await repliesTo(number)).length === 1);
      await mo(number, 'stop');
      await sleep(400);
      expect(await repliesTo(number)).toHaveLength(1);
      const history = (await client.get(`/v1/opt-outs/${encodeURIComponent(number)}/history`)).body;
      expect(history.data).toHaveLength(1);
    });

    it('START, UNSTOP and YES re-subscribe, with a confirmation; the audit keeps both changes', async () => {
      for (const word of ['START', 'unstop', 'Yes']) {
        const number = recipient();
        await mo(number, 'STOP');
        await refusedWithin(number, SENDER);
        await mo(number, word);
        await waitFor('the re-subscription', async () => (await send(number, SENDER)).status === 202, 1000);
        expect(await entries(number)).toEqual([]);
        await waitFor('two confirmations', async () => (await repliesTo(number)).length === 2);
        expect((await repliesTo(number)).map((m) => m.body).join('|')).toContain('resubscribed');
        const history = (await client.get(`/v1/opt-outs/${encodeURIComponent(number)}/history`)).body.data;
        expect(history.map((h) => [h.action, h.source])).toEqual([
          ['opt_out', 'keyword'],
          ['opt_in', 'keyword'],
        ]);
        expect(history.every((h) => typeof h.at === 'string')).toBe(true);
      }
    });

    it('HELP and INFO get the help reply and change nothing', async () => {
      const number = recipient();
      await mo(number, 'help');
      await mo(number, 'INFO');
      const replies = await waitFor('two help replies', async () => {
        const found = await repliesTo(number);

        return found.length === 2 ? found : null;
      });
      expect(replies.every((m) => m.body.includes('Reply STOP') && m.from === SENDER)).toBe(true);
      expect(await entries(number)).toEqual([]);
    });

    it('HELP is answered even after a STOP, and the opt-out stays', async () => {
      const number = recipient();
      await mo(number, 'STOPALL');
      await refusedWithin(number, SENDER);
      await mo(number, 'HELP');
      await waitFor('the help reply', async () => (await repliesTo(number)).some((m) => m.body.includes('Reply STOP')));
      expect((await send(number, SENDER)).status).toBe(422);
      expect(await entries(number)).toHaveLength(1);
    });
  });

  it('a STOP racing 100 queued messages: nothing reaches the provider after it, the rest end failed', async () => {
    const number = recipient();
    // A sender of its own, limited to 20 segments/s, paces the queue: 100 messages take ~5 s, so the STOP
    // lands while most are still waiting for their slot, however fast the rest of the pipeline is. Its slots
    // stay booked after the STOP; being this case's alone, no later case's messages queue behind them.
    const created = await client.post('/v1/numbers', {
      number: RACE_SENDER,
      provider: 'twilio',
      country: 'US',
      type: 'longcode',
      segmentsPerSecond: 20,
    });
    expect(created.status).toBe(201);
    await knobs({ latencyMs: 15, dlrDelayMs: 10 });
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const accepted = await send(number, RACE_SENDER);
      expect(accepted.status).toBe(202);
      ids.push(accepted.body['id']);
    }
    const hellos = async () => (await simMessages(client)).filter((m) => m.to === number && m.body === 'hello');
    await waitFor('the first sends', async () => (await hellos()).length >= 5);
    await mo(number, 'STOP', RACE_SENDER);
    await refusedWithin(number, RACE_SENDER);
    const effectiveAt = Date.now();
    const finals = await Promise.all(ids.map((id) => client.waitForMessage(id, isFinalMessage, 30_000)));
    const failed = finals.filter((m) => m.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.map((m) => m.errorCode)).toEqual(failed.map(() => 'RECIPIENT_OPTED_OUT'));
    expect(finals.filter((m) => m.status !== 'failed').every((m) => m.status === 'delivered')).toBe(true);
    const reached = await hellos();
    expect(reached).toHaveLength(100 - failed.length);
    // The send-worker checks right before the call; only the one call already past that check when the
    // STOP landed may reach the simulator a moment after it (an in-process HTTP hop, well under 100 ms).
    const late = reached.filter((m) => Date.parse(m.createdAt) > effectiveAt + 100);
    expect(late).toEqual([]);
  });

  it('records a provider-reported opt-out and enforces it for every later send', async () => {
    const number = recipient();
    await knobs({ errorRate: { optedOut: 1 } });
    const accepted = await send(number, SENDER);
    const message = await client.waitForMessage(accepted.body['id'], isFinalMessage);
    expect(message).toMatchObject({ status: 'undelivered', errorCode: '21610' });
    await waitFor('the provider opt-out', async () => (await entries(number)).length === 1);
    // The message's account, every sender (the account's scope).
    expect(await entries(number)).toEqual([
      expect.objectContaining({ scope: 'account', sender: null, everyAccount: false, source: 'provider' }),
    ]);
    expect((await send(number, OTHER_SENDER)).body).toMatchObject({ error: { code: 'RECIPIENT_OPTED_OUT' } });
    expect((await send(number, SENDER)).body).toMatchObject({ error: { code: 'RECIPIENT_OPTED_OUT' } });
  });

  describe('accounts', () => {
    it('a STOP refuses sends from two senders of the account, and another account can still send', async () => {
      const number = recipient();
      const other = new GatewayClient(gateway.url, await keyForAccount(gateway, OTHER_ACCOUNT));
      await primed(number);
      await mo(number, 'STOP');
      await refusedWithin(number, SENDER);
      for (const from of [SENDER, OTHER_SENDER]) {
        const refused = await send(number, from);
        expect(refused.status).toBe(422);
        expect(refused.body).toMatchObject({ error: { code: 'RECIPIENT_OPTED_OUT', field: 'to' } });
      }
      const accepted = await other.post('/v1/messages', { to: number, from: OTHER_SENDER, body: 'hello' });
      expect(accepted.status).toBe(202);
    });

    it("/v1/opt-outs shows, finds and removes only the caller's account's entries", async () => {
      const number = recipient();
      const other = new GatewayClient(gateway.url, await keyForAccount(gateway, OTHER_ACCOUNT));
      expect((await client.post('/v1/opt-outs', { number, reason: 'ours' })).status).toBe(201);
      const path = `/v1/opt-outs/${encodeURIComponent(number)}` as const;
      expect((await other.get(`/v1/opt-outs?number=${encodeURIComponent(number)}`)).body.data).toEqual([]);
      expect((await other.get(`${path}/history`)).body.data).toEqual([]);
      expect((await other.get('/v1/opt-outs')).body.data.some((e) => e.number === number)).toBe(false);
      expect((await other.raw('DELETE', path)).status).toBe(404);
      expect(await entries(number)).toEqual([expect.objectContaining({ reason: 'ours' })]);
      // The other account's own entry does not touch ours, and ours does not block it.
      expect((await other.post('/v1/opt-outs', { number, reason: 'theirs' })).status).toBe(201);
      expect((await other.raw('DELETE', path)).status).toBe(204);
      expect(await entries(number)).toEqual([expect.objectContaining({ reason: 'ours' })]);
      expect((await other.post('/v1/messages', { to: number, from: SENDER, body: 'hello' })).status).toBe(202);
    });

    it('the per-sender setting blocks only the number texted, and the confirmation says so', async () => {
      const put = (body: object) =>
        client.raw('PUT', '/v1/opt-outs/settings', JSON.stringify(body), { 'content-type': 'application/json' });
      expect((await put({ scope: 'sender', displayName: 'Acme' })).body).toMatchObject({
        scope: 'sender',
        displayName: 'Acme',
      });
      try {
        const number = recipient();
        await primed(number);
        await mo(number, 'STOP');
        await refusedWithin(number, SENDER);
        expect(await entries(number)).toEqual([expect.objectContaining({ scope: 'sender', sender: SENDER })]);
        expect((await send(number, OTHER_SENDER)).status).toBe(202);
        const confirmation = await waitFor('the confirmation', async () =>
          (await repliesTo(number)).find((m) => m.from === SENDER),
        );
        expect(confirmation.body).toContain('no more messages from this number of Acme');
      } finally {
        expect((await put({ scope: null, displayName: null })).body).toMatchObject({
          scope: 'account',
          displayName: null,
        });
      }
      expect((await put({ scope: 'everyone' })).body).toMatchObject({
        error: { code: 'INVALID_OPT_OUT_SCOPE', field: 'scope' },
      });
      expect((await put({ stopReply: 'x'.repeat(321) })).body).toMatchObject({
        error: { code: 'INVALID_REPLY_TEXT', field: 'stopReply' },
      });
    });

    it('a STOP no account messaged the recipient from blocks every account, and START undoes it', async () => {
      const number = recipient();
      const other = new GatewayClient(gateway.url, await keyForAccount(gateway, OTHER_ACCOUNT));
      await mo(number, 'STOP');
      // The entry first: a probe send accepted before the STOP is handled would itself tell opt-out which
      // account messaged the recipient, and the STOP would then rightly reach that account only.
      await waitFor(
        'the every-account entry',
        async () => (await entries(number)).some((entry) => entry['everyAccount'] === true),
        10_000,
      );
      await refusedWithin(number, SENDER);
      expect((await other.post('/v1/messages', { to: number, from: OTHER_SENDER, body: 'hello' })).status).toBe(422);
      expect(await entries(number)).toEqual([expect.objectContaining({ everyAccount: true, source: 'keyword' })]);
      await mo(number, 'START');
      await waitFor('the re-subscription', async () => (await send(number, SENDER)).status === 202, 1000);
    });
  });

  describe('/v1/opt-outs', () => {
    it('adds, lists and removes entries, per sender or account-wide', async () => {
      const number = recipient();
      const created = await client.post('/v1/opt-outs', { number, sender: SENDER, reason: 'asked by phone' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        number,
        scope: 'sender',
        sender: SENDER,
        reason: 'asked by phone',
        source: 'api',
      });
      expect((await client.post('/v1/opt-outs', { number })).body).toMatchObject({ scope: 'account', sender: null });
      expect(await entries(number)).toHaveLength(2);
      await refusedWithin(number);

      const del = (query: string) => client.delete(`/v1/opt-outs/${encodeURIComponent(number)}${query}`);
      expect((await del(`?sender=${encodeURIComponent(SENDER)}`)).status).toBe(204);
      expect((await del(`?sender=${encodeURIComponent(SENDER)}`)).status).toBe(404);
      expect(await entries(number)).toEqual([expect.objectContaining({ scope: 'account' })]);
      expect((await del('')).status).toBe(204);
      await waitFor('the re-subscription', async () => (await send(number, SENDER)).status === 202, 1000);
      expect(await entries(number)).toEqual([]);
    });

    it('refuses bad input with stable codes', async () => {
      expect((await client.post('/v1/opt-outs', { number: '123' })).body).toMatchObject({
        error: { code: 'INVALID_PHONE_NUMBER', field: 'number' },
      });
      expect((await client.post('/v1/opt-outs', { number: '+447400123456', sender: '!!' })).body).toMatchObject({
        error: { code: 'INVALID_SENDER', field: 'sender' },
      });
      expect((await client.rawPost('/v1/opt-outs', { number: '+447400123456', colour: 'red' })).body).toMatchObject({
        error: { code: 'UNKNOWN_FIELD', field: 'colour' },
      });
      expect((await client.get('/v1/opt-outs?number=abc')).status).toBe(422);
      expect((await client.delete('/v1/opt-outs/abc')).status).toBe(422);
    });

    it('is in the OpenAPI document', async () => {
      const openapi = await client.rawGet<{ paths: Record<string, unknown> }>('/openapi.json');
      expect(Object.keys(openapi.body.paths)).toEqual(
        expect.arrayContaining([
          '/v1/opt-outs',
          '/v1/opt-outs/settings',
          '/v1/opt-outs/{number}',
          '/v1/opt-outs/{number}/history',
        ]),
      );
    });
  });

  it('keeps enforcing opt-outs after a restart (the ledger is republished to the replicas)', async () => {
    const number = recipient();
    await client.post('/v1/opt-outs', { number, sender: SENDER });
    await refusedWithin(number, SENDER);
    await gateway.close({ keepData: true });
    gateway = await startEmbeddedGateway({ OPT_OUT_EXTRA_STOP_WORDS: 'ARRET' }, gateway.dataDir);
    client = new GatewayClient(gateway.url, gateway.auth);
    expect(await refusedWithin(number, SENDER, 3000)).toBeLessThan(3000);
  });
});
