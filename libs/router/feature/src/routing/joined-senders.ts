import { SENDER_TYPES, type SenderType } from '../database/entities/phone-number.entity';
import type { SenderRun } from './route-snapshot';

/**
 * A country's senders as one joined string instead of a row each: "<provider> <type> <rate> <number>"
 * per sender, comma-separated. Hundreds of rows cost the driver an object and five strings each, which
 * was most of a cold load's CPU and allocation; one aggregate over the covering index costs the server
 * less than streaming the rows (no GROUP BY: a grouped form needed a temporary table and a sort, and
 * took longer than it saved). MariaDB, MySQL and SQLite (3.44+) spell both expressions alike; the number
 * goes last, as the one field that may hold a space.
 */
export const JOINED_SENDERS_SQL = "GROUP_CONCAT(CONCAT_WS(' ', provider_id, type, segments_per_second, number))";
/** What the joined string's length must add up to (with the commas): a cut list shows. */
export const JOINED_LENGTH_SQL = "SUM(LENGTH(CONCAT_WS(' ', provider_id, type, segments_per_second, number)))";

const TYPES: ReadonlySet<string> = new Set(SENDER_TYPES);
const SPACE = 0x20;

interface Group {
  readonly providerId: string;
  readonly type: SenderType;
  readonly numbers: string[];
  readonly segmentsPerSecond: number[];
  uniform: boolean;
}

/** Senders of one country collected per provider and type, then sorted into runs. */
export class CountrySenders {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly country: string) {}

  add(providerId: string, type: SenderType, number: string, segmentsPerSecond: number): void {
    push(this.groupOf(`${providerId} ${type}`, providerId, type), number, segmentsPerSecond);
  }

  /**
   * Adds every sender of the joined string; false when it does not add up to `count` senders of
   * `length` characters, or a field does not parse (a list cut at group_concat_max_len, whose default is
   * 1 KB in MySQL; a value holding a comma, written around the operator API): the caller then reads the
   * senders row by row.
   */
  addJoined(joined: string, count: number, length: number): boolean {
    if (joined.length !== length + count - 1) {
      return false;
    }
    // The groups seen so far, by their "<provider> <type> <rate>" head: a record is matched against
    // them in place, so only its number is cut out of the string (a few groups, hundreds of records).
    const heads: string[] = [];
    const groups: Group[] = [];
    const rates: number[] = [];
    let records = 0;
    for (let pos = 0; pos <= joined.length; records++) {
      let end = joined.indexOf(',', pos);
      end = end < 0 ? joined.length : end;
      let g = 0;
      while (
        g < heads.length &&
        !(joined.startsWith(heads[g]!, pos) && joined.charCodeAt(pos + heads[g]!.length) === SPACE)
      ) {
        g++;
      }
      if (g === heads.length) {
        const s1 = joined.indexOf(' ', pos);
        const s2 = s1 < 0 ? -1 : joined.indexOf(' ', s1 + 1);
        const s3 = s2 < 0 ? -1 : joined.indexOf(' ', s2 + 1);
        const type = s3 < 0 || s3 >= end ? '' : joined.slice(s1 + 1, s2);
        const rate = Number(joined.slice(s2 + 1, s3));
        if (!TYPES.has(type) || !Number.isFinite(rate)) {
          return false;
        }
        const providerId = joined.slice(pos, s1);
        heads.push(joined.slice(pos, s3));
        groups.push(this.groupOf(`${providerId} ${type}`, providerId, type as SenderType));
        rates.push(rate);
      }
      push(groups[g]!, joined.slice(pos + heads[g]!.length + 1, end), rates[g]!);
      pos = end + 1;
    }

    return records === count;
  }

  /** Forgets what addJoined() added before it gave up. */
  clear(): void {
    this.groups.clear();
  }

  /**
   * provider → one run per type, in number order (the round-robin order: what the pool's numbers
   * sorted all together give once a decision has taken a provider's senders of one type).
   */
  runs(): Map<string, SenderRun[]> {
    const out = new Map<string, SenderRun[]>();
    for (const group of this.groups.values()) {
      const run = sortedRun(group, this.country);
      const runs = out.get(group.providerId);
      if (runs) {
        runs.push(run);
      } else {
        out.set(group.providerId, [run]);
      }
    }

    return out;
  }

  private groupOf(key: string, providerId: string, type: SenderType): Group {
    let group = this.groups.get(key);
    if (!group) {
      group = { providerId, type, numbers: [], segmentsPerSecond: [], uniform: true };
      this.groups.set(key, group);
    }

    return group;
  }
}

function push(group: Group, number: string, segmentsPerSecond: number): void {
  group.uniform &&= group.segmentsPerSecond.length === 0 || group.segmentsPerSecond[0] === segmentsPerSecond;
  group.numbers.push(number);
  group.segmentsPerSecond.push(segmentsPerSecond);
}

const byCodeUnits = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** The aggregate usually follows the index, which is in number order: then there is nothing to sort. */
function inOrder(numbers: readonly string[]): boolean {
  for (let i = 1; i < numbers.length; i++) {
    if (numbers[i - 1]! > numbers[i]!) {
      return false;
    }
  }

  return true;
}

function sortedRun(group: Group, country: string): SenderRun {
  const { type, numbers, segmentsPerSecond } = group;
  if (inOrder(numbers)) {
    return { country, type, numbers, segmentsPerSecond };
  }
  if (group.uniform) {
    return { country, type, numbers: numbers.sort(byCodeUnits), segmentsPerSecond };
  }
  const order = numbers.map((_, i) => i).sort((x, y) => byCodeUnits(numbers[x]!, numbers[y]!));

  return {
    country,
    type,
    numbers: order.map((i) => numbers[i]!),
    segmentsPerSecond: order.map((i) => segmentsPerSecond[i]!),
  };
}
