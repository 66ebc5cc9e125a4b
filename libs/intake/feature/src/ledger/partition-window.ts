import { uuidV7Time } from '@sms/persistence';

/**
 * Where a message's created_at lies around its id's UUIDv7 time: the gateway makes the id just before it
 * writes the row, so the window is narrow, with room for the admission checks in between and clock skew.
 * A producer's own id on `sms.send.v1` may carry any time: a read bounded by this window that misses a row
 * must ask again without it.
 */
export const CREATED_BEFORE_ID_MS = 3_600_000;
export const CREATED_AFTER_ID_MS = 86_400_000;

/** A half-open `[from, to)` range of a partitioning column: naming it lets MariaDB read only its partitions. */
export interface TimeWindow {
  readonly from: Date;
  readonly to: Date;
}

/** The created_at window the ids' UUIDv7 times imply, or null when any id is not a UUIDv7 (or none is given). */
export function createdWindowOfIds(ids: readonly string[]): TimeWindow | null {
  let min = Infinity;
  let max = -Infinity;
  for (const id of ids) {
    const time = uuidV7Time(id)?.getTime();
    if (time === undefined) {
      return null;
    }
    min = Math.min(min, time);
    max = Math.max(max, time);
  }

  return ids.length > 0
    ? { from: new Date(min - CREATED_BEFORE_ID_MS), to: new Date(max + CREATED_AFTER_ID_MS) }
    : null;
}

/**
 * The smallest window of whole seconds that holds every instant (the stored values exactly, whatever the
 * driver does with milliseconds), or null for none or an invalid one.
 */
export function windowAround(instants: Iterable<Date>): TimeWindow | null {
  let min = Infinity;
  let max = -Infinity;
  for (const instant of instants) {
    const time = instant.getTime();
    if (Number.isNaN(time)) {
      return null;
    }
    min = Math.min(min, time);
    max = Math.max(max, time);
  }

  return min <= max
    ? { from: new Date(Math.floor(min / 1000) * 1000), to: new Date(Math.floor(max / 1000) * 1000 + 1000) }
    : null;
}
