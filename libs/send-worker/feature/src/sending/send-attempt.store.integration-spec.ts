/**
 * The attempt claim and outcome on both engines the send-worker runs on (SQLite embedded, MariaDB
 * distributed): a claim inserts a `sending` row once and refuses a second claim of the same (message,
 * attempt); finishing it records the outcome where the entity (the redelivery path) reads it back.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServiceDataSource } from '@sms/persistence';
import { createTestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { SendAttemptEntity } from '../database/entities/send-attempt.entity';
import { SEND_WORKER_ENTITIES, SEND_WORKER_MIGRATIONS } from '../send-worker.module';
import { SendAttemptStore } from './send-attempt.store';
import { migrateSlice } from '@sms/persistence';

jest.setTimeout(60_000);

interface Engine {
  readonly name: string;
  open(): Promise<{ dataSource: DataSource; close: () => Promise<void> }>;
}

const ENGINES: Engine[] = [
  {
    name: 'SQLite',
    async open() {
      const directory = mkdtempSync(path.join(tmpdir(), 'send-attempts-'));
      const dataSource = await createServiceDataSource({
        service: 'send-worker',
        database: { kind: 'sqlite', directory },
        entities: SEND_WORKER_ENTITIES,
        migrations: SEND_WORKER_MIGRATIONS,
      }).initialize();

      return {
        dataSource,
        close: async () => {
          await dataSource.destroy();
          rmSync(directory, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'MariaDB',
    async open() {
      const database = await createTestDatabase();
      await migrateSlice(database.url, 'send-worker', SEND_WORKER_MIGRATIONS);
      const dataSource = await createServiceDataSource({
        service: 'send-worker',
        database: { kind: 'mysql', url: database.url, poolSize: 4 },
        entities: SEND_WORKER_ENTITIES,
        migrations: SEND_WORKER_MIGRATIONS,
      }).initialize();

      return {
        dataSource,
        close: async () => {
          await dataSource.destroy();
          await database.drop();
        },
      };
    },
  },
];

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

  it('records an outcome without a provider id', async () => {
    const messageId = randomUUID();
    await store.claim(messageId, 1, 'twilio', new Date());

    await store.finish(messageId, 1, { latencyMs: 0, providerMessageId: null, outcome: '{}' }, new Date());

    expect(await row(messageId, 1)).toMatchObject({ state: 'done', providerMessageId: null, outcome: '{}' });
  });
});
