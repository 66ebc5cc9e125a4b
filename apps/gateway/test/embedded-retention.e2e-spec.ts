/**
 * Retention in the embedded gateway (docs/data-lifecycle.md, "Retention and archive"): a message whose month
 * has left the hot window is archived, then deleted from SQLite; its GET answers 410 MESSAGE_ARCHIVED with
 * where it is, while an unknown id and another account's message stay 404; restoring the month brings it back.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  ArchiveCatalog,
  ArchiveVerifier,
  DirectoryArchiveStore,
  monthOf,
  MonthRestorer,
  type RetentionPurge,
  retentionPurgeToken,
} from '@sms/archive';
import { INTAKE_DATA_SOURCE } from '@sms/intake';
import { errorOf, GatewayClient } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { keyForAccount, startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(120_000);

const TO = '+447400123456';
const DAY_MS = 86_400_000;

let gateway: EmbeddedGateway;
let client: GatewayClient;
let intake: DataSource;

beforeAll(async () => {
  gateway = await startEmbeddedGateway();
  client = new GatewayClient(gateway.url, gateway.auth);
  intake = gateway.app.get<symbol, DataSource>(INTAKE_DATA_SOURCE);
});
afterAll(async () => {
  await gateway?.close();
});

/** Sends a message, waits until it is delivered, then moves it (and its events) back to `at`, under a new id of that time. */
async function deliveredMessageFrom(at: Date): Promise<string> {
  const accepted = await client.post('/v1/messages', { to: TO, body: 'An old secret' });
  expect(accepted.status).toBe(202);
  const id = accepted.body['id'];
  await client.waitForMessage(id, (m) => m.status === 'delivered');
  const oldId = uuidv7({ msecs: at.getTime() });
  const stored = at.toISOString().replace('T', ' ').replace('Z', '');
  await intake.query('UPDATE sms_messages SET id = ?, created_at = ? WHERE id = ?', [oldId, stored, id]);
  await intake.query('UPDATE message_events SET message_id = ?, occurred_at = ? WHERE message_id = ?', [
    oldId,
    stored,
    id,
  ]);

  return oldId;
}

it('archives a month past RETENTION_HOT_DAYS, deletes it, answers 410 with its place, and restores it', async () => {
  const old = new Date(Date.now() - 200 * DAY_MS);
  const month = monthOf(old);
  const oldId = await deliveredMessageFrom(old);
  const recent = await client.post('/v1/messages', { to: TO, body: 'A recent one' });
  const purge = gateway.app.get<symbol, RetentionPurge | null>(retentionPurgeToken('intake'), { strict: false });
  expect(purge).not.toBeNull();

  const purged = await purge!.runOnce();

  expect(purged).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ table: 'sms_messages', month, archived: 1, deleted: 1 }),
      expect.objectContaining({ table: 'message_events', month, deleted: expect.any(Number) }),
    ]),
  );
  expect(await intake.query('SELECT id FROM sms_messages WHERE id = ?', [oldId])).toEqual([]);
  expect(await intake.query('SELECT id FROM message_events WHERE message_id = ?', [oldId])).toEqual([]);
  const archiveDir = path.join(gateway.dataDir, 'archive');
  const file = `sms_messages/sms_messages-${month}.ndjson.gz`;
  expect(existsSync(path.join(archiveDir, file))).toBe(true);
  const catalog = new ArchiveCatalog(new DirectoryArchiveStore(archiveDir));
  expect(await new ArchiveVerifier(catalog).verify()).toMatchObject({ ok: true });

  const gone = await client.get(`/v1/messages/${oldId}`);
  expect(gone.status).toBe(410);
  expect(errorOf(gone)).toEqual({
    code: 'MESSAGE_ARCHIVED',
    message: expect.stringContaining(month),
    archive: { table: 'sms_messages', month, file },
  });

  // The hot window keeps the recent message.
  expect((await client.get(`/v1/messages/${recent.body['id']}`)).status).toBe(200);
  // Unknown ids are still 404: one of the archived month, and a random one.
  expect((await client.get(`/v1/messages/${uuidv7({ msecs: old.getTime() })}`)).status).toBe(404);
  expect((await client.get(`/v1/messages/${uuidv4()}`)).status).toBe(404);
  // Another account never learns the message exists.
  const other = await keyForAccount(gateway, 'ffffffff-0000-4000-8000-000000000022');
  expect((await client.get(`/v1/messages/${oldId}`, other)).status).toBe(404);

  // A second purge finds nothing left to retire.
  expect(await purge!.runOnce()).toEqual([]);

  const restored = await new MonthRestorer(catalog).restoreMonth(intake, 'sms_messages', month);
  expect(restored).toMatchObject({ read: 1, inserted: 1, droppedColumns: [] });
  await new MonthRestorer(catalog).restoreMonth(intake, 'message_events', month);
  const back = await client.get(`/v1/messages/${oldId}`);
  expect(back.status).toBe(200);
  expect(back.body).toMatchObject({ id: oldId, status: 'delivered', to: TO });
  expect(await intake.query('SELECT body FROM sms_messages WHERE id = ?', [oldId])).toEqual([
    { body: 'An old secret' },
  ]);
  expect(back.body['events'].map((event: { status: string }) => event.status)).toEqual(
    expect.arrayContaining(['queued', 'sent', 'delivered']),
  );
});
