import { InProcessBus } from '@sms/bus';
import { ERASURE_SLICES, type ErasureReportedV1, TOPICS } from '@sms/contracts';
import { type ArchiveEraser, erasureTokenOf, sealNumber, type SliceEraser } from '@sms/persistence';
import type { PrivacyErasuresStore } from './privacy-erasures.store';
import { PrivacyRuntime } from './privacy.runtime';

const SALT = 's'.repeat(32);
const PERSON = '+447400123456';

/** The archive port as the archive library implements it, over an in-memory list of archived rows. */
class ListArchive implements ArchiveEraser {
  readonly rows = [
    { file: 'sms_messages/2026-01.ndjson.gz', to: PERSON },
    { file: 'sms_messages/2026-02.ndjson.gz', to: '+447400654321' },
  ];

  async eraseNumber(number: string): Promise<{ filesRewritten: string[]; rowsErased: number }> {
    const hits = this.rows.filter((row) => row.to === number);
    for (const row of hits) {
      row.to = 'erased';
    }

    return { filesRewritten: hits.map((row) => row.file), rowsErased: hits.length };
  }
}

const intakeSlice: SliceEraser = { slice: 'intake', erase: async () => ({ sms_messages: 1 }) };

describe(PrivacyRuntime.name, () => {
  it('waits for every configured region, or none without regions', () => {
    const store = {} as PrivacyErasuresStore;
    expect(new PrivacyRuntime(store, SALT, intakeSlice, null).regions()).toEqual([]);
    expect(
      new PrivacyRuntime(store, SALT, intakeSlice, null, { region: 'us', regions: ['eu', 'us'] }).regions(),
    ).toEqual(['eu', 'us']);
  });

  it('expects the archives slice only when an archive eraser is bound', () => {
    const store = {} as PrivacyErasuresStore;
    expect(new PrivacyRuntime(store, SALT, intakeSlice, new ListArchive()).slices()).toEqual([...ERASURE_SLICES]);
    expect(new PrivacyRuntime(store, SALT, intakeSlice, null).slices()).not.toContain('archives');
  });

  it("erases the archives through the port on intake's command group and files both reports", async () => {
    const bus = new InProcessBus();
    const archive = new ListArchive();
    const recorded: ErasureReportedV1[] = [];
    const store = {
      record: async (report: ErasureReportedV1) => {
        recorded.push(report);

        return true;
      },
    } as unknown as PrivacyErasuresStore;
    await new PrivacyRuntime(store, SALT, intakeSlice, archive, { region: 'eu', regions: ['eu', 'us'] }).subscribe(bus);
    try {
      await bus.publish([
        {
          topic: TOPICS.privacy,
          key: 'e1',
          value: {
            erasureId: '0c0b7d6e-5a6f-4b7e-8c9d-1e2f3a4b5c6d',
            sealedNumber: sealNumber(SALT, PERSON),
            token: erasureTokenOf(SALT, PERSON),
            requestedAt: '2026-12-07T04:00:00.000Z',
          },
        },
      ]);
      const deadline = Date.now() + 5_000;
      while (recorded.length < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(recorded.map((r) => [r.slice, r.stores]).sort()).toEqual([
        ['archives', { 'archive:files': 1, 'archive:rows': 1 }],
        ['intake', { sms_messages: 1 }],
      ]);
      // Every region applies every command: each report names the region whose stores it erased.
      expect(recorded.map((r) => r.region)).toEqual(['eu', 'eu']);
      expect(archive.rows.map((row) => row.to)).toEqual(['erased', '+447400654321']);
    } finally {
      await bus.close();
    }
  });
});
