/**
 * The simulated Twilio Lookup v2 read by the real adapter: a ported number answers its new network, an
 * unported one its home network by prefix, unknown numbers 404, and the failure and latency knobs hold.
 */
import type { AddressInfo } from 'node:net';
import { TwilioNumberLookup } from '@sms/provider-twilio';
import Fastify, { type FastifyInstance } from 'fastify';
import { generateSimulatorAccounts, httpApiAccounts } from './simulator.accounts';
import { simulatorPlugin } from './simulator.plugin';

const ACCOUNTS = httpApiAccounts(generateSimulatorAccounts());
const TWILIO = { accountSid: 'ACsimulator00000000000000000000000', authToken: 'sim-auth-token' };

jest.setTimeout(30_000);

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  // The adapters keep connections alive: close them, not wait for them to idle out.
  app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(simulatorPlugin, {
    ...ACCOUNTS,
    prefix: '/sim',
    publicBaseUrl: 'http://127.0.0.1',
    controlAuth: () => 'allowed',
    webhookBaseUrl: () => base,
    twilio: TWILIO,
    seed: 7,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.close();
});

beforeEach(async () => {
  await fetch(`${base}/sim/reset`, { method: 'POST' });
});

const lookup = (timeoutMs = 2_000) =>
  new TwilioNumberLookup({ ...TWILIO, baseUrl: `${base}/sim/twilio-lookups`, timeoutMs });

async function knobs(update: Record<string, unknown>): Promise<Response> {
  return fetch(`${base}/sim/twilio-lookups/knobs`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(update),
  });
}

describe('simulated Twilio Lookup v2', () => {
  it('answers a ported number with its new network and others with their home network', async () => {
    await knobs({
      homeNetworks: { '447400': { mcc: '234', mnc: '10', carrierName: 'Home UK' } },
      ported: { '+447400000001': { mcc: '234', mnc: '30', carrierName: 'Ported To UK' } },
    });

    expect(await lookup().lookup('+447400000001')).toMatchObject({
      outcome: 'found',
      lineType: 'mobile',
      carrierName: 'Ported To UK',
      network: { mcc: '234', mnc: '30' },
    });
    expect(await lookup().lookup('+447400000002')).toMatchObject({ network: { mcc: '234', mnc: '10' } });
    expect(await lookup().lookup('+15005550006')).toMatchObject({ outcome: 'found', network: null });
  });

  it('counts requests per number', async () => {
    await lookup().lookup('+447400000003');
    await lookup().lookup('+447400000003');

    const counts = (await (await fetch(`${base}/sim/twilio-lookups/requests`)).json()) as {
      total: number;
      byNumber: Record<string, number>;
    };

    expect(counts).toEqual({ total: 2, byNumber: { '+447400000003': 2 } });
  });

  it('answers 404 for unknown numbers, 503 on failures, and is slow on demand', async () => {
    await knobs({ unknownNumbers: ['+447400000004'] });
    expect(await lookup().lookup('+447400000004')).toMatchObject({ outcome: 'unknown', reason: 'not_found' });

    await knobs({ failureRate: 1 });
    expect(await lookup().lookup('+447400000005')).toMatchObject({ outcome: 'unknown', reason: 'error' });

    await knobs({ failureRate: 0, latencyMs: 1_000 });
    expect(await lookup(100).lookup('+447400000005')).toMatchObject({ outcome: 'unknown', reason: 'timeout' });
  });

  it('refuses a wrong credential and malformed knobs', async () => {
    const wrong = new TwilioNumberLookup({
      accountSid: TWILIO.accountSid,
      authToken: 'wrong',
      baseUrl: `${base}/sim/twilio-lookups`,
      timeoutMs: 2_000,
    });

    expect(await wrong.lookup('+447400000006')).toMatchObject({ outcome: 'unknown', reason: 'refused' });
    expect((await knobs({ ported: { '447400': { mcc: '1', mnc: '2' } } })).status).toBe(400);
    expect((await knobs({ latencyMs: -1 })).status).toBe(400);
  });
});
