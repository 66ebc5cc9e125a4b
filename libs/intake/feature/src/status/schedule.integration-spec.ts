/**
 * Scheduling, cancel and expiry in the ledger against a real MariaDB (intake's migrations, a database of this
 * file's own) and the send gate on the real Redis (keys under a namespace of this run's own). Messages are
 * written the way intake writes them (LedgerWriter); clocks are passed in, so nothing waits for real time.
 */
import { randomUUID } from 'node:crypto';
import {
  decodeEvent,
  MessageAcceptedV1,
  MessageStatus,
  type MessageTransitionV1,
  type StatusChangedV1,
  StatusEventKind,
  TOPICS,
} from '@sms/contracts';
import { RedisKeyValueStore, SendGate } from '@sms/counters';
import { ApiError } from '@sms/platform';
import { type OpenSlice } from '@sms/testing-slices';
import type { DataSource } from 'typeorm';
import { INTAKE_MARIADB } from '../../test/intake-engines';
import { statusEvent as sendWorkerEvent } from '../../test/intake-messages';
import { LedgerWriter } from '../ledger/ledger.writer';
import { validateMessageRequest } from '../messages/message-request.validator';
import { MessageCanceller } from './message-canceller';
import { ScheduledRelease } from './scheduled-release';
import { StatusApplier } from './status-applier.service';

jest.setTimeout(60_000);

const ACCOUNT = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
const OTHER_ACCOUNT = '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
const T0 = new Date('2026-03-01T09:00:00.000Z');
const at = (offsetMs: number): Date => new Date(T0.getTime() + offsetMs);

let slice: OpenSlice;
let dataSource: DataSource;
let writer: LedgerWriter;
let kv: RedisKeyValueStore;
let gate: SendGate;
let clock: Date;
const scheduledAt: Date[] = [];

beforeAll(async () => {
  slice = await INTAKE_MARIADB.open();
  dataSource = slice.dataSource;
  writer = new LedgerWriter(dataSource, { onScheduled: (when) => scheduledAt.push(when) });
  kv = new RedisKeyValueStore({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379' });
  gate = new SendGate(kv, `schedule-it:${randomUUID().slice(0, 8)}:`);
});

afterAll(async () => {
  await writer?.drain();
  await kv?.close();
  await slice?.close();
});

beforeEach(async () => {
  clock = T0;
  scheduledAt.length = 0;
  for (const table of ['message_events', 'sms_messages', 'intake_outbox']) {
    await dataSource.query(`DELETE FROM ${table}`);
  }
});

async function newMessage(fields: Record<string, unknown> = {}, account = ACCOUNT): Promise<string> {
  const id = randomUUID();
  await writer.write({
    id,
    message: validateMessageRequest({ to: '+447400123456', body: 'Your code is 123456', ...fields }, [], undefined, T0),
    apiKeyId: null,
    accountId: account,
    createdAt: T0,
  });

  return id;
}

const release = (): ScheduledRelease =>
  new ScheduledRelease(
    dataSource,
    () => undefined,
    (error) => {
      throw error;
    },
    undefined,
    () => clock,
  );

const canceller = (cancelled: string[] = []): MessageCanceller =>
  new MessageCanceller(
    dataSource,
    gate,
    (id) => cancelled.push(id),
    () => clock,
  );

async function row(id: string): Promise<{ status: string; error_code: string | null; next_retry_at: Date | null }> {
  const rows: { status: string; error_code: string | null; next_retry_at: Date | null }[] = await dataSource.query(
    'SELECT status, error_code, next_retry_at FROM sms_messages WHERE id = ?',
    [id],
  );

  return rows[0] as { status: string; error_code: string | null; next_retry_at: Date | null };
}

const outbox = async (topic: string): Promise<{ msg_key: string; payload: string }[]> =>
  dataSource.query('SELECT msg_key, payload FROM intake_outbox WHERE topic = ? ORDER BY id', [topic]);

const eventsOf = async (id: string): Promise<{ status: string; applied: number }[]> =>
  dataSource.query('SELECT status, applied FROM message_events WHERE message_id = ? ORDER BY id', [id]);

async function refusalOf(work: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ApiError) {
      return { status: error.status, code: error.code };
    }
    throw error;
  }
  throw new Error('not refused');
}

