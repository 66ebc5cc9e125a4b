import { MemoryRoutingState } from './memory-routing-state';
import type { ClaimRequest, SenderSlot } from './routing-state';

const slots = (count: number, segmentsPerSecond = 1): SenderSlot[] =>
  Array.from({ length: count }, (_, i) => ({ number: `+4477009000${String(i).padStart(2, '0')}`, segmentsPerSecond }));

function setup() {
  let now = 1_000_000;
  const sut = new MemoryRoutingState(() => now);
  const claim = (group: readonly SenderSlot[], over: Partial<ClaimRequest> = {}) =>
    sut.claim({
      stickyKey: null,
      stickyTtlMs: 60_000,
      group,
      start: 0,
      eligible: new Map(group.map((s) => [s.number, s])),
      segments: 1,
      dryRun: false,
      ...over,
    });

  return { sut, claim, advance: (ms: number) => (now += ms) };
}

describe(MemoryRoutingState.name, () => {
  describe('claim over a group with a round-robin start offset', () => {
    it('takes the first free sender from the offset on, wrapping past the end', async () => {
      const { claim } = setup();
      const group = slots(4);
      await claim(group, { start: 3 });

      // The offset's sender (index 3) is busy now: the next free one in that order wraps to index 0.
      expect(await claim(group, { start: 3 })).toEqual({ number: group[0]!.number, delayMs: 0, how: 'free' });
      expect(await claim(group, { start: 2 })).toEqual({ number: group[2]!.number, delayMs: 0, how: 'free' });
    });

    it('spreads messages evenly when each starts one further on (as the engine turns its cursor)', async () => {
      const { claim, advance } = setup();
      const group = slots(5, 1_000);
      const counts = new Map<string, number>();
      for (let i = 0; i < 1_000; i++) {
        const { number } = await claim(group, { start: i % group.length });
        counts.set(number, (counts.get(number) ?? 0) + 1);
        advance(10);
      }

      expect([...counts.values()]).toEqual([200, 200, 200, 200, 200]);
    });

    it('when all are busy, takes the one free soonest, the first in round-robin order on a tie', async () => {
      const { claim } = setup();
      const group = slots(3);
      await claim(group, { segments: 3 });
      await claim(group, { segments: 2 });
      await claim(group, { segments: 2 });

      // Indexes 1 and 2 free after 2 s, index 0 after 3 s: from offset 2, index 2 comes first.
      expect(await claim(group, { start: 2 })).toEqual({ number: group[2]!.number, delayMs: 2_000, how: 'earliest' });
      expect(await claim(group, { start: 0 })).toEqual({ number: group[1]!.number, delayMs: 2_000, how: 'earliest' });
    });

    it('keeps a sticky sender found in the eligible lookup, outside the group too', async () => {
      const { claim } = setup();
      const group = slots(2);
      const outside = { number: '+447700900099', segmentsPerSecond: 1 };
      const eligible = new Map([...group, outside].map((s) => [s.number, s]));
      await claim([outside], { stickyKey: 'r1', eligible });

      expect(await claim(group, { stickyKey: 'r1', eligible })).toMatchObject({
        number: outside.number,
        how: 'sticky',
      });
      // No longer eligible: a new pick from the group, which then sticks.
      const moved = await claim(group, { stickyKey: 'r1', eligible: new Map(group.map((s) => [s.number, s])) });
      expect(moved).toMatchObject({ number: group[0]!.number, how: 'free' });
      expect(await claim(group, { stickyKey: 'r1', start: 1 })).toMatchObject({
        number: group[0]!.number,
        how: 'sticky',
      });
    });

    it("forgets a recipient's sticky sender on erasure, once", async () => {
      const { sut, claim, advance } = setup();
      const group = slots(2);
      await claim(group, { stickyKey: 'r1', start: 1 });
      advance(10_000);
      expect(await claim(group, { stickyKey: 'r1' })).toMatchObject({ number: group[1]!.number, how: 'sticky' });

      expect(await sut.forgetSticky('r1')).toBe(1);
      expect(await sut.forgetSticky('r1')).toBe(0);
      advance(10_000);
      expect(await claim(group, { stickyKey: 'r1' })).toMatchObject({ number: group[0]!.number, how: 'free' });
    });

    it('books nothing on a dry run', async () => {
      const { claim } = setup();
      const group = slots(1);
      for (let i = 0; i < 3; i++) {
        expect(await claim(group, { dryRun: true, segments: 5 })).toMatchObject({ delayMs: 0, how: 'free' });
      }
    });
  });
});
