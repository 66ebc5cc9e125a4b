import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReceiptSpool, type SpooledWebhook } from './receipt-spool';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const webhook = (id: string): SpooledWebhook => ({
  id,
  provider: 'test',
  kind: 'status',
  url: '/webhooks/test/status',
  method: 'POST',
  headers: {},
  body: '{}',
  contentType: 'application/json',
  dedupeKey: id,
  receivedAt: new Date().toISOString(),
});

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'receipt-spool-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ReceiptSpool drain timer', () => {
  it('ticks only while it holds receipts: armed by keep(), disarmed once drained', async () => {
    const spool = new ReceiptSpool({ directory: dir, maxBytes: 1024 * 1024, drainIntervalMs: 20 });
    await spool.init();
    const drained: string[] = [];
    spool.start(async (entries) => {
      drained.push(...entries.map((entry) => entry.id));
    });
    await sleep(60);
    expect(spool.ticking).toBe(false);

    await spool.keep(webhook('a'));
    expect(spool.ticking).toBe(true);
    const deadline = Date.now() + 5_000;
    while ((spool.holding || spool.ticking) && Date.now() < deadline) {
      await sleep(20);
    }
    expect(drained).toEqual(['a']);
    expect(spool.holding).toBe(false);
    expect(spool.ticking).toBe(false);
    await spool.stop();
  });

  it('keeps ticking at start while an earlier process left receipts, and stops with stop()', async () => {
    const earlier = new ReceiptSpool({ directory: dir, maxBytes: 1024 * 1024, drainIntervalMs: 20 });
    await earlier.init();
    await earlier.keep(webhook('left'));
    await earlier.stop();

    const spool = new ReceiptSpool({ directory: dir, maxBytes: 1024 * 1024, drainIntervalMs: 20 });
    await spool.init();
    let fail = true;
    const drained: string[] = [];
    spool.start(async (entries) => {
      if (fail) {
        fail = false;
        throw new Error('database down');
      }
      drained.push(...entries.map((entry) => entry.id));
    });
    expect(spool.ticking).toBe(true);
    const deadline = Date.now() + 5_000;
    while (drained.length === 0 && Date.now() < deadline) {
      await sleep(20);
    }
    expect(drained).toEqual(['left']);
    await spool.stop();
    expect(spool.ticking).toBe(false);
  });
});