const statusEvent = (messageId: string, kind: StatusEventKind, over: Partial<StatusChangedV1> = {}): StatusChangedV1 =>
  sendWorkerEvent(messageId, kind, {
    providerMessageId: kind === StatusEventKind.Sent ? `SM${randomUUID().slice(0, 8)}` : null,
    ambiguous: false,
    occurredAt: clock.toISOString(),
    ...over,
  });

describe('scheduled messages', () => {
  it('holds a message scheduled, publishes nothing until its sendAt, then releases it queued with its deadline', async () => {
    const id = await newMessage({ sendAt: at(3_600_000).toISOString(), validitySeconds: 600 });
    expect(await row(id)).toMatchObject({ status: MessageStatus.Scheduled });
    expect(await outbox(TOPICS.accepted)).toEqual([]);
    expect(scheduledAt).toEqual([at(3_600_000)]);

    clock = at(3_599_999);
    expect(await release().releaseDue()).toBe(0);
    expect(await release().nextDueAt()).toEqual(at(3_600_000));

    clock = at(3_600_000);
    expect(await release().releaseDue()).toBe(1);
    expect(await row(id)).toMatchObject({ status: MessageStatus.Queued });
    const [record] = await outbox(TOPICS.accepted);
    const accepted = decodeEvent(MessageAcceptedV1, JSON.parse(record?.payload ?? 'null'));
    // The validity counts from the sendAt, not from acceptance an hour earlier.
    expect(accepted).toMatchObject({ messageId: id, attempt: 1, expiresAt: at(4_200_000).toISOString() });
    expect((await eventsOf(id)).map((e) => e.status)).toEqual(['scheduled', 'queued']);
  });

  it('is released once however many replicas race for it', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => newMessage({ sendAt: at(60_000).toISOString() })));
    clock = at(60_000);
    const claimed = await Promise.all([release().releaseDue(), release().releaseDue(), release().releaseDue()]);

    expect(claimed.reduce((sum, n) => sum + n, 0)).toBe(20);
    const keys = (await outbox(TOPICS.accepted)).map((r) => r.msg_key);
    expect(keys.sort()).toEqual([...ids].sort());
  });

  it('ends expired (VALIDITY_EXPIRED) when its validity ran out before the release (intake was down)', async () => {
    const expired: string[] = [];
    const id = await newMessage({ sendAt: at(60_000).toISOString(), validitySeconds: 60 });
    clock = at(120_000);
    const job = new ScheduledRelease(
      dataSource,
      () => undefined,
      () => undefined,
      (m) => expired.push(m),
      () => clock,
    );

    expect(await job.releaseDue()).toBe(1);
    expect(await row(id)).toMatchObject({ status: MessageStatus.Expired, error_code: 'VALIDITY_EXPIRED' });
    expect(await outbox(TOPICS.accepted)).toEqual([]);
    expect(expired).toEqual([id]);
  });
});

