/**
 * Account webhooks on a real MariaDB with intake's migrations, delivered to a real HTTP receiver that
 * checks every signature with the recipe docs/webhooks.md gives: status changes of a subscribed account's
 * messages become `message.status` events in the change's transaction, another account's messages add
 * nothing, inbound messages become `message.inbound` once, and one account never reaches another's
 * subscriptions or deliveries.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type InboundReceivedV1, MessageStatus, type StatusChangedV1, StatusEventKind } from '@sms/contracts';
import { OutboundPoster } from '@sms/platform';
import { type OpenSlice } from '@sms/testing-slices';
import type { DataSource } from 'typeorm';
import { seedMessage, statusEvent as sendWorkerEvent } from '../../test/intake-messages';
import { INTAKE_MARIADB } from '../../test/intake-engines';
import { LedgerWriter } from '../ledger/ledger.writer';
import { StatusApplier } from '../status/status-applier.service';
import { AccountWebhooks } from './account-webhooks';
import { WebhookDirectory } from './webhook-directory';
import { WebhookSecretBox } from './webhook-secrets';
import { WebhookDispatcher } from './webhook.dispatcher';
import { WebhookStore } from './webhook.store';

jest.setTimeout(60_000);

const ACME = '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const GLOBEX = '6f5e4d3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly path: string;
}

let slice: OpenSlice;
let dataSource: DataSource;
let server: Server;
let baseUrl: string;
const received: Received[] = [];
let answers: number[] = [];

/** The receiver's check, exactly as docs/webhooks.md tells receivers to do it. */
function verify(secret: string, header: string | undefined, body: string, nowSeconds: number): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(parts['t']);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300 || !parts['v1']) {
    return false;
  }
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(parts['v1']);

  return expected.length === given.length && timingSafeEqual(expected, given);
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ headers: request.headers, body, path: request.url ?? '' });
      response.writeHead(answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  slice = await INTAKE_MARIADB.open();
  dataSource = slice.dataSource;
});

afterAll(async () => {
  await slice?.close();
  await new Promise((resolve) => server.close(resolve));
});

function setUp() {
  const box = new WebhookSecretBox('integration-key-integration-key-0123');
  const store = new WebhookStore(dataSource, box, 24 * 3_600_000);
  const directory = new WebhookDirectory(dataSource);
  // The test's receiver is on loopback over http: the insecure policy tests use (CALLBACK_ALLOW_INSECURE).
  const poster = new OutboundPoster({ allowInsecure: true, allowedPorts: [], timeoutMs: 2_000 });
  const dispatcher = new WebhookDispatcher(dataSource, poster, box, {
    retry: { baseDelayMs: 100, maxDelayMs: 200 },
    pollIntervalMs: 3_600_000,
  });
  const events = new AccountWebhooks(
    directory,
    store,
    () => Promise.resolve(ACME),
    () => dispatcher.wake(),
  );
  const writer = new LedgerWriter(dataSource);
  const applier = new StatusApplier(
    dataSource,
    { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 },
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    events,
  );

  return { store, directory, dispatcher, events, writer, applier, poster };
}

const newMessage = (writer: LedgerWriter, accountId: string): Promise<string> =>
  seedMessage(writer, { request: { clientReference: 'ref-1' }, accountId });

const statusEvent = (messageId: string, kind: StatusEventKind): StatusChangedV1 =>
  sendWorkerEvent(messageId, kind, { providerMessageId: `SM${messageId.slice(0, 8)}` });

async function waitFor<T>(probe: () => Promise<T | null> | T | null, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== null) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeEach(async () => {
  received.length = 0;
  answers = [];
  for (const table of ['webhook_deliveries', 'webhook_subscriptions', 'message_events', 'sms_messages']) {
    await dataSource.query(`DELETE FROM ${table}`);
  }
});

