/**
 * StatusApplier and RetryScheduler against a real MariaDB with the real intake migrations, in a database
 * of this file's own. Messages are written the way intake writes them (LedgerWriter).
 */
import {
  decodeEvent,
  MessageAcceptedV1,
  MessageStatus,
  StatusEventKind,
  StatusEventSource,
  TOPICS,
} from '@sms/contracts';
import { type OpenSlice } from '@sms/testing-slices';
import type { BeforeQueryEvent, DataSource, EntitySubscriberInterface } from 'typeorm';
import {
  retryEvent as retry,
  SEED_ACCOUNT as ACCOUNT,
  seedMessage,
  statusEvent as event,
} from '../../test/intake-messages';
import { INTAKE_MARIADB } from '../../test/intake-engines';
import { LedgerWriter } from '../ledger/ledger.writer';
import { SmsMessageEntity } from '../database/entities/sms-message.entity';
import { toMessageView } from '../messages/message.views';
import { RetryScheduler } from './retry.scheduler';
import { type ApplyOutcome, StatusApplier } from './status-applier.service';

jest.setTimeout(60_000);

const POLICY = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 } as const;
const STALE_AFTER_MS = 60_000;

interface LedgerRow {
  status: string;
  status_rank: number;
  attempt: number;
  provider: string | null;
  provider_message_id: string | null;
  cost: string | null;
  currency: string | null;
  error_code: string | null;
  avoid_providers: string | null;
  pin_provider: string | null;
  next_retry_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  final_at: Date | null;
}

interface EventRow {
  event_id: string;
  status: string;
  source: string;
  applied: number;
}

let slice: OpenSlice;
let dataSource: DataSource;
let writer: LedgerWriter;

beforeAll(async () => {
  // The distributed mode's store: what is tested here is MariaDB's locking and statement shapes.
  slice = await INTAKE_MARIADB.open();
  dataSource = slice.dataSource;
  writer = new LedgerWriter(dataSource);
});

afterAll(async () => {
  await writer?.drain();
  await slice?.close();
});

beforeEach(async () => {
  for (const table of ['message_events', 'sms_messages', 'intake_outbox']) {
    await dataSource.query(`DELETE FROM ${table}`);
  }
});

const newMessage = (createdAt = new Date()): Promise<string> => seedMessage(writer, { createdAt });

async function ledger(id: string): Promise<LedgerRow> {
  const [row] = await dataSource.query<LedgerRow[]>('SELECT * FROM sms_messages WHERE id = ?', [id]);
  if (!row) {
    throw new Error(`no ledger row ${id}`);
  }

  return row;
}

const events = (id: string): Promise<EventRow[]> =>
  dataSource.query('SELECT event_id, status, source, applied FROM message_events WHERE message_id = ? ORDER BY id', [
    id,
  ]);

const outbox = async (): Promise<{ topic: string; msg_key: string; value: MessageAcceptedV1 }[]> => {
  const rows = await dataSource.query<{ topic: string; msg_key: string; payload: string }[]>(
    'SELECT topic, msg_key, payload FROM intake_outbox ORDER BY id',
  );

  return rows.map(({ topic, msg_key, payload }) => ({
    topic,
    msg_key,
    value: decodeEvent(MessageAcceptedV1, JSON.parse(payload)),
  }));
};