describe('cancel', () => {
  it('cancels a scheduled message, which the release then leaves alone; a second cancel is 409', async () => {
    const cancelled: string[] = [];
    const id = await newMessage({ sendAt: at(60_000).toISOString() });

    await canceller(cancelled).cancel(id, ACCOUNT);
    expect(await row(id)).toMatchObject({ status: MessageStatus.Cancelled });
    expect(cancelled).toEqual([id]);
    clock = at(60_000);
    expect(await release().releaseDue()).toBe(0);
    expect(await outbox(TOPICS.accepted)).toEqual([]);
    expect(await refusalOf(canceller().cancel(id, ACCOUNT))).toEqual({
      status: 409,
      code: 'MESSAGE_ALREADY_CANCELLED',
    });
    expect((await eventsOf(id)).map((e) => e.status)).toEqual(['scheduled', 'cancelled']);
  });

  it("answers 404 for another account's message and for no message, and changes nothing", async () => {
    const id = await newMessage({ sendAt: at(60_000).toISOString() });

    expect(await refusalOf(canceller().cancel(id, OTHER_ACCOUNT))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await refusalOf(canceller().cancel(randomUUID(), ACCOUNT))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await row(id)).toMatchObject({ status: MessageStatus.Scheduled });
  });

  it('cancels a queued message no send-worker reached, and the send-worker then finds the attempt cancelled', async () => {
    const id = await newMessage();

    await canceller().cancel(id, ACCOUNT);
    expect(await row(id)).toMatchObject({ status: MessageStatus.Cancelled });
    expect(await gate.enter(id, 1)).toBe('cancelled');
  });

  it('refuses (409) to cancel a queued message whose send began, and leaves it to the send result', async () => {
    const id = await newMessage();
    expect(await gate.enter(id, 1)).toBe('open');

    expect(await refusalOf(canceller().cancel(id, ACCOUNT))).toEqual({ status: 409, code: 'MESSAGE_WITH_PROVIDER' });
    expect(await row(id)).toMatchObject({ status: MessageStatus.Queued });
  });

  it('refuses (409) to cancel a sent message, and a late send result never revives a cancelled one', async () => {
    const applier = new StatusApplier(dataSource, { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 });
    const sent = await newMessage();
    await applier.apply(statusEvent(sent, StatusEventKind.Sent));
    expect(await refusalOf(canceller().cancel(sent, ACCOUNT))).toEqual({ status: 409, code: 'MESSAGE_WITH_PROVIDER' });

    const cancelled = await newMessage();
    await canceller().cancel(cancelled, ACCOUNT);
    expect(await applier.apply(statusEvent(cancelled, StatusEventKind.Sent))).toBe('recorded');
    expect(await applier.apply(statusEvent(cancelled, StatusEventKind.Failed))).toBe('recorded');
    expect(await row(cancelled)).toMatchObject({ status: MessageStatus.Cancelled });
  });

  it('cancels the next attempt of a message waiting for a retry (the failed attempt is no longer with a provider)', async () => {
    const applier = new StatusApplier(
      dataSource,
      { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 },
      () => clock,
    );
    const id = await newMessage();
    expect(await gate.enter(id, 1)).toBe('open');
    await applier.apply(statusEvent(id, StatusEventKind.Retry, { errorCode: 'TIMEOUT', errorClass: 'transient' }));
    expect((await row(id)).next_retry_at).not.toBeNull();

    await canceller().cancel(id, ACCOUNT);
    expect(await row(id)).toMatchObject({ status: MessageStatus.Cancelled, next_retry_at: null });
    expect(await gate.enter(id, 2)).toBe('cancelled');
  });

  it("tells the caller's callback about the cancel through the outbox", async () => {
    const id = await newMessage({ callbackUrl: 'https://app.example.com/sms-status' });
    await canceller().cancel(id, ACCOUNT);

    const [record] = await outbox(TOPICS.transition);
    expect(JSON.parse(record?.payload ?? 'null') as MessageTransitionV1).toMatchObject({
      messageId: id,
      accountId: ACCOUNT,
      status: MessageStatus.Cancelled,
      previousStatus: MessageStatus.Queued,
    });
  });
});

describe('expiry across retries', () => {
  it('ends expired instead of scheduling a retry that would come after the validity', async () => {
    // 60 s of validity; the first back-off of 1-2 s fits, so attempt 2 is scheduled.
    const applier = new StatusApplier(
      dataSource,
      { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 },
      () => clock,
      () => 1,
    );
    const id = await newMessage({ validitySeconds: 60 });
    await applier.apply(statusEvent(id, StatusEventKind.Retry, { errorCode: 'TIMEOUT', errorClass: 'transient' }));
    expect(await row(id)).toMatchObject({ status: MessageStatus.Queued });

    // Attempt 2 fails 59 s after acceptance: its back-off (2 s) would end past the deadline.
    clock = at(59_000);
    await applier.apply(
      statusEvent(id, StatusEventKind.Retry, { attempt: 2, errorCode: 'TIMEOUT', errorClass: 'transient' }),
    );
    expect(await row(id)).toMatchObject({
      status: MessageStatus.Expired,
      error_code: 'VALIDITY_EXPIRED',
      next_retry_at: null,
    });
  });
});
