import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiKeyService, ApiScope } from '@sms/auth';
import { APP_CONFIG, type AppConfig } from '@sms/platform';
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';
import { spawnGateway, type GatewayProcess } from './gateway-process.harness';

jest.setTimeout(90_000);

/** What an operator put in the environment: values the simulator must never sign with. */
const CONFIGURED = {
  TWILIO_AUTH_TOKEN: 'configured-real-twilio-token-00000000',
  VONAGE_SIGNATURE_SECRET: 'configured-real-vonage-secret-000000',
  SINCH_CALLBACK_SECRET: 'configured-real-sinch-secret-0000000',
};
const FORM = 'application/x-www-form-urlencoded';

function twilioSignature(authToken: string, url: string, params: readonly [string, string][]): string {
  const data = [...params]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .reduce((acc, [name, value]) => acc + name + value, url);

  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

describe('embedded gateway: the simulator is closed', () => {
  let gateway: EmbeddedGateway;
  let admin: GatewayClient;
  let config: AppConfig;
  let readOnlyKey: string;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway(CONFIGURED);
    admin = new GatewayClient(gateway.url, gateway.auth);
    config = gateway.app.get<AppConfig>(APP_CONFIG);
    readOnlyKey = (await gateway.app.get(ApiKeyService).create('reader', [ApiScope.Send, ApiScope.Read])).key;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it.each([
    ['GET', '/sim/twilio/messages'],
    ['PUT', '/sim/knobs/twilio'],
    ['POST', '/sim/twilio/inbound'],
    ['POST', '/sim/vonage/inbound'],
    ['POST', '/sim/reset'],
  ])('%s %s: 401 without a key, 403 with a send/read key, served to an admin key', async (method, route) => {
    const body = method === 'GET' ? undefined : JSON.stringify({ dlrDelayMs: 20 });
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    const anonymous = await new GatewayClient(gateway.url, {}).raw(method, route, body, headers);
    const reader = await new GatewayClient(gateway.url, { 'x-api-key': readOnlyKey }).raw(method, route, body, headers);

    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect(reader.status).toBe(403);
    expect(reader.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    if (route === '/sim/twilio/messages' || route === '/sim/knobs/twilio') {
      expect((await admin.raw(method, route, body, headers)).status).toBe(200);
    }
  });

  it('signs with its own generated accounts, kept in the data folder for the owner only, never the configured ones', () => {
    expect(config.providers.twilio.authToken).not.toBe(CONFIGURED.TWILIO_AUTH_TOKEN);
    expect(config.providers.vonage.signatureSecret).not.toBe(CONFIGURED.VONAGE_SIGNATURE_SECRET);
    expect(config.providers.sinch.callbackSecret).not.toBe(CONFIGURED.SINCH_CALLBACK_SECRET);
    expect(config.providers.twilio.authToken.length).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(gateway.dataDir, 'simulator-accounts.json')).mode & 0o777).toBe(0o600);
  });

  it('an injected MO reaches the gateway verified; one signed with the configured token is refused', async () => {
    const injected = await admin.rawPost<{ attempts: { httpStatus?: number }[] }>('/sim/twilio/inbound', {
      from: '+15550001111',
      to: '+15550002222',
      body: 'HELLO',
    });
    expect(injected.status).toBe(200);
    expect(injected.body.attempts).toEqual([expect.objectContaining({ httpStatus: 200 })]);

    const route = '/webhooks/twilio/inbound';
    const params: [string, string][] = [
      ['MessageSid', 'SM00000000000000000000000000000001'],
      ['AccountSid', config.providers.twilio.accountSid],
      ['From', '+15550001111'],
      ['To', '+15550002222'],
      ['Body', 'STOPALL'],
    ];
    const forged = await new GatewayClient(gateway.url, {}).raw('POST', route, new URLSearchParams(params).toString(), {
      'content-type': FORM,
      'x-twilio-signature': twilioSignature(CONFIGURED.TWILIO_AUTH_TOKEN, `${gateway.url}${route}`, params),
    });
    expect(forged.status).toBe(403);
  });

  it('posts to no URL a caller names outside the gateway webhooks', async () => {
    const elsewhere = await admin.rawPost('/sim/twilio/inbound', {
      from: '+15550001111',
      to: '+15550002222',
      body: 'STOPALL',
      url: 'http://169.254.169.254/latest/meta-data',
    });

    expect(elsewhere.status).toBe(400);
  });
});

describe('embedded gateway process: the listen address', () => {
  let dataDir: string;
  let running: GatewayProcess | null = null;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sms-listen-'));
    // HOST left unset (an empty value counts as unset): the default applies.
    running = await spawnGateway({ DATA_DIR: dataDir, HOST: '' });
  });

  afterAll(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGTERM');
      await running.exited();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('binds loopback by default and prints that address', async () => {
    const port = new URL(running!.url).port;
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(running!.output.join('')).toContain(`listening on http://127.0.0.1:${port}`);
    // The kernel's own table of listening sockets (Linux): the one on our port must be bound to 127.0.0.1 only.
    const listening = readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter(
        (fields) =>
          fields[3] === '0A' && fields[1]?.endsWith(`:${Number(port).toString(16).toUpperCase().padStart(4, '0')}`),
      )
      .map((fields) => fields[1]?.split(':')[0]);
    expect(listening).toEqual(['0100007F']);
  });
});
