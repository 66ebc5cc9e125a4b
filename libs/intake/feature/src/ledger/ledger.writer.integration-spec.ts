/**
 * LedgerWriter's group commit against a real MariaDB with the real intake migrations: every accepted
 * message has its ledger row, its `queued` event and its outbox record, and one bad row fails alone.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_ACCOUNT_ID, decodeEvent, MessageAcceptedV1, TOPICS } from '@sms/contracts';
import { type OpenSlice } from '@sms/testing-slices';
import type { DataSource } from 'typeorm';
import { INTAKE_MARIADB } from '../../test/intake-engines';
import { validateMessageRequest } from '../messages/message-request.validator';
import { DuplicateMessageError, LedgerWriter, type NewMessage } from './ledger.writer';

jest.setTimeout(120_000);

let slice: OpenSlice;
let dataSource: DataSource;

beforeAll(async () => {
  slice = await INTAKE_MARIADB.open();
  dataSource = slice.dataSource;
});

afterAll(async () => {
  await slice?.close();
});

beforeEach(async () => {
  for (const table of ['message_events', 'sms_messages', 'intake_outbox', 'idempotency_keys']) {
    await dataSource.query(`DELETE FROM ${table}`);
  }
});

/** Not the default account, so a writer that dropped the account would show. */
const ACCOUNT = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';

const MESSAGE = validateMessageRequest({ to: '+447400123456', body: 'Your code is 123456', clientReference: 'r' });

const item = (id: string = randomUUID(), body = MESSAGE.body, idempotent = false): NewMessage => {
  const createdAt = new Date();

  return {
    id,
    message: { ...MESSAGE, body },
    apiKeyId: 'key-1',
    accountId: DEFAULT_ACCOUNT_ID,
    createdAt,
    idempotency: idempotent
      ? {
          scopeKey: `key-1:${id}`,
          fingerprint: 'f'.repeat(64),
          response: JSON.stringify({ status: 202, body: { id } }),
          expiresAt: new Date(createdAt.getTime() + 60_000),
        }
      : undefined,
  };
};

const count = async (sql: string, params: unknown[] = []): Promise<number> =>
  Number((await dataSource.query<{ n: number | string }[]>(sql, params))[0]?.n);

const ids = async (sql: string): Promise<string[]> =>
  (await dataSource.query<{ id: string }[]>(sql)).map((row) => row.id).sort();

