import { Logger } from '@nestjs/common';
import { MemoryKeyValueStore } from '@sms/counters';
import { metrics } from '@sms/metrics';
import { ApiError } from '@sms/platform';
import { PumpingGuard, redactRange } from './pumping-guard';

const OPTIONS = {
  namespace: 'ns:',
  windowMs: 60_000,
  sequentialRecipients: 5,
  prefixDigits: 3,
  highCostMicros: 100_000,
  highCostRecipients: 4,
  blockMs: 3_600_000,
};
const CHEAP = 40_000;
const ACCOUNT = 'acct-1';
const gb = (n: number): string => `+447400123${String(n).padStart(3, '0')}`;

async function refusal(run: Promise<unknown>): Promise<ApiError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof ApiError) {
      return error;
    }
    throw error;
  }
  throw new Error('was not refused');
}

describe(PumpingGuard.name, () => {
  let now: number;
  let kv: MemoryKeyValueStore;
  let guard: PumpingGuard;
  let audit: jest.SpyInstance;

  beforeEach(() => {
    now = Date.UTC(2026, 11, 6, 12);
    kv = new MemoryKeyValueStore(() => now);
    guard = new PumpingGuard(kv, OPTIONS, () => now);
    audit = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    audit.mockRestore();
    await kv.close();
  });

  it('checks the blocks and counts the windows in one store call per request', async () => {
    const guarded = jest.spyOn(kv, 'addToSetsUnlessGuarded');
    const get = jest.spyOn(kv, 'get');
    const addToSet = jest.spyOn(kv, 'addToSet');
    await guard.check(ACCOUNT, gb(0), 'GB', CHEAP);
    await guard.check(ACCOUNT, gb(1), 'XX', 200_000);

    expect([guarded.mock.calls.length, get.mock.calls.length, addToSet.mock.calls.length]).toEqual([2, 0, 0]);
    // A high-cost destination guards its country's window too.
    expect(guarded.mock.calls[1]?.[0]).toEqual([
      'ns:limits:pumping:block:acct-1:range:+447400123',
      'ns:limits:pumping:block:acct-1:country:XX',
    ]);
  });

  it('lets a burst to neighbouring numbers through until the threshold, then blocks that range for a while', async () => {
    const before = (await metrics.pumpingBlocks.get()).values.find((v) => v.labels.reason === 'sequential')?.value ?? 0;
    for (let n = 0; n < 4; n++) {
      await guard.check(ACCOUNT, gb(n), 'GB', CHEAP);
    }
    const error = await refusal(guard.check(ACCOUNT, gb(4), 'GB', CHEAP));

    expect([error.status, error.code, error.headers['retry-after']]).toEqual([429, 'PUMPING_SUSPECTED', '3600']);
    // Blocked now, even for a number it had already sent to.
    now += 10 * 60_000;
    expect((await refusal(guard.check(ACCOUNT, gb(0), 'GB', CHEAP))).headers['retry-after']).toBe('3000');
    const after = (await metrics.pumpingBlocks.get()).values.find((v) => v.labels.reason === 'sequential')?.value ?? 0;
    expect(after - before).toBe(1);
  });

  it('writes one audit line per block, without the digits of the range', async () => {
    for (let n = 0; n < 5; n++) {
      await guard.check(ACCOUNT, gb(n), 'GB', CHEAP).catch(() => undefined);
    }

    expect(audit).toHaveBeenCalledTimes(1);
    const line = String(audit.mock.calls[0]?.[0]);
    expect(line).toContain('pumping block: account=acct-1 reason=sequential country=GB range=+44*******xxx');
    expect(line).not.toContain('7400123');
  });

  it('keeps other ranges, other accounts and repeats to one recipient out of it', async () => {
    for (let i = 0; i < 10; i++) {
      await guard.check(ACCOUNT, gb(1), 'GB', CHEAP);
    }
    for (let n = 0; n < 4; n++) {
      await guard.check(ACCOUNT, gb(n), 'GB', CHEAP);
      await guard.check('acct-2', gb(n), 'GB', CHEAP);
    }
    await guard.check(ACCOUNT, '+447400124000', 'GB', CHEAP);
    await expect(guard.check(ACCOUNT, gb(6), 'GB', CHEAP)).rejects.toThrow(ApiError);
    // The other account's 4 recipients in the same range are its own count, and the next range is apart.
    await guard.check('acct-2', gb(0), 'GB', CHEAP);
    await guard.check(ACCOUNT, '+447400124001', 'GB', CHEAP);
  });

  it('forgets a burst spread wider than the window', async () => {
    for (let n = 0; n < 4; n++) {
      await guard.check(ACCOUNT, gb(n), 'GB', CHEAP);
    }
    now += OPTIONS.windowMs + 1;
    for (let n = 4; n < 8; n++) {
      await guard.check(ACCOUNT, gb(n), 'GB', CHEAP);
    }
  });

  it('blocks an account from a high-cost country after a few distinct recipients anywhere in it', async () => {
    const numbers = ['+2348031234567', '+2348051234567', '+2347061234567'];
    for (const number of numbers) {
      await guard.check(ACCOUNT, number, 'NG', 125_000);
    }
    const error = await refusal(guard.check(ACCOUNT, '+2349091234567', 'NG', 125_000));

    expect(error.code).toBe('PUMPING_SUSPECTED');
    await expect(guard.check(ACCOUNT, '+2348021234567', 'NG', 125_000)).rejects.toThrow(ApiError);
    // A cheap country never counts as high-cost.
    for (const number of ['+4915112345678', '+4915212345678', '+4916012345678', '+4917012345678']) {
      await guard.check(ACCOUNT, number, 'DE', CHEAP);
    }
  });

  it('lifts the block when it expires', async () => {
    for (let n = 0; n < 5; n++) {
      await guard.check(ACCOUNT, gb(n), 'GB', CHEAP).catch(() => undefined);
    }
    now += OPTIONS.blockMs;

    await guard.check(ACCOUNT, gb(9), 'GB', CHEAP);
  });
});

describe(redactRange.name, () => {
  it('keeps only the calling code and the shape', () => {
    expect(redactRange('+4474001', 'GB', 3)).toBe('+44*****xxx');
    expect(redactRange('+1202555', 'US', 2)).toBe('+1******xx');
  });
});
