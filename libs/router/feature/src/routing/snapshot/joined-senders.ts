import { SENDER_TYPES, type SenderType } from '../../database/entities/phone-number.entity';
import type { SenderRun } from './route-snapshot';

/**
 * A country's senders one row per provider, type and rate limit, the group's numbers joined by commas
 * (GROUP_CONCAT, spelled alike in MariaDB, MySQL and SQLite), instead of a row per number: hundreds of
 * rows cost the driver an object and five strings each, which was most of a cold load's CPU and
 * allocation. The index leads with the grouping columns (migration SenderGroupIndex), so the server
 * walks the groups in index order, with no temporary table and no sort.
 */
export const JOINED_NUMBERS_SQL = 'GROUP_CONCAT(number)';
/** What the joined numbers must add up to, with the count: a cut list shows. */
export const JOINED_LENGTH_SQL = 'SUM(LENGTH(number))';

const TYPES: ReadonlySet<string> = new Set(SENDER_TYPES);

/** A provider's senders of one type: a list of numbers per rate limit. */
interface Group {
  readonly providerId: string;
  readonly type: SenderType;
  readonly numbers: string[][];
  /** The rate of each list. */
  readonly segmentsPerSecond: number[];
}

/** Senders of one country collected per provider and type, then sorted into runs. */
export class CountrySenders {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly country: string) {}

  /** One sender (the row-by-row fallback). */
  add(providerId: string, type: SenderType, number: string, segmentsPerSecond: number): void {
    const group = this.groupOf(providerId, type);
    const list = group.segmentsPerSecond.indexOf(segmentsPerSecond);
    if (list < 0) {
      group.numbers.push([number]);
      group.segmentsPerSecond.push(segmentsPerSecond);
    } else {
      group.numbers[list]!.push(number);
    }
  }

  /**
   * A group's joined numbers; false when they do not add up to `count` numbers of `length`
   * characters, or the type or rate does not parse (a list cut at group_concat_max_len, whose default
   * is 1 KB in MySQL; a value holding a comma, written around the operator API): the caller then reads
   * the senders row by row.
   */
  addJoined(
    providerId: string,
    type: string,
    segmentsPerSecond: number,
    joined: string,
    count: number,
    length: number,
  ): boolean {
    if (!TYPES.has(type) || !Number.isFinite(segmentsPerSecond) || joined.length !== length + count - 1) {
      return false;
    }
    const numbers = joined.split(',');
    if (numbers.length !== count) {
      return false;
    }
    const group = this.groupOf(providerId, type as SenderType);
    group.numbers.push(numbers);
    group.segmentsPerSecond.push(segmentsPerSecond);

    return true;
  }

  /** Forgets what addJoined() added before a group did not add up. */
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

  private groupOf(providerId: string, type: SenderType): Group {
    const key = `${providerId}\u0001${type}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { providerId, type, numbers: [], segmentsPerSecond: [] };
      this.groups.set(key, group);
    }

    return group;
  }
}

const byCodeUnits = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** The index gives each group's numbers in number order: then there is nothing to sort. */
function inOrder(numbers: readonly string[]): boolean {
  for (let i = 1; i < numbers.length; i++) {
    if (numbers[i - 1]! > numbers[i]!) {
      return false;
    }
  }

  return true;
}

/**
 * The group's lists (one per rate limit) merged in number order, each number keeping its rate. Each
 * list comes sorted (by the index); a pool's numbers of one provider and type often span two rates
 * (numbers added with the type's default and with their own), so this merges rather than sorting pairs.
 */
function sortedRun(group: Group, country: string): SenderRun {
  const { type } = group;
  for (const list of group.numbers) {
    if (!inOrder(list)) {
      list.sort(byCodeUnits);
    }
  }
  if (group.numbers.length === 1) {
    const numbers = group.numbers[0]!;

    return {
      country,
      type,
      numbers,
      segmentsPerSecond: new Array<number>(numbers.length).fill(group.segmentsPerSecond[0]!),
    };
  }
  const total = group.numbers.reduce((sum, list) => sum + list.length, 0);
  const numbers = new Array<string>(total);
  const segmentsPerSecond = new Array<number>(total);
  const next = group.numbers.map(() => 0);
  for (let out = 0; ; out++) {
    let pick = -1;
    for (let l = 0; l < group.numbers.length; l++) {
      const candidate = group.numbers[l]![next[l]!];
      if (candidate !== undefined && (pick < 0 || candidate < group.numbers[pick]![next[pick]!]!)) {
        pick = l;
      }
    }
    if (pick < 0) {
      break;
    }
    numbers[out] = group.numbers[pick]![next[pick]!]!;
    segmentsPerSecond[out] = group.segmentsPerSecond[pick]!;
    next[pick] = next[pick]! + 1;
  }

  return { country, type, numbers, segmentsPerSecond };
}