describe(LedgerWriter.name, () => {
  it('commits 2,000 concurrent writes, each with its queued event and outbox record', async () => {
    let commits = 0;
    const sut = new LedgerWriter(dataSource, { onCommitted: () => commits++ });
    const items = Array.from({ length: 2_000 }, (_, n) => item(randomUUID(), `message ${n}`, n % 10 === 0));

    const outcomes = await Promise.allSettled(items.map((i) => sut.write(i)));
    await sut.drain();

    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const written = items.map((i) => i.id).sort();
    expect(await ids('SELECT id FROM sms_messages')).toEqual(written);
    expect(await ids(`SELECT message_id AS id FROM message_events WHERE status = 'queued' AND applied = 1`)).toEqual(
      written,
    );
    expect(await ids('SELECT msg_key AS id FROM intake_outbox')).toEqual(written);
    expect(await count('SELECT COUNT(*) AS n FROM message_events')).toBe(2_000);
    expect(await count("SELECT COUNT(*) AS n FROM idempotency_keys WHERE scope_key LIKE 'key-1:%'")).toBe(200);
    expect(await count("SELECT COUNT(*) AS n FROM idempotency_keys WHERE scope_key LIKE 'sms.send.v1:%'")).toBe(2_000);
    expect(await count(`SELECT COUNT(*) AS n FROM sms_messages WHERE status = 'queued' AND attempt = 1`)).toBe(2_000);
    // Group commit: far fewer transactions than messages.
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThanOrEqual(100);
  });

  it('writes the row as intake accepted it, and an outbox record that fits sms.accepted.v1', async () => {
    const sut = new LedgerWriter(dataSource);
    const one = { ...item(), accountId: ACCOUNT };
    await sut.write(one);

    const [row] = await dataSource.query<Record<string, unknown>[]>('SELECT * FROM sms_messages WHERE id = ?', [
      one.id,
    ]);
    expect(row).toMatchObject({
      status: 'queued',
      status_rank: 0,
      to_number: MESSAGE.to,
      country: 'GB',
      body: MESSAGE.body,
      encoding: 'GSM-7',
      segments: 1,
      message_class: 'transactional',
      client_reference: 'r',
      api_key_id: 'key-1',
      account_id: ACCOUNT,
      attempt: 1,
      next_retry_at: null,
    });
    const [outbox] = await dataSource.query<{ topic: string; msg_key: string; payload: string }[]>(
      'SELECT topic, msg_key, payload FROM intake_outbox',
    );
    expect(outbox).toMatchObject({ topic: TOPICS.accepted, msg_key: one.id });
    expect(decodeEvent(MessageAcceptedV1, JSON.parse(outbox?.payload ?? 'null'))).toMatchObject({
      messageId: one.id,
      accountId: ACCOUNT,
      attempt: 1,
      avoidProviders: [],
      pinProvider: null,
    });
  });

  it('fails only the duplicate of a batch: its neighbours commit, the first row is untouched', async () => {
    // One flush at a time: the first write goes alone, every later one waits and joins one batch.
    const sut = new LedgerWriter(dataSource, { maxConcurrentFlushes: 1 });
    const existing = item(randomUUID(), 'the original');
    await sut.write(existing);
    const twin = randomUUID();
    const batch = [
      ...Array.from({ length: 20 }, () => item()),
      item(existing.id, 'a repeated sms.send.v1 record'),
      ...Array.from({ length: 20 }, () => item()),
      item(twin, 'first of two with one id'),
      item(twin, 'second of two with one id'),
      ...Array.from({ length: 5 }, () => item()),
    ];

    const outcomes = await Promise.allSettled(batch.map((i) => sut.write(i)));

    const rejected = outcomes.flatMap((o, n) => (o.status === 'rejected' ? [{ n, reason: o.reason as unknown }] : []));
    expect(rejected.map((r) => r.n)).toEqual([20, 42]);
    for (const { reason } of rejected) {
      expect(reason).toBeInstanceOf(DuplicateMessageError);
    }
    const expected = [existing.id, ...batch.filter((_, n) => n !== 20 && n !== 42).map((i) => i.id)];
    expect(await ids('SELECT id FROM sms_messages')).toEqual([...new Set(expected)].sort());
    expect(await ids('SELECT msg_key AS id FROM intake_outbox')).toEqual([...new Set(expected)].sort());
    expect(await count('SELECT COUNT(*) AS n FROM message_events')).toBe(expected.length);
    const bodies = await dataSource.query<{ id: string; body: string }[]>(
      'SELECT id, body FROM sms_messages WHERE id IN (?, ?)',
      [existing.id, twin],
    );
    expect(Object.fromEntries(bodies.map((b) => [b.id, b.body]))).toEqual({
      [existing.id]: 'the original',
      [twin]: 'first of two with one id',
    });
  });

  it('rejects a lone duplicate with DuplicateMessageError', async () => {
    const sut = new LedgerWriter(dataSource);
    const one = item();
    await sut.write(one);

    await expect(sut.write(item(one.id))).rejects.toBeInstanceOf(DuplicateMessageError);
    expect(await count('SELECT COUNT(*) AS n FROM sms_messages')).toBe(1);
  });

  it('drains: resolves once everything queued is committed', async () => {
    const sut = new LedgerWriter(dataSource, { maxBatch: 10, maxConcurrentFlushes: 1 });
    const pending = Array.from({ length: 95 }, () => sut.write(item()));

    await sut.drain();

    expect(await count('SELECT COUNT(*) AS n FROM sms_messages')).toBe(95);
    await Promise.all(pending);
  });

  describe('writeAll (a batch request)', () => {
    it('writes 1,000 messages in one transaction, each with its event, outbox record and key', async () => {
      let commits = 0;
      const sut = new LedgerWriter(dataSource, { onCommitted: () => commits++ });
      const items = Array.from({ length: 1_000 }, (_, n) => item(randomUUID(), `batch ${n}`, n % 2 === 0));

      await sut.writeAll(items);

      expect(commits).toBe(1);
      expect(await count('SELECT COUNT(*) AS n FROM sms_messages')).toBe(1_000);
      expect(await count('SELECT COUNT(*) AS n FROM message_events')).toBe(1_000);
      expect(await count('SELECT COUNT(*) AS n FROM intake_outbox')).toBe(1_000);
      expect(await count("SELECT COUNT(*) AS n FROM idempotency_keys WHERE scope_key LIKE 'key-1:%'")).toBe(500);
      // The ids are not the gateway's own (idMadeHere unset): each is claimed beside the row.
      expect(await count("SELECT COUNT(*) AS n FROM idempotency_keys WHERE scope_key LIKE 'sms.send.v1:%'")).toBe(
        1_000,
      );
    });

    it('writes none of them when one fails, and says it was a duplicate', async () => {
      const sut = new LedgerWriter(dataSource);
      const existing = item();
      await sut.writeAll([existing]);
      const batch = [item(), item(), existing, item()];

      await expect(sut.writeAll(batch)).rejects.toBeInstanceOf(DuplicateMessageError);

      expect(await ids('SELECT id FROM sms_messages')).toEqual([existing.id]);
      expect(await count('SELECT COUNT(*) AS n FROM intake_outbox')).toBe(1);
    });
  });
});
