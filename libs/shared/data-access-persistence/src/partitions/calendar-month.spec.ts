import {
  addMonths,
  monthEnd,
  monthOf,
  monthOfPartition,
  monthsBetween,
  monthStart,
  partitionNameOf,
} from './calendar-month';
import { uuidV7Time } from './uuid-time';

describe('calendar months', () => {
  it('names the UTC month of an instant, not the local one', () => {
    expect(monthOf(new Date('2026-12-31T23:59:59.999Z'))).toBe('2026-12');
    expect(monthOf(new Date('2027-01-01T00:00:00.000Z'))).toBe('2027-01');
  });

  it('moves across year ends both ways', () => {
    expect(addMonths('2026-11', 3)).toBe('2027-02');
    expect(addMonths('2027-01', -1)).toBe('2026-12');
    expect(monthEnd('2026-12').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(monthsBetween('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(monthsBetween('2027-02', '2026-11')).toEqual([]);
  });

  it('refuses what is not a month', () => {
    expect(() => monthStart('2026-13')).toThrow(/not a month/);
    expect(() => monthStart('2026-1')).toThrow(/not a month/);
    expect(() => monthStart("2026-01'; DROP TABLE x")).toThrow(/not a month/);
  });

  it('maps months to partition names and back, and nothing else to a month', () => {
    expect(partitionNameOf('2026-07')).toBe('p202607');
    expect(monthOfPartition('p202607')).toBe('2026-07');
    expect(monthOfPartition('p_future')).toBeNull();
  });
});

describe('uuidV7Time', () => {
  it('reads the milliseconds a UUIDv7 starts with', () => {
    expect(uuidV7Time('019afa2c-5a00-7000-8000-000000000000')?.toISOString()).toBe('2025-12-07T18:56:41.984Z');
  });

  it('answers null for other versions and for junk', () => {
    expect(uuidV7Time('9b2f8a4e-3c1d-4e5f-8a7b-6c5d4e3f2a1b')).toBeNull();
    expect(uuidV7Time('not-a-uuid')).toBeNull();
  });
});