describe(StatusApplier.name, () => {
  let now: Date;
  let sut: StatusApplier;
  beforeEach(() => {
    now = new Date(Math.floor(Date.now() / 1000) * 1000);
    sut = new StatusApplier(dataSource, POLICY, () => now);
  });

  it('moves forward only: delivered, then late sent and sending, stays delivered with every event kept', async () => {
    const id = await newMessage();
    const late = [
      event(id, StatusEventKind.Sent, { providerMessageId: 'SM1', cost: '0.0400', currency: 'USD' }),
      event(id, StatusEventKind.Sending),
      event(id, StatusEventKind.Undelivered, { source: StatusEventSource.Dlr, errorCode: '30003' }),
      event(id, StatusEventKind.Failed),
    ];
    const delivered = event(id, StatusEventKind.Delivered, { source: StatusEventSource.Dlr, providerMessageId: 'SM1' });

    expect(await sut.apply(delivered)).toBe('applied');
    for (const e of late) {
      expect(await sut.apply(e)).toBe('recorded');
    }
    expect(await sut.apply(event(id, StatusEventKind.Refused))).toBe('ignored');

    expect(await ledger(id)).toMatchObject({
      status: MessageStatus.Delivered,
      status_rank: 3,
      error_code: null,
      delivered_at: expect.any(Date),
      final_at: expect.any(Date),
      next_retry_at: null,
    });
    expect(await events(id)).toEqual([
      { event_id: expect.any(String), status: 'queued', source: 'intake', applied: 1 },
      { event_id: delivered.eventId, status: 'delivered', source: 'dlr', applied: 1 },
      ...late.map((e) => ({ event_id: e.eventId, status: e.kind, source: e.source, applied: 0 })),
    ]);
  });

  it('walks the happy path queued → sending → sent → delivered, keeping the send facts', async () => {
    const id = await newMessage();
    const outcomes = [
      await sut.apply(event(id, StatusEventKind.Sending)),
      await sut.apply(
        event(id, StatusEventKind.Sent, { providerMessageId: 'SM2', cost: '0.0237', currency: 'USD', detail: 'why' }),
      ),
      await sut.apply(
        event(id, StatusEventKind.Delivered, { source: StatusEventSource.Dlr, providerMessageId: 'SM2' }),
      ),
    ];

    expect(outcomes).toEqual(['applied', 'applied', 'applied']);
    expect(await ledger(id)).toMatchObject({
      status: 'delivered',
      provider: 'twilio',
      provider_message_id: 'SM2',
      cost: '0.0237',
      currency: 'USD',
      sent_at: expect.any(Date),
      delivered_at: expect.any(Date),
    });
  });

  it('writes the sender of the send, which the message view shows as from', async () => {
    const id = await newMessage();
    await sut.apply(event(id, StatusEventKind.Sending));
    await sut.apply(event(id, StatusEventKind.Sent, { providerMessageId: 'SM-from', sender: '+14155552671' }));
    await sut.apply(
      event(id, StatusEventKind.Delivered, { source: StatusEventSource.Dlr, providerMessageId: 'SM-from' }),
    );

    const [row] = await dataSource.query<{ sender: string | null; requested_from: string | null }[]>(
      'SELECT sender, requested_from FROM sms_messages WHERE id = ?',
      [id],
    );
    expect(row).toEqual({ sender: '+14155552671', requested_from: null });
    const entity = await dataSource.getRepository(SmsMessageEntity).findOneByOrFail({ id });
    expect(toMessageView(entity, [])).toMatchObject({ from: '+14155552671', status: 'delivered' });
  });

  it('keeps the sender of a send whose receipt overtook it', async () => {
    const id = await newMessage();
    await sut.apply(
      event(id, StatusEventKind.Delivered, { source: StatusEventSource.Dlr, providerMessageId: 'SM-late' }),
    );
    await sut.apply(event(id, StatusEventKind.Sent, { providerMessageId: 'SM-late', sender: '+14155552671' }));

    expect(await dataSource.query('SELECT status, sender FROM sms_messages WHERE id = ?', [id])).toEqual([
      { status: 'delivered', sender: '+14155552671' },
    ]);
  });

  it('checks the opt-out of the receipt fallback against the sender the message went out from', async () => {
    const checks: [string, string | null][] = [];
    const guarded = new StatusApplier(
      dataSource,
      POLICY,
      () => now,
      Math.random,
      undefined,
      (to, sender) => {
        checks.push([to, sender]);

        return Promise.resolve(sender === '+14155552671');
      },
    );
    const id = await newMessage();
    await guarded.apply(event(id, StatusEventKind.Sent, { providerMessageId: 'SM-fb', sender: '+14155552671' }));
    await guarded.apply(
      event(id, StatusEventKind.Undelivered, {
        source: StatusEventSource.Dlr,
        providerMessageId: 'SM-fb',
        errorCode: '30003',
        errorClass: 'transient',
        fallbackEligible: true,
      }),
    );

    expect(checks).toEqual([['+447400123456', '+14155552671']]);
    // Opted out of that sender: no re-send, the receipt ends the message.
    expect(await ledger(id)).toMatchObject({ status: 'undelivered', attempt: 1 });
  });

  it('treats a redelivered event id as a no-op', async () => {
    const id = await newMessage();
    const sent = event(id, StatusEventKind.Sent, { providerMessageId: 'SM3' });
    const failedRetry = retry(id, 1);

    expect(await sut.apply(failedRetry)).toBe('applied');
    expect(await sut.apply(failedRetry)).toBe('duplicate');
    expect(await sut.apply(sent)).toBe('applied');
    expect(await sut.apply(sent)).toBe('duplicate');
    expect(await sut.apply({ ...sent, kind: StatusEventKind.Delivered })).toBe('duplicate');

    expect(await ledger(id)).toMatchObject({ status: 'sent', attempt: 2 });
    expect((await events(id)).map((e) => e.status)).toEqual(['queued', 'retry', 'sent']);
  });

  it('reschedules a transient failure as the next attempt, inside the jitter bounds, avoiding the provider', async () => {
    const id = await newMessage();

    expect(await sut.apply(retry(id, 1, { provider: 'twilio' }))).toBe('applied');
    const first = await ledger(id);
    expect(first).toMatchObject({
      status: 'queued',
      attempt: 2,
      error_code: 'E1',
      avoid_providers: 'twilio',
      pin_provider: null,
    });
    // Attempt 1: base 1 s, equal jitter → [0.5 s, 1 s] after now.
    const firstDelay = (first.next_retry_at?.getTime() ?? 0) - now.getTime();
    expect(firstDelay).toBeGreaterThanOrEqual(500);
    expect(firstDelay).toBeLessThanOrEqual(1_000);

    expect(await sut.apply(retry(id, 2, { provider: 'vonage' }))).toBe('applied');
    const second = await ledger(id);
    expect(second).toMatchObject({ attempt: 3, error_code: 'E2', avoid_providers: 'twilio,vonage' });
    const secondDelay = (second.next_retry_at?.getTime() ?? 0) - now.getTime();
    expect(secondDelay).toBeGreaterThanOrEqual(1_000);
    expect(secondDelay).toBeLessThanOrEqual(2_000);
  });

  it('spreads retries over the whole jitter window', async () => {
    const delays: number[] = [];
    for (const random of [0, 0.5, 1]) {
      const id = await newMessage();
      await new StatusApplier(
        dataSource,
        POLICY,
        () => now,
        () => random,
      ).apply(retry(id, 1));
      delays.push(((await ledger(id)).next_retry_at?.getTime() ?? 0) - now.getTime());
    }

    expect(delays).toEqual([500, 750, 1_000]);
  });

  it('records but does not apply a retry for an attempt that is no longer current', async () => {
    const id = await newMessage();
    await sut.apply(retry(id, 1));

    expect(await sut.apply(retry(id, 1))).toBe('recorded');
    expect(await sut.apply(retry(id, 5))).toBe('recorded');
    expect((await ledger(id)).attempt).toBe(2);
  });

  it('ignores a retry once the message was sent', async () => {
    const id = await newMessage();
    await sut.apply(event(id, StatusEventKind.Sent, { providerMessageId: 'SM4' }));

    expect(await sut.apply(retry(id, 1))).toBe('recorded');
    expect(await ledger(id)).toMatchObject({ status: 'sent', attempt: 1, next_retry_at: null });
  });

  it(`gives up after ${POLICY.maxAttempts} attempts: failed with the last error code`, async () => {
    const id = await newMessage();
    for (let attempt = 1; attempt <= POLICY.maxAttempts; attempt++) {
      expect(await sut.apply(retry(id, attempt))).toBe('applied');
    }

    expect(await ledger(id)).toMatchObject({
      status: 'failed',
      status_rank: 3,
      attempt: POLICY.maxAttempts,
      error_code: `E${POLICY.maxAttempts}`,
      next_retry_at: null,
      final_at: now,
    });
    expect(await sut.apply(event(id, StatusEventKind.Delivered, { source: StatusEventSource.Dlr }))).toBe('recorded');
    expect((await ledger(id)).status).toBe('failed');
  });

  it('pins the provider after an ambiguous failure instead of avoiding it, and unpins after a clear one', async () => {
    const id = await newMessage();

    await sut.apply(retry(id, 1, { provider: 'twilio', ambiguous: true, errorCode: 'TIMEOUT' }));
    expect(await ledger(id)).toMatchObject({ attempt: 2, pin_provider: 'twilio', avoid_providers: null });

    await sut.apply(retry(id, 2, { provider: 'twilio', ambiguous: false, errorCode: '503' }));
    expect(await ledger(id)).toMatchObject({ attempt: 3, pin_provider: null, avoid_providers: 'twilio' });
  });

  it('keeps the provider message id when a receipt overtakes the send result', async () => {
    const id = await newMessage();
    await sut.apply(event(id, StatusEventKind.Sending));

    expect(
      await sut.apply(
        event(id, StatusEventKind.Delivered, { source: StatusEventSource.Dlr, providerMessageId: 'SM5' }),
      ),
    ).toBe('applied');
    expect(
      await sut.apply(
        event(id, StatusEventKind.Sent, {
          providerMessageId: 'SM5',
          cost: '0.0400',
          currency: 'USD',
          provider: 'twilio',
        }),
      ),
    ).toBe('recorded');

    expect(await ledger(id)).toMatchObject({
      status: 'delivered',
      provider: 'twilio',
      provider_message_id: 'SM5',
      cost: '0.0400',
      currency: 'USD',
      sent_at: expect.any(Date),
    });
  });

  it('never overwrites a known provider message id with a late one', async () => {
    const id = await newMessage();
    await sut.apply(event(id, StatusEventKind.Sent, { providerMessageId: 'SM6' }));
    await sut.apply(event(id, StatusEventKind.Delivered, { source: StatusEventSource.Dlr, providerMessageId: 'SM6' }));

    expect(await sut.apply(event(id, StatusEventKind.Sent, { providerMessageId: 'SM-other' }))).toBe('recorded');
    expect((await ledger(id)).provider_message_id).toBe('SM6');
  });

  it('applies one event redelivered 5 times in parallel exactly once (R9)', async () => {
    const id = await newMessage();
    const delivered = event(id, StatusEventKind.Delivered, { source: StatusEventSource.Dlr, providerMessageId: 'SM8' });

    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => sut.apply({ ...delivered })));

    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : String(o.reason))).sort()).toEqual([
      'applied',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect((await events(id)).filter((e) => e.event_id === delivered.eventId)).toHaveLength(1);
    expect((await ledger(id)).status).toBe('delivered');
  });

  it('takes 50 concurrent events for one message (R13) to the right final state without an error', async () => {
    const id = await newMessage();
    const batch = [
      ...Array.from({ length: 13 }, () => event(id, StatusEventKind.Sending)),
      ...Array.from({ length: 13 }, (_, i) => event(id, StatusEventKind.Sent, { providerMessageId: `SM-${i}` })),
      ...Array.from({ length: 12 }, () => event(id, StatusEventKind.Delivered, { source: StatusEventSource.Dlr })),
      ...Array.from({ length: 12 }, () => retry(id, 1)),
    ];

    const outcomes = await Promise.allSettled(batch.map((e) => sut.apply(e)));

    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
    expect(failures).toEqual([]);
    const values = outcomes.map((o) => (o as PromiseFulfilledResult<ApplyOutcome>).value);
    expect(new Set(values)).toEqual(new Set(['applied', 'recorded']));
    const row = await ledger(id);
    expect(row).toMatchObject({
      status: 'delivered',
      status_rank: 3,
      next_retry_at: null,
      delivered_at: expect.any(Date),
      provider_message_id: expect.stringMatching(/^SM-\d+$/),
    });
    const recorded = await events(id);
    expect(recorded).toHaveLength(51);
    expect(new Set(recorded.map((e) => e.event_id)).size).toBe(51);
    const applied = (status: string): number => recorded.filter((e) => e.status === status && e.applied === 1).length;
    expect(applied('delivered')).toBe(1);
    expect(applied('sent')).toBeLessThanOrEqual(1);
    expect(applied('sending')).toBeLessThanOrEqual(1);
    expect(applied('retry')).toBeLessThanOrEqual(1);
    expect(row.attempt).toBe(applied('retry') === 1 ? 2 : 1);
  });
});

