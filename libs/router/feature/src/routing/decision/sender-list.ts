import { segmentMs, type SenderSequence, type SenderSlot } from '../../state/routing-state';
import type { SenderRun } from '../snapshot/route-snapshot';

/** A sender the decision may pick, with the provider that owns it. */
export interface RouteSlot extends SenderSlot {
  readonly providerId: string;
}

/**
 * Past this many senders a group gives no membership string (SenderSequence.membership): its size would
 * cost more on every booking than asking back for the few recipients whose sticky sender is outside the
 * window.
 */
export const MAX_MEMBERSHIP = 512;

/**
 * ",<number>=<ms>" per sender and a closing comma. The common case (one rate for the list) is one join.
 * A value holding a comma (never through the operator API) is left out, so the claim asks back for it
 * instead of reading part of it as another number; an '=' inside a value cannot be misread, since what
 * follows the searched "<number>=" up to the next comma then never parses as a number.
 */
function membershipOf(numbers: readonly string[], segmentsPerSecond: readonly number[]): string {
  const rate = segmentsPerSecond[0];
  if (numbers.length === 0) {
    return ',';
  }
  if (segmentsPerSecond.every((r) => r === rate) && numbers.join('').indexOf(',') < 0) {
    const tail = `=${segmentMs(rate!)},`;

    return `,${numbers.join(tail)}${tail}`;
  }
  let out = ',';
  for (let i = 0; i < numbers.length; i++) {
    if (numbers[i]!.indexOf(',') < 0) {
      out += `${numbers[i]}=${segmentMs(segmentsPerSecond[i]!)},`;
    }
  }

  return out;
}

/**
 * A provider's senders of one type, in order, over the snapshot's number lists. A sender's slot is
 * made when something asks for it (the booking looks at the first few of the group in round-robin
 * order, a sticky lookup at one), not for each of hundreds of senders on every cold load, and kept for
 * the next ask: a cached plan serves many messages.
 */
export class SenderList implements SenderSequence<RouteSlot> {
  readonly length: number;
  private readonly slots: RouteSlot[] = [];
  private members: string | undefined;

  private constructor(
    readonly providerId: string,
    readonly numbers: readonly string[],
    private readonly segmentsPerSecond: readonly number[],
  ) {
    this.length = numbers.length;
  }

  /** The runs' numbers one run after another (one run's lists are used as they are). */
  static ofRuns(providerId: string, runs: readonly SenderRun[]): SenderList {
    if (runs.length === 1) {
      return new SenderList(providerId, runs[0]!.numbers, runs[0]!.segmentsPerSecond);
    }

    return new SenderList(
      providerId,
      runs.flatMap((run) => run.numbers),
      runs.flatMap((run) => run.segmentsPerSecond),
    );
  }

  static of(slot: RouteSlot): SenderList {
    return new SenderList(slot.providerId, [slot.number], [slot.segmentsPerSecond]);
  }

  at(index: number): RouteSlot | undefined {
    if (index < 0 || index >= this.length) {
      return undefined;
    }
    let slot = this.slots[index];
    if (!slot) {
      slot = {
        number: this.numbers[index]!,
        providerId: this.providerId,
        segmentsPerSecond: this.segmentsPerSecond[index]!,
      };
      this.slots[index] = slot;
    }

    return slot;
  }

  get membership(): string | undefined {
    if (this.members === undefined && this.length <= MAX_MEMBERSHIP) {
      this.members = membershipOf(this.numbers, this.segmentsPerSecond);
    }

    return this.members;
  }

  /** The sender with this number, or undefined. */
  find(number: string): RouteSlot | undefined {
    const index = this.numbers.indexOf(number);

    return index < 0 ? undefined : this.at(index);
  }
}

/** Tied providers' lists one after another: the equally good group of a decision. */
export class SenderGroup implements SenderSequence<RouteSlot> {
  readonly length: number;
  private members: string | undefined;

  constructor(private readonly lists: readonly SenderList[]) {
    this.length = lists.reduce((sum, list) => sum + list.length, 0);
  }

  get membership(): string | undefined {
    if (this.members === undefined && this.length <= MAX_MEMBERSHIP) {
      const inner = this.lists.map((list) => list.membership!.slice(1, -1)).filter((part) => part !== '');
      this.members = `,${inner.join(',')},`;
    }

    return this.members;
  }

  at(index: number): RouteSlot | undefined {
    let offset = index;
    for (const list of this.lists) {
      if (offset < list.length) {
        return offset < 0 ? undefined : list.at(offset);
      }
      offset -= list.length;
    }

    return undefined;
  }
}

/** One list as it is; several as a group over them. */
export const groupOf = (lists: readonly SenderList[]): SenderSequence<RouteSlot> =>
  lists.length === 1 ? lists[0]! : new SenderGroup(lists);
