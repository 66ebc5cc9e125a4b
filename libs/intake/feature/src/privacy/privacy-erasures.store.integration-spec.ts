/**
 * The erasure record across regions on both run modes' databases (MariaDB through the intake migrations,
 * SQLite from the entities): an erasure waits for every slice of every configured region, a region's report
 * is filed under its own name, the first report of a (region, slice) counts, and a deployment without
 * regions completes on its slices alone, as before.
 */
import { type ErasureReportedV1, type ErasureSlice, TOPICS } from '@sms/contracts';
import type { DataSource } from 'typeorm';
import { INTAKE_MARIADB, INTAKE_SQLITE } from '../../test/intake-engines';
import { PrivacyErasuresStore } from './privacy-erasures.store';

jest.setTimeout(120_000);

const SALT = 's'.repeat(32);
const ACCOUNT = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
const KEY = '1a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
const SLICES: ErasureSlice[] = ['intake', 'opt-out'];

describe.each([INTAKE_MARIADB, INTAKE_SQLITE])('privacy erasures store on $name', (engine) => {
  let close: (() => Promise<void>) | undefined;
  let dataSource: DataSource;
  let store: PrivacyErasuresStore;

  beforeAll(async () => {
    ({ dataSource, close } = await engine.open());
    store = new PrivacyErasuresStore(dataSource, SALT, () => undefined);
  });

  afterAll(() => close?.());

  const report = (erasureId: string, region: string | null, slice: ErasureSlice, rows: number): ErasureReportedV1 => ({
    erasureId,
    region,
    slice,
    stores: { [`${slice}-table`]: rows },
    erasedAt: '2026-12-07T10:00:00.000Z',
  });

  it('waits for every slice of every region, files each region apart, and keeps the first report', async () => {
    const asked = await store.request({
      accountId: ACCOUNT,
      requestedBy: KEY,
      number: '+447400123456',
      slices: SLICES,
      regions: ['eu', 'us'],
    });
    expect(asked.slices.map((s) => `${s.region}/${s.slice}/${s.status}`)).toEqual([
      'eu/intake/pending',
      'eu/opt-out/pending',
      'us/intake/pending',
      'us/opt-out/pending',
    ]);
    // The command went out on the erasure topic (global in a multi-region deployment), from the outbox.
    const [outbox] = await dataSource.query<{ topic: string }[]>('SELECT `topic` FROM `intake_outbox`');
    expect(outbox?.topic).toBe(TOPICS.privacy);

    for (const piece of [
      report(asked.id, 'eu', 'intake', 3),
      report(asked.id, 'eu', 'opt-out', 1),
      report(asked.id, 'us', 'intake', 2),
      report(asked.id, 'us', 'intake', 0),
    ]) {
      expect(await store.record(piece)).toBe(true);
    }
    const partial = await store.find(asked.id);
    // Three of four (region, slice) pairs: one region's opt-out slice has not answered.
    expect(partial?.status).toBe('pending');
    expect(partial?.slices.find((s) => s.region === 'us' && s.slice === 'intake')?.stores).toEqual({
      'intake-table': 2,
    });
    expect(partial?.slices.find((s) => s.region === 'us' && s.slice === 'opt-out')?.status).toBe('pending');

    await store.record(report(asked.id, 'us', 'opt-out', 0));
    const whole = await store.find(asked.id);
    expect(whole?.status).toBe('completed');
    expect(whole?.completedAt).not.toBeNull();
    expect(whole?.slices.map((s) => `${s.region}/${s.slice}:${JSON.stringify(s.stores)}`)).toEqual([
      'eu/intake:{"intake-table":3}',
      'eu/opt-out:{"opt-out-table":1}',
      'us/intake:{"intake-table":2}',
      'us/opt-out:{"opt-out-table":0}',
    ]);
  });

  it('does not count a report of a region the erasure does not wait for', async () => {
    const asked = await store.request({
      accountId: ACCOUNT,
      requestedBy: KEY,
      number: '+447400123457',
      slices: ['intake'],
      regions: ['eu'],
    });
    await store.record(report(asked.id, 'ap', 'intake', 1));
    expect((await store.find(asked.id))?.status).toBe('pending');
    await store.record(report(asked.id, 'eu', 'intake', 1));
    expect((await store.find(asked.id))?.status).toBe('completed');
  });

  it('completes on its slices alone without regions, reports naming none', async () => {
    const asked = await store.request({
      accountId: ACCOUNT,
      requestedBy: KEY,
      number: '+447400123458',
      slices: SLICES,
      regions: [],
    });
    await store.record(report(asked.id, null, 'intake', 1));
    await store.record({ ...report(asked.id, null, 'opt-out', 0), region: undefined });
    const whole = await store.find(asked.id);
    expect(whole?.status).toBe('completed');
    expect(whole?.slices.map((s) => [s.region, s.slice, s.status])).toEqual([
      [null, 'intake', 'completed'],
      [null, 'opt-out', 'completed'],
    ]);
  });

  it('answers false for a report of an erasure asked in another region', async () => {
    expect(await store.record(report('7c0b7d6e-5a6f-4b7e-8c9d-1e2f3a4b5c6d', 'us', 'intake', 0))).toBe(false);
  });
});