describe(RetryScheduler.name, () => {
  let now: Date;
  let published: number;
  let errors: unknown[];
  const scheduler = (): RetryScheduler =>
    new RetryScheduler(
      dataSource,
      () => published++,
      (error) => errors.push(error),
      STALE_AFTER_MS,
      () => now,
    );

  beforeEach(() => {
    now = new Date(Math.floor(Date.now() / 1000) * 1000);
    published = 0;
    errors = [];
  });

  it('publishes a due retry to sms.accepted.v1 once, with its attempt and providers to avoid', async () => {
    const id = await newMessage(now);
    const notDue = await newMessage(now);
    await dataSource.query('DELETE FROM intake_outbox');
    const applier = new StatusApplier(
      dataSource,
      POLICY,
      () => now,
      () => 1,
    );
    await applier.apply(retry(id, 1, { provider: 'twilio' }));
    await new StatusApplier(dataSource, { ...POLICY, baseDelayMs: 600_000 }, () => now).apply(retry(notDue, 1));
    now = new Date(now.getTime() + 1_000);
    const sut = scheduler();

    expect(await sut.publishDueRetries()).toBe(1);
    expect(published).toBe(1);
    expect(await outbox()).toEqual([
      {
        topic: TOPICS.accepted,
        msg_key: id,
        value: expect.objectContaining({
          messageId: id,
          // The retry keeps the message's account, read from the ledger row.
          accountId: ACCOUNT,
          attempt: 2,
          to: '+447400123456',
          avoidProviders: ['twilio'],
          pinProvider: null,
        }),
      },
    ]);
    expect((await ledger(id)).next_retry_at).toBeNull();
    expect((await ledger(notDue)).next_retry_at).not.toBeNull();

    expect(await sut.publishDueRetries()).toBe(0);
    expect(await scheduler().publishDueRetries()).toBe(0);
    expect(await outbox()).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('carries the pinned provider of an ambiguous failure', async () => {
    const id = await newMessage(now);
    await dataSource.query('DELETE FROM intake_outbox');
    await new StatusApplier(dataSource, POLICY, () => now).apply(retry(id, 1, { provider: 'vonage', ambiguous: true }));
    now = new Date(now.getTime() + 2_000);

    expect(await scheduler().publishDueRetries()).toBe(1);
    expect((await outbox())[0]?.value).toMatchObject({ attempt: 2, avoidProviders: [], pinProvider: 'vonage' });
  });

  it('claims each due retry once when two schedulers race (two intake replicas)', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, () => newMessage(now)));
    await dataSource.query('DELETE FROM intake_outbox');
    const applier = new StatusApplier(dataSource, POLICY, () => now);
    await Promise.all(ids.map((id) => applier.apply(retry(id, 1))));
    now = new Date(now.getTime() + 2_000);

    const counts = await Promise.all([scheduler().publishDueRetries(), scheduler().publishDueRetries()]);

    expect(counts[0] + counts[1]).toBe(30);
    const rows = await outbox();
    expect(rows.map((r) => r.msg_key).sort()).toEqual([...ids].sort());
    expect(errors).toEqual([]);
  });

  it('tells the scheduler, after the commit, when the retry it scheduled is due', async () => {
    const id = await newMessage(now);
    const told: Date[] = [];
    const applier = new StatusApplier(
      dataSource,
      POLICY,
      () => now,
      () => 1,
      undefined,
      undefined,
      (at) => told.push(at),
    );

    await applier.apply(retry(id, 1));

    // random 1: the whole first backoff, baseDelayMs.
    expect(told).toEqual([new Date(now.getTime() + POLICY.baseDelayMs)]);
    expect((await ledger(id)).next_retry_at?.getTime()).toBe(now.getTime() + POLICY.baseDelayMs);
    await applier.apply(event(id, StatusEventKind.Sent, { providerMessageId: 'SM-told' }));
    expect(told).toHaveLength(1);
  });

  it('publishes a stored retry when it is due, without polling the ledger in between', async () => {
    await dataSource.query('UPDATE sms_messages SET next_retry_at = NULL');
    const id = await newMessage(new Date());
    await dataSource.query('DELETE FROM intake_outbox');
    const dueIn = 800;
    await dataSource.query('UPDATE sms_messages SET next_retry_at = ? WHERE id = ?', [
      new Date(Date.now() + dueIn),
      id,
    ]);
    const dueQueries: string[] = [];
    const log: EntitySubscriberInterface = {
      beforeQuery: (e: BeforeQueryEvent<unknown>) => {
        if (e.query.includes('next_retry_at <= ?')) {
          dueQueries.push(e.query);
        }
      },
    };
    dataSource.subscribers.push(log);
    const sut = new RetryScheduler(
      dataSource,
      () => published++,
      (error) => errors.push(error),
      STALE_AFTER_MS,
    );
    const started = Date.now();
    sut.start();
    try {
      while (published === 0 && Date.now() - started < 4_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const tookMs = Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      expect(published).toBe(1);
      expect(tookMs).toBeGreaterThanOrEqual(dueIn - 50);
      expect(tookMs).toBeLessThan(dueIn + 1_000);
      // One pass at start, one when the retry was due; nothing is due for the second after (the fixed
      // 250 ms poll made ~8 passes over the same time).
      expect(dueQueries.length).toBeLessThanOrEqual(3);
      expect((await outbox()).map((row) => row.msg_key)).toEqual([id]);
      expect(errors).toEqual([]);
    } finally {
      await sut.stop();
      dataSource.subscribers.splice(dataSource.subscribers.indexOf(log), 1);
    }
  });

  it('plans a pass sooner when told of a retry due before the planned one', async () => {
    await dataSource.query('UPDATE sms_messages SET next_retry_at = NULL');
    const id = await newMessage(new Date());
    await dataSource.query('DELETE FROM intake_outbox');
    const sut = new RetryScheduler(
      dataSource,
      () => published++,
      (error) => errors.push(error),
      STALE_AFTER_MS,
    );
    sut.start();
    try {
      // The start pass finds nothing and plans the next one idleCheckMs (5 s) away.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const at = new Date(Date.now() + 300);
      await dataSource.query('UPDATE sms_messages SET next_retry_at = ? WHERE id = ?', [at, id]);
      const told = Date.now();
      sut.retryScheduled(at);
      while (published === 0 && Date.now() - told < 4_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }

      expect(published).toBe(1);
      expect(Date.now() - told).toBeLessThan(1_500);
      expect(errors).toEqual([]);
    } finally {
      await sut.stop();
    }
  });

  it('re-publishes a message stuck in queued past the stale threshold, once', async () => {
    const created = new Date(now.getTime() - STALE_AFTER_MS - 1_000);
    const stale = await newMessage(created);
    const fresh = await newMessage(now);
    const sent = await newMessage(created);
    await new StatusApplier(dataSource, POLICY, () => created).apply(
      event(sent, StatusEventKind.Sent, { providerMessageId: 'SM7' }),
    );
    await dataSource.query('DELETE FROM intake_outbox');
    const sut = scheduler();

    expect(await sut.republishStale()).toBe(1);
    expect(await outbox()).toEqual([
      { topic: TOPICS.accepted, msg_key: stale, value: expect.objectContaining({ messageId: stale, attempt: 1 }) },
    ]);
    expect((await ledger(stale)).next_retry_at).toBeNull();
    expect(fresh).not.toBe(stale);

    expect(await sut.republishStale()).toBe(0);
    expect(await sut.publishDueRetries()).toBe(0);
    expect(await outbox()).toHaveLength(1);
    expect(published).toBe(1);
  });
});
