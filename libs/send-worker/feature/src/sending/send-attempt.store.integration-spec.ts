/**
 * The attempt claim and outcome on both engines the send-worker runs on (SQLite embedded, MariaDB
 * distributed): a claim inserts a `sending` row once and refuses a second claim of the same (message,
 * attempt); finishing it records the outcome where the entity (the redelivery path) reads it back.
 */
import { randomUUID } from 'node:crypto';
import { sliceEngines } from '@sms/testing-slices';
import type { BeforeQueryEvent, DataSource } from 'typeorm';
import { SendAttemptEntity } from '../database/entities/send-attempt.entity';
import { SEND_WORKER_ENTITIES, SEND_WORKER_MIGRATIONS } from '../send-worker.module';
import { SendAttemptStore } from './send-attempt.store';

jest.setTimeout(60_000);

const ENGINES = sliceEngines({
  service: 'send-worker',
  entities: SEND_WORKER_ENTITIES,
  migrations: SEND_WORKER_MIGRATIONS,
});

describe.each(ENGINES)('SendAttemptStore on $name', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let store: SendAttemptStore;

  beforeAll(async () => {
    ({ dataSource, close } = await engine.open());
    store = new SendAttemptStore(dataSource);
  });

  afterAll(async () => {
    await close();
  });

  const row = (messageId: string, attempt: number) =>
    dataSource.getRepository(SendAttemptEntity).findOneByOrFail({ messageId, attempt });

  it('claims an attempt once, as sending, with its times', async () => {
    const messageId = randomUUID();
    const now = new Date('2026-12-06T10:00:00.123Z');

    await expect(store.claim(messageId, 1, 'twilio', now)).resolves.toBe(true);
    await expect(store.claim(messageId, 1, 'twilio', now)).resolves.toBe(false);
    await expect(store.claim(messageId, 2, 'vonage', now)).resolves.toBe(true);

    const claimed = await row(messageId, 1);
    expect(claimed).toMatchObject({
      provider: 'twilio',
      state: 'sending',
      providerMessageId: null,
      outcome: null,
      latencyMs: null,
    });
    expect(claimed.createdAt.toISOString()).toBe(now.toISOString());
    expect(claimed.updatedAt.toISOString()).toBe(now.toISOString());
  });

  it('writes concurrent claims together and refuses only the one already claimed', async () => {
    const [first, second, third, claimedBefore] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const now = new Date('2026-12-06T10:00:00.000Z');
    await store.claim(claimedBefore, 1, 'twilio', now);
    const inserts: string[] = [];
    const subscriber = {
      beforeQuery: (event: BeforeQueryEvent<unknown>) => {
        if (/^INSERT INTO send_attempts/.test(event.query)) {
          inserts.push(event.query);
        }
      },
    };
    dataSource.subscribers.push(subscriber);
    try {
      // The first claim goes alone; the three made while it is written share the next statement.
      const [a, b, duplicate, c] = await Promise.all([
        store.claim(first, 1, 'twilio', now),
        store.claim(second, 1, 'twilio', now),
        store.claim(claimedBefore, 1, 'twilio', now),
        store.claim(third, 1, 'twilio', now),
      ]);

      expect([a, b, duplicate, c]).toEqual([true, true, false, true]);
      // The shared batch met the duplicate (on SQLite, at its second row) and was written again claim by claim.
      expect(inserts.length).toBe(engine.name === 'SQLite' ? 6 : 5);
    } finally {
      dataSource.subscribers.splice(dataSource.subscribers.indexOf(subscriber), 1);
    }
    for (const messageId of [first, second, third]) {
      expect(await row(messageId, 1)).toMatchObject({ state: 'sending' });
    }
  });

  it('writes claims made at once in one statement on MySQL, one transaction on SQLite', async () => {
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const statements: string[] = [];
    const subscriber = {
      beforeQuery: (event: BeforeQueryEvent<unknown>) => {
        statements.push(event.query.trim().split(/\s+/)[0] ?? '');
      },
    };
    dataSource.subscribers.push(subscriber);
    try {
      const claimed = await Promise.all(ids.map((id) => store.claim(id, 1, 'twilio', new Date())));

      expect(claimed).toEqual([true, true, true, true, true]);
    } finally {
      dataSource.subscribers.splice(dataSource.subscribers.indexOf(subscriber), 1);
    }
    // The first alone, the four made while it was written together.
    expect(statements.filter((verb) => verb === 'INSERT')).toHaveLength(engine.name === 'SQLite' ? 5 : 2);
    if (engine.name === 'SQLite') {
      expect(statements.filter((verb) => verb === 'COMMIT')).toHaveLength(1);
    }
    expect(await dataSource.getRepository(SendAttemptEntity).countBy(ids.map((messageId) => ({ messageId })))).toBe(5);
  });

  it('records the outcome of the attempt it names only', async () => {
    const messageId = randomUUID();
    const claimedAt = new Date('2026-12-06T10:00:00.000Z');
    const doneAt = new Date('2026-12-06T10:00:01.250Z');
    await store.claim(messageId, 1, 'twilio', claimedAt);
    await store.claim(messageId, 2, 'twilio', claimedAt);
    const outcome = JSON.stringify({ messageId, kind: 'sent', providerMessageId: 'SM1' });

    await store.finish(messageId, 2, { latencyMs: 42, providerMessageId: 'SM1', outcome }, doneAt);

    const done = await row(messageId, 2);
    expect(done).toMatchObject({ state: 'done', latencyMs: 42, providerMessageId: 'SM1', outcome });
    expect(done.updatedAt.toISOString()).toBe(doneAt.toISOString());
    expect(done.createdAt.toISOString()).toBe(claimedAt.toISOString());
    expect(await row(messageId, 1)).toMatchObject({ state: 'sending', outcome: null });
  });

  it('records outcomes finished at once together, each on its own attempt', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const claimedAt = new Date('2026-12-06T10:00:00.000Z');
    for (const id of ids) {
      await store.claim(id, 1, 'twilio', claimedAt);
      await store.claim(id, 2, 'twilio', claimedAt);
    }
    const updates: string[] = [];
    const subscriber = {
      beforeQuery: (event: BeforeQueryEvent<unknown>) => {
        if (/^UPDATE send_attempts/.test(event.query)) {
          updates.push(event.query);
        }
      },
    };
    dataSource.subscribers.push(subscriber);
    try {
      await Promise.all(
        ids.map((id, n) =>
          store.finish(
            id,
            2,
            { latencyMs: 10 + n, providerMessageId: n === 1 ? null : `SM${n}`, outcome: `{"n":${n}}` },
            new Date(Date.parse('2026-12-06T10:00:01.000Z') + n),
          ),
        ),
      );
    } finally {
      dataSource.subscribers.splice(dataSource.subscribers.indexOf(subscriber), 1);
    }

    // The first alone, the two finished meanwhile together (on SQLite one UPDATE each, in one transaction).
    expect(updates).toHaveLength(engine.name === 'SQLite' ? 3 : 2);
    for (const [n, id] of ids.entries()) {
      const done = await row(id, 2);
      expect(done).toMatchObject({
        state: 'done',
        latencyMs: 10 + n,
        providerMessageId: n === 1 ? null : `SM${n}`,
        outcome: `{"n":${n}}`,
      });
      expect(done.updatedAt.toISOString()).toBe(new Date(Date.parse('2026-12-06T10:00:01.000Z') + n).toISOString());
      expect(await row(id, 1)).toMatchObject({ state: 'sending', outcome: null });
    }
  });

  it('records an outcome without a provider id', async () => {
    const messageId = randomUUID();
    await store.claim(messageId, 1, 'twilio', new Date());

    await store.finish(messageId, 1, { latencyMs: 0, providerMessageId: null, outcome: '{}' }, new Date());

    expect(await row(messageId, 1)).toMatchObject({ state: 'done', providerMessageId: null, outcome: '{}' });
  });
});