it('delivers signed message.status events of a subscribed account, retries a failure, and skips other accounts', async () => {
  const { store, directory, dispatcher, writer, applier, poster } = setUp();
  const created = await store.create(ACME, {
    url: `${baseUrl}/acme`,
    events: ['message.status'],
    secret: 'acme-secret-acme-secret-acme-1',
  });
  await directory.refresh();
  dispatcher.start();
  answers = [503];
  const acmeMessage = await newMessage(writer, ACME);
  const globexMessage = await newMessage(writer, GLOBEX);

  const sent = statusEvent(acmeMessage, StatusEventKind.Sent);
  await Promise.all([
    applier.apply(sent),
    applier.apply(statusEvent(globexMessage, StatusEventKind.Sent)),
    applier.apply(statusEvent(globexMessage, StatusEventKind.Delivered)),
  ]);
  await applier.apply(statusEvent(acmeMessage, StatusEventKind.Delivered));

  const deliveries = await waitFor(async () => {
    const rows = (await store.deliveriesOf(ACME, created.view.id, 10)) ?? [];

    return rows.length === 2 && rows.every((row) => row.state === 'delivered') ? rows : null;
  }, 'both events delivered');
  await dispatcher.stop();
  await poster.close();

  // The first attempt got a 503 and was retried; every request carried a valid signature.
  expect(received).toHaveLength(3);
  const now = Math.floor(Date.now() / 1000);
  for (const request of received) {
    expect(request.path).toBe('/acme');
    const header = request.headers['x-sms-gateway-webhook-signature'] as string;
    expect(verify('acme-secret-acme-secret-acme-1', header, request.body, now)).toBe(true);
    expect(verify('another-secret-another-secret', header, request.body, now)).toBe(false);
    expect(verify('acme-secret-acme-secret-acme-1', header, `${request.body} `, now)).toBe(false);
  }
  const bodies = received.map((request) => JSON.parse(request.body) as { id: string; type: string; data: object });
  expect(new Set(bodies.map((body) => body.id))).toEqual(new Set([sent.eventId, deliveries[0]?.eventId]));
  expect(bodies.find((body) => body.id === sent.eventId)).toEqual({
    id: sent.eventId,
    type: 'message.status',
    createdAt: sent.occurredAt,
    data: {
      messageId: acmeMessage,
      status: MessageStatus.Sent,
      previousStatus: MessageStatus.Queued,
      errorCode: null,
      errorMessage: null,
      clientReference: 'ref-1',
    },
  });
  expect(received[0]?.headers['x-sms-gateway-event-type']).toBe('message.status');
  expect(deliveries.map((row) => row.attempts).sort()).toEqual([1, 2]);
  // Globex has no subscription: its changes wrote no delivery at all.
  expect(await dataSource.query('SELECT COUNT(*) AS n FROM webhook_deliveries WHERE account_id = ?', [GLOBEX])).toEqual(
    [{ n: '0' }],
  );
});

it('records an inbound message once per subscription, however often it is redelivered', async () => {
  const { store, directory, events, dispatcher, poster } = setUp();
  const inboundOnly = await store.create(ACME, { url: `${baseUrl}/in`, events: ['message.inbound'], secret: null });
  await store.create(ACME, { url: `${baseUrl}/status`, events: ['message.status'], secret: null });
  await directory.refresh();
  const inbound: InboundReceivedV1 = {
    webhookId: '42',
    provider: 'twilio',
    providerMessageId: 'SMinbound1',
    from: '+447400654321',
    to: '+447400123456',
    body: 'HELP',
    receivedAt: new Date().toISOString(),
  };

  expect(await events.inbound(inbound)).toBe(1);
  expect(await events.inbound(inbound)).toBe(0);
  dispatcher.start();
  await waitFor(() => (received.length === 1 ? true : null), 'the inbound event');
  await dispatcher.stop();
  await poster.close();

  const [request] = received;
  expect(request?.path).toBe('/in');
  expect(
    verify(
      inboundOnly.secret,
      request?.headers['x-sms-gateway-webhook-signature'] as string,
      request?.body ?? '',
      Math.floor(Date.now() / 1000),
    ),
  ).toBe(true);
  expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
    type: 'message.inbound',
    createdAt: inbound.receivedAt,
    data: { from: '+447400654321', to: '+447400123456', body: 'HELP', provider: 'twilio' },
  });
});

it("never lets one account read, change, rotate, replay or delete another account's subscription", async () => {
  const { store } = setUp();
  const { view } = await store.create(ACME, { url: `${baseUrl}/acme`, events: ['message.inbound'], secret: null });
  await store.enqueueOne({
    subscriptionId: view.id,
    accountId: ACME,
    event: { id: randomUUID(), type: 'message.inbound', createdAt: new Date().toISOString(), data: {} },
  });
  const [delivery] = (await store.deliveriesOf(ACME, view.id, 10)) ?? [];

  expect(await store.find(GLOBEX, view.id)).toBeNull();
  expect(await store.list(GLOBEX)).toEqual([]);
  expect(await store.update(GLOBEX, view.id, { url: `${baseUrl}/stolen` })).toBeNull();
  expect(await store.rotate(GLOBEX, view.id)).toBeNull();
  expect(await store.deliveriesOf(GLOBEX, view.id, 10)).toBeNull();
  expect(await store.replay(GLOBEX, view.id, delivery?.id ?? '')).toBeNull();
  expect(await store.remove(GLOBEX, view.id)).toBe(false);
  // Acme's subscription is as it was.
  expect(await store.find(ACME, view.id)).toEqual(view);
  // No secret is ever part of a read.
  expect(JSON.stringify(await store.list(ACME))).not.toMatch(/secret|whsec_/);
  const [row] = await dataSource.query<{ secret_ciphertext: string }[]>(
    'SELECT secret_ciphertext FROM webhook_subscriptions WHERE id = ?',
    [view.id],
  );
  expect(row?.secret_ciphertext).toMatch(/^v1\./);
});
