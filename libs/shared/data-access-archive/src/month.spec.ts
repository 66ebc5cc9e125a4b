import { lastRetiredMonth, monthBounds, monthOf, monthOfUuidV7, nextMonth } from './month';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';

describe('months', () => {
  it('bounds a month in UTC, December rolling into the next year', () => {
    expect(monthBounds('2026-12')).toEqual({
      start: new Date('2026-12-01T00:00:00.000Z'),
      end: new Date('2027-01-01T00:00:00.000Z'),
    });
    expect(nextMonth('2026-12')).toBe('2027-01');
    expect(monthOf(new Date('2026-02-28T23:59:59.999Z'))).toBe('2026-02');
  });

  it.each(['2026-13', '2026-1', '26-01', '2026-01-01', ''])('refuses %p', (month) => {
    expect(() => monthBounds(month)).toThrow(/YYYY-MM/);
  });

  it('reads the month from a UUIDv7 and nothing from another UUID', () => {
    expect(monthOfUuidV7(uuidv7({ msecs: Date.UTC(2025, 10, 30, 23, 59) }))).toBe('2025-11');
    expect(monthOfUuidV7(uuidv4())).toBeNull();
    expect(monthOfUuidV7('not-an-id')).toBeNull();
  });

  it('retires the months that ended RETENTION_HOT_DAYS ago or earlier', () => {
    // 90 days before 2026-04-15 is 2026-01-15: January is still partly hot, December is the newest cold month.
    expect(lastRetiredMonth(new Date('2026-04-15T00:00:00Z'), 90)).toBe('2025-12');
    // 90 days before 2026-05-01 is 2026-01-31: January is still hot up to its last day.
    expect(lastRetiredMonth(new Date('2026-05-01T12:00:00Z'), 90)).toBe('2025-12');
    // Exactly at the start of February: January has just left the window.
    expect(lastRetiredMonth(new Date(Date.UTC(2026, 1, 1) + 90 * 86_400_000), 90)).toBe('2026-01');
  });
});
