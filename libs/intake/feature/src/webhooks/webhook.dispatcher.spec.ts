/**
 * The delivery schedule on the embedded mode's SQLite, with a fake clock: every attempt is made when the
 * previous one said, the delays double from 10 s to a cap of one hour, and retrying stops 24 h after the
 * event. No test here waits for a real timer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OutboundOutcome } from '@sms/platform';
import { createServiceDataSource } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { INTAKE_ENTITIES } from '../database/intake.schema';
import { signatureHeader, type WebhookEvent } from './webhook-events';
import { WebhookSecretBox } from './webhook-secrets';
import { WebhookDispatcher, type WebhookPoster } from './webhook.dispatcher';
import { WebhookStore } from './webhook.store';

const ACCOUNT = '5b0f3f4c-3a51-4b8e-8a3e-6f1d1c2b3a4d';
const HOUR = 3_600_000;
const EVENT: WebhookEvent = {
  id: '9d1f0b6e-2f1c-4a54-8a1e-1b2c3d4e5f60',
  type: 'message.status',
  createdAt: '2026-12-07T00:00:00.000Z',
  data: { messageId: 'm', status: 'delivered', previousStatus: 'sent' },
};

interface Posted {
  readonly at: number;
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

let dir: string;
let dataSource: DataSource;
let clock: number;
const now = (): Date => new Date(clock);
const box = new WebhookSecretBox('a-test-key-that-is-long-enough-0123456789');

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'webhooks-'));
  dataSource = await createServiceDataSource({
    service: 'intake',
    database: { kind: 'sqlite', directory: dir },
    entities: INTAKE_ENTITIES,
    migrations: [],
  }).initialize();
  clock = Date.parse('2026-12-07T00:00:00Z');
});

afterEach(async () => {
  await dataSource.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** A receiver that answers each attempt with the next outcome (the last one repeats). */
function receiver(outcomes: OutboundOutcome[]): WebhookPoster & { posted: Posted[] } {
  const posted: Posted[] = [];

  return {
    posted,
    post: (url, body, headers) => {
      posted.push({ at: clock, url, body, headers });

      return Promise.resolve(
        outcomes.length > 1 ? (outcomes.shift() as OutboundOutcome) : (outcomes[0] as OutboundOutcome),
      );
    },
  };
}

async function setUp(poster: WebhookPoster, random: () => number) {
  const store = new WebhookStore(dataSource, box, 24 * HOUR, now);
  const { view, secret } = await store.create(ACCOUNT, {
    url: 'https://hooks.example.com/sms',
    events: ['message.status'],
    secret: null,
  });
  await store.enqueueOne({ subscriptionId: view.id, accountId: ACCOUNT, event: EVENT });
  const dispatcher = new WebhookDispatcher(dataSource, poster, box, {}, now, random);

  return { store, dispatcher, subscriptionId: view.id, secret };
}

/** Runs the dispatcher at each due time the row names until it settles; the clock jumps, nothing waits. */
async function runToTheEnd(dispatcher: WebhookDispatcher, store: WebhookStore, subscriptionId: string) {
  for (let round = 0; round < 200; round++) {
    const [delivery] = (await store.deliveriesOf(ACCOUNT, subscriptionId, 1)) ?? [];
    if (!delivery || delivery.state !== 'pending' || delivery.nextAttemptAt === null) {
      return delivery;
    }
    clock = Date.parse(delivery.nextAttemptAt);
    expect(await dispatcher.runOnce()).toBe(1);
  }
  throw new Error('never settled');
}

const failing: OutboundOutcome = { kind: 'failed', statusCode: 503, error: 'HTTP 503' };

