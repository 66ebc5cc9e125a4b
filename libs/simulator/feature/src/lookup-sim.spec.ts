/**
 * The simulator answers each provider's lookup request as the real API does, read by the adapters' own
 * lookup (the reconciliation path): by id once the message is final, without an id by the provider's search,
 * and a miss for a message it never accepted. Ambiguous submits ("time out after accept") are found.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DeliveryStatus, type LookupRequest, type SendRequest, type SmsProvider } from '@sms/provider-port';
import { SinchSmsProvider } from '@sms/provider-sinch';
import { TwilioSmsProvider } from '@sms/provider-twilio';
import { VonageSmsProvider } from '@sms/provider-vonage';
import Fastify, { type FastifyInstance } from 'fastify';
import { generateSimulatorAccounts, httpApiAccounts } from './simulator.accounts';
import { simulatorPlugin } from './simulator.plugin';

const ACCOUNTS = httpApiAccounts(generateSimulatorAccounts());
const VONAGE = ACCOUNTS.vonage;
const SINCH = ACCOUNTS.sinch;
const TWILIO = { accountSid: 'ACsimulator00000000000000000000000', authToken: 'sim-auth-token' };
const DLR_DELAY_MS = 1_500;

jest.setTimeout(30_000);

let app: FastifyInstance;
let base: string;
let providers: Record<'twilio' | 'vonage' | 'sinch', SmsProvider>;

beforeAll(async () => {
  app = Fastify({ logger: false });
  await app.register(simulatorPlugin, {
    ...ACCOUNTS,
    prefix: '/sim',
    publicBaseUrl: 'http://127.0.0.1',
    // The lookups are the providers' own APIs; sim-access.spec.ts covers the control check.
    controlAuth: () => 'allowed',
    webhookBaseUrl: () => base,
    twilio: TWILIO,
    vonage: VONAGE,
    sinch: SINCH,
    seed: 5,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const requestTimeoutMs = 1_500;
  providers = {
    twilio: new TwilioSmsProvider({ ...TWILIO, baseUrl: `${base}/sim/twilio`, requestTimeoutMs }),
    vonage: new VonageSmsProvider({
      apiKey: VONAGE.apiKey,
      apiSecret: VONAGE.apiSecret,
      signatureSecret: VONAGE.signatureSecret,
      signatureMethod: 'md5hash',
      baseUrl: `${base}/sim/vonage`,
      requestTimeoutMs,
    }),
    sinch: new SinchSmsProvider({
      servicePlanId: SINCH.servicePlanId,
      apiToken: SINCH.apiToken,
      callbackSecret: SINCH.callbackSecret,
      baseUrl: `${base}/sim/sinch`,
      requestTimeoutMs,
    }),
  };
  for (const provider of Object.keys(providers)) {
    await knobs(provider, {
      dlrDelayMs: DLR_DELAY_MS,
      timeoutAfterAcceptRate: 0,
      dlrOutcomes: { delivered: 1, undelivered: 0, failed: 0 },
    });
  }
});

afterAll(async () => {
  await app.close();
});

async function knobs(provider: string, update: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${base}/sim/knobs/${provider}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(update),
  });
  expect(response.status).toBe(200);
}

function sendRequest(): SendRequest {
  return {
    messageId: randomUUID(),
    to: '+15558675310',
    from: '+15017122661',
    body: `lookup ${randomUUID()}`,
    encoding: 'GSM-7',
    segments: 1,
    // Nothing listens there: the receipts the simulator posts are not what these tests read.
    statusCallbackUrl: 'http://127.0.0.1:9/hooks/status',
  };
}

function lookupOf(request: SendRequest, providerMessageId: string | null, since: Date): LookupRequest {
  return { ...request, providerMessageId, notBefore: since, notAfter: new Date() };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(['twilio', 'vonage', 'sinch'] as const)('%s lookups against the simulator', (name) => {
  it('finds a message by its id: sent before its final receipt is due, delivered after', async () => {
    const provider = providers[name];
    const request = sendRequest();
    const since = new Date();
    const sent = await provider.send(request);

    const early = await provider.lookup(lookupOf(request, sent.providerMessageId, since));
    // Twilio and Vonage report the final status two delays after accept, Sinch likewise.
    await wait(DLR_DELAY_MS * 2 + 500);
    const late = await provider.lookup(lookupOf(request, sent.providerMessageId, since));

    expect(early).toMatchObject({ outcome: 'found', status: DeliveryStatus.Sent });
    expect(late).toMatchObject({
      outcome: 'found',
      providerMessageId: sent.providerMessageId,
      status: DeliveryStatus.Delivered,
    });
  });

  it('finds an accepted submit whose answer timed out, without its id', async () => {
    const provider = providers[name];
    const request = sendRequest();
    const since = new Date();
    await knobs(name, { timeoutAfterAcceptRate: 1 });
    await expect(provider.send(request)).rejects.toMatchObject({ ambiguous: true });
    await knobs(name, { timeoutAfterAcceptRate: 0 });

    const found = await provider.lookup(lookupOf(request, null, since));

    expect(found.outcome).toBe('found');
  });

  it('answers not_found for a message it never accepted, by id and by search', async () => {
    const provider = providers[name];
    const request = sendRequest();
    const ids = {
      twilio: 'SM0123456789abcdef0123456789abcdef',
      vonage: '0B00000012345678',
      sinch: '01FC66621XXXXX119Z8PMV1QPQ',
    };

    expect(await provider.lookup(lookupOf(request, ids[name], new Date()))).toEqual({ outcome: 'not_found' });
    expect(await provider.lookup(lookupOf(request, null, new Date()))).toEqual({ outcome: 'not_found' });
  });
});
