import type { SenderLookup } from '../../state/routing-state';
import type { RouteSlot, SenderList } from './sender-list';

/**
 * The eligible senders of a decision by number, over the providers' own sender lists (no concatenated
 * copy). The first list holding a number wins, as a search of the concatenation would.
 *
 * The Map is built on the second lookup, not up front: a plan built for one cold decision is looked up
 * once or twice (a linear search then costs less than indexing hundreds of senders), while a cached
 * plan serves every decision of its shape and each of them looks up its sticky and its chosen sender.
 */
export class SenderIndex implements SenderLookup {
  private byNumber: Map<string, RouteSlot> | null = null;
  private lookups = 0;

  constructor(private readonly lists: readonly SenderList[]) {}

  get(number: string): RouteSlot | undefined {
    if (this.byNumber) {
      return this.byNumber.get(number);
    }
    if (++this.lookups < 2) {
      for (const list of this.lists) {
        const slot = list.find(number);
        if (slot) {
          return slot;
        }
      }

      return undefined;
    }
    const byNumber = new Map<string, RouteSlot>();
    for (const list of this.lists) {
      for (let i = 0; i < list.length; i++) {
        const slot = list.at(i)!;
        if (!byNumber.has(slot.number)) {
          byNumber.set(slot.number, slot);
        }
      }
    }
    this.byNumber = byNumber;

    return byNumber.get(number);
  }
}
