import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { TARGET_REFUSED } from './simulator.callbacks';
import { generateSimulatorAccounts, httpApiAccounts } from './simulator.accounts';
import { simulatorPlugin } from './simulator.plugin';
import { generateSimulatorToken, type SimulatorControlAuth, tokenControlAuth, webhookTargetPolicy } from './sim-access';
import type { TwilioSimMessage } from './twilio-sim.store';

const TOKEN = generateSimulatorToken();
const ACCOUNTS = generateSimulatorAccounts();

/** The simulator at /sim plus a gateway-side webhook route that counts what reaches it. */
async function setup(controlAuth: SimulatorControlAuth = tokenControlAuth(TOKEN)) {
  const app = Fastify({ logger: false });
  let base = '';
  await app.register(simulatorPlugin, {
    ...httpApiAccounts(ACCOUNTS),
    prefix: '/sim',
    publicBaseUrl: 'http://127.0.0.1',
    controlAuth,
    webhookBaseUrl: () => base,
    callbackRetryDelayMs: 10,
  });
  const hits: string[] = [];
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  app.post('/webhooks/twilio/:kind', async (request, reply) => {
    hits.push(request.url);

    return reply.code(204).send();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  return { app, base, hits };
}

/** Somewhere else the simulator must never call: counts every request. */
async function foreignServer(): Promise<{ app: FastifyInstance; url: string; hits: () => number }> {
  const app = Fastify({ logger: false });
  let count = 0;
  app.all('/*', async (_request, reply) => {
    count += 1;

    return reply.code(204).send();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });

  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, hits: () => count };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

describe('simulator control routes', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;

  beforeAll(async () => {
    ctx = await setup();
  });

  afterAll(async () => {
    await ctx.app.close();
  });

  it.each([
    ['GET', '/sim/twilio/messages'],
    ['GET', '/sim/knobs'],
    ['PUT', '/sim/knobs/twilio'],
    ['POST', '/sim/reset'],
    ['POST', '/sim/twilio/inbound'],
    ['POST', '/sim/vonage/inbound'],
    ['POST', '/sim/sinch/inbound'],
    ['POST', '/sim/aws/inbound'],
    ['PUT', '/sim/aws/subscriptions'],
  ])('%s %s answers 401 without a credential and with a wrong one', async (method, path) => {
    const body =
      method === 'GET' ? undefined : JSON.stringify({ from: '+15550001111', to: '+15550002222', body: 'STOP' });
    const none = await fetch(`${ctx.base}${path}`, { method, headers: { 'content-type': 'application/json' }, body });
    const wrong = await fetch(`${ctx.base}${path}`, { method, headers: bearer(generateSimulatorToken()), body });

    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    expect(wrong.status).toBe(401);
    expect(ctx.hits).toEqual([]);
  });

  it('answers the control token, in Authorization or X-Api-Key', async () => {
    const viaBearer = await fetch(`${ctx.base}/sim/knobs/twilio`, { headers: bearer(TOKEN) });
    const viaHeader = await fetch(`${ctx.base}/sim/knobs/twilio`, { headers: { 'x-api-key': TOKEN } });

    expect(viaBearer.status).toBe(200);
    expect(viaHeader.status).toBe(200);
  });

  it('leaves the provider APIs to their own authentication (Twilio answers its 20003, the SNS certificate is public)', async () => {
    const submit = await fetch(
      `${ctx.base}/sim/twilio/2010-04-01/Accounts/${ACCOUNTS.twilio.accountSid}/Messages.json`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'To=%2B15550002222&From=%2B15550001111&Body=hi',
      },
    );
    const certificate = await fetch(`${ctx.base}/sim/aws/sns-cert.pem`);

    expect(submit.status).toBe(401);
    expect(await submit.json()).toMatchObject({ code: 20003 });
    expect(certificate.status).toBe(200);
  });

  it('answers 403 to a known caller the check does not allow', async () => {
    const forbidden = await setup(() => 'forbidden');
    try {
      const answer = await fetch(`${forbidden.base}/sim/knobs`, { headers: bearer('a-read-only-key') });

      expect(answer.status).toBe(403);
      expect(await answer.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    } finally {
      await forbidden.app.close();
    }
  });
});

describe('simulator webhook targets', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  let foreign: Awaited<ReturnType<typeof foreignServer>>;

  beforeAll(async () => {
    ctx = await setup();
    foreign = await foreignServer();
  });

  afterAll(async () => {
    await ctx.app.close();
    await foreign.app.close();
  });

  it('posts an injected MO to the gateway inbound URL when no url is given', async () => {
    const answer = await fetch(`${ctx.base}/sim/twilio/inbound`, {
      method: 'POST',
      headers: bearer(TOKEN),
      body: JSON.stringify({ from: '+15550001111', to: '+15550002222', body: 'HELLO' }),
    });

    expect(answer.status).toBe(200);
    expect(ctx.hits).toEqual(['/webhooks/twilio/inbound']);
  });

  it.each(['vonage', 'sinch', 'twilio', 'aws'])(
    'refuses a caller-given foreign URL for %s inbound (400), never calling it',
    async (provider) => {
      const answer = await fetch(`${ctx.base}/sim/${provider}/inbound`, {
        method: 'POST',
        headers: bearer(TOKEN),
        body: JSON.stringify({
          from: '+15550001111',
          to: '+15550002222',
          body: 'STOPALL',
          url: `${foreign.url}/webhooks/x`,
        }),
      });

      expect(answer.status).toBe(400);
      expect(foreign.hits()).toBe(0);
    },
  );

  it('refuses an SNS subscription to a foreign URL', async () => {
    const answer = await fetch(`${ctx.base}/sim/aws/subscriptions`, {
      method: 'PUT',
      headers: bearer(TOKEN),
      body: JSON.stringify({ events: `${foreign.url}/collect` }),
    });

    expect(answer.status).toBe(400);
    expect(foreign.hits()).toBe(0);
  });

  it('records a status callback aimed elsewhere as refused and never sends it', async () => {
    const basic = Buffer.from(`${ACCOUNTS.twilio.accountSid}:${ACCOUNTS.twilio.authToken}`).toString('base64');
    await fetch(`${ctx.base}/sim/knobs/twilio`, {
      method: 'PUT',
      headers: bearer(TOKEN),
      body: JSON.stringify({ dlrDelayMs: 5, latencyMs: 0 }),
    });
    const submit = await fetch(
      `${ctx.base}/sim/twilio/2010-04-01/Accounts/${ACCOUNTS.twilio.accountSid}/Messages.json`,
      {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          To: '+15550002222',
          From: '+15550001111',
          Body: 'hi',
          StatusCallback: `${foreign.url}/webhooks/twilio/status`,
        }).toString(),
      },
    );
    expect(submit.status).toBe(201);

    const deadline = Date.now() + 3_000;
    let callbacks: TwilioSimMessage['callbacks'] = [];
    while (callbacks.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const log = (await (await fetch(`${ctx.base}/sim/twilio/messages`, { headers: bearer(TOKEN) })).json()) as {
        messages: TwilioSimMessage[];
      };
      callbacks = log.messages[0]?.callbacks ?? [];
    }

    expect(callbacks.length).toBeGreaterThanOrEqual(1);
    expect(callbacks.every((callback) => callback.error === TARGET_REFUSED)).toBe(true);
    expect(foreign.hits()).toBe(0);
  });
});