it('doubles the delay from 10 s to one hour and gives up 24 h after the event', async () => {
  const poster = receiver([failing]);
  const { store, dispatcher, subscriptionId } = await setUp(poster, () => 1);
  const start = clock;

  const settled = await runToTheEnd(dispatcher, store, subscriptionId);

  const gaps = poster.posted.slice(1).map((p, i) => (p.at - (poster.posted[i]?.at ?? 0)) / 1000);
  // random = 1 takes the whole exponential: 10, 20, 40 … 2560 s, then the one-hour cap.
  expect(gaps.slice(0, 10)).toEqual([10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]);
  expect(gaps.slice(9).every((gap) => gap === 3600)).toBe(true);
  const last = poster.posted.at(-1)?.at ?? 0;
  expect(last - start).toBeLessThanOrEqual(24 * HOUR);
  // The attempt after the last would have fallen past the 24 h window.
  expect(last + HOUR - start).toBeGreaterThan(24 * HOUR);
  expect(settled).toMatchObject({ state: 'expired', attempts: poster.posted.length, lastStatusCode: 503 });
  expect(settled?.attemptLog).toHaveLength(poster.posted.length);
  expect(poster.posted.length).toBe(32);
});

it('waits half the exponential at the least (equal jitter)', async () => {
  const poster = receiver([failing, failing, failing, { kind: 'delivered', statusCode: 204 }]);
  const { store, dispatcher, subscriptionId } = await setUp(poster, () => 0);

  const settled = await runToTheEnd(dispatcher, store, subscriptionId);

  const gaps = poster.posted.slice(1).map((p, i) => (p.at - (poster.posted[i]?.at ?? 0)) / 1000);
  expect(gaps).toEqual([5, 10, 20]);
  expect(settled).toMatchObject({ state: 'delivered', attempts: 4, lastStatusCode: 204, nextAttemptAt: null });
});

it('signs each attempt with the current secret and the attempt time, and names the event', async () => {
  const poster = receiver([failing, { kind: 'delivered', statusCode: 200 }]);
  const { store, dispatcher, subscriptionId, secret } = await setUp(poster, () => 1);
  expect(await dispatcher.runOnce()).toBe(1);
  const rotated = await store.rotate(ACCOUNT, subscriptionId);

  await runToTheEnd(dispatcher, store, subscriptionId);

  const [first, second] = poster.posted;
  const body = JSON.stringify(EVENT);
  expect(first?.body).toBe(body);
  expect(first?.headers).toMatchObject({
    'x-sms-gateway-webhook-signature': signatureHeader(secret, Math.floor((first?.at ?? 0) / 1000), body),
    'x-sms-gateway-event-id': EVENT.id,
    'x-sms-gateway-event-type': 'message.status',
  });
  expect(second?.headers['x-sms-gateway-webhook-signature']).toBe(
    signatureHeader(rotated?.secret ?? '', Math.floor((second?.at ?? 0) / 1000), body),
  );
});

it('stops at once when the URL is refused by the outbound rules, and a replay sends it again', async () => {
  const poster = receiver([
    { kind: 'refused', error: 'address is not public' },
    { kind: 'delivered', statusCode: 200 },
  ]);
  const { store, dispatcher, subscriptionId } = await setUp(poster, () => 1);

  const refused = await runToTheEnd(dispatcher, store, subscriptionId);
  expect(refused).toMatchObject({ state: 'refused', attempts: 1, lastError: 'address is not public' });

  clock += HOUR;
  const replayed = await store.replay(ACCOUNT, subscriptionId, refused?.id ?? '');
  expect(replayed).toMatchObject({ state: 'pending', nextAttemptAt: new Date(clock).toISOString() });
  const delivered = await runToTheEnd(dispatcher, store, subscriptionId);
  expect(delivered).toMatchObject({ state: 'delivered', attempts: 2, eventId: EVENT.id });
  expect(poster.posted.map((p) => p.body)).toEqual([JSON.stringify(EVENT), JSON.stringify(EVENT)]);
});

it('delivers nothing for a subscription that was deleted', async () => {
  const poster = receiver([{ kind: 'delivered', statusCode: 200 }]);
  const { store, dispatcher, subscriptionId } = await setUp(poster, () => 1);

  expect(await store.remove(ACCOUNT, subscriptionId)).toBe(true);

  expect(await dispatcher.runOnce()).toBe(0);
  expect(poster.posted).toEqual([]);
  expect(await dataSource.query('SELECT id FROM webhook_deliveries')).toEqual([]);
});
