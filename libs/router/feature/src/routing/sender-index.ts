import type { SenderLookup, SenderSlot } from '../state/routing-state';

/**
 * The eligible senders of a decision by number, over the providers' own sender lists (no concatenated
 * copy). The first list holding a number wins, as a search of the concatenation would.
 *
 * The Map is built on the second lookup, not up front: a plan built for one cold decision is looked up
 * once or twice (a linear search then costs less than indexing hundreds of senders), while a cached
 * plan serves every decision of its shape and each of them looks up its sticky and its chosen sender.
 */
export class SenderIndex<S extends SenderSlot> implements SenderLookup {
  private byNumber: Map<string, S> | null = null;
  private lookups = 0;

  constructor(private readonly lists: readonly (readonly S[])[]) {}

  get(number: string): S | undefined {
    if (this.byNumber) {
      return this.byNumber.get(number);
    }
    if (++this.lookups < 2) {
      for (const list of this.lists) {
        for (const slot of list) {
          if (slot.number === number) {
            return slot;
          }
        }
      }

      return undefined;
    }
    const byNumber = new Map<string, S>();
    for (const list of this.lists) {
      for (const slot of list) {
        if (!byNumber.has(slot.number)) {
          byNumber.set(slot.number, slot);
        }
      }
    }
    this.byNumber = byNumber;

    return byNumber.get(number);
  }
}