describe(webhookTargetPolicy.name, () => {
  const allow = webhookTargetPolicy('http://127.0.0.1:3000');

  it.each([
    ['http://127.0.0.1:3000/webhooks/twilio/status', true],
    ['http://127.0.0.1:3000/webhooks/vonage/inbound?x=1', true],
    ['http://127.0.0.1:3001/webhooks/twilio/status', false],
    ['https://127.0.0.1:3000/webhooks/twilio/status', false],
    ['http://127.0.0.1:3000/v1/messages', false],
    ['http://127.0.0.1:3000/webhooks/../v1/keys', false],
    ['http://user@127.0.0.1:3000/webhooks/twilio/status', false],
    ['http://169.254.169.254/latest/meta-data', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(allow(url)).toBe(allowed);
    expect(allow(url)).toBe(allowed); // the kept verdict for the same URL
  });

  it('judges afresh when the base it reads changes (the embedded gateway learns its port late)', () => {
    let base = 'http://127.0.0.1:1';
    const allowMoving = webhookTargetPolicy(() => base);
    const url = 'http://127.0.0.1:3000/webhooks/twilio/status';

    expect(allowMoving(url)).toBe(false);
    base = 'http://127.0.0.1:3000';
    expect(allowMoving(url)).toBe(true);
    expect(allowMoving('http://127.0.0.1:3000/v1/keys')).toBe(false);
    expect(allowMoving(url)).toBe(true);
    base = 'http://127.0.0.1:4000';
    expect(allowMoving(url)).toBe(false);
  });
});

describe(tokenControlAuth.name, () => {
  it('allows the token only, and refuses to be built with a short one', () => {
    const check = tokenControlAuth(TOKEN);

    expect(check(TOKEN)).toBe('allowed');
    expect(check(`${TOKEN}x`)).toBe('unknown');
    expect(check(null)).toBe('unknown');
    expect(() => tokenControlAuth('short')).toThrow(/24 characters/);
  });
});
