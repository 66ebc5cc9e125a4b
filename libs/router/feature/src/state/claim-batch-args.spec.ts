import { type ClaimCall, claimBatchArgs } from './claim-batch-args';
import type { ClaimRequest, SenderSlot } from './routing-state';

const senders = (prefix: string, size: number): SenderSlot[] =>
  Array.from({ length: size }, (_, i) => ({ number: `${prefix}${i}`, segmentsPerSecond: 4 }));

const call = (
  group: readonly SenderSlot[],
  start: number,
  count: number,
  over: Partial<ClaimRequest> = {},
): ClaimCall => ({
  request: {
    stickyKey: null,
    stickyTtlMs: 1_000,
    group,
    start,
    eligible: new Map(),
    segments: 1,
    dryRun: false,
    ...over,
  },
  count,
  partial: count < group.length,
  stickyOutside: '',
  ask: true,
});

/** The ranges' lengths and their numbers, read back from the arguments. */
function rangesOf(args: readonly string[]): string[][] {
  const ranges: string[][] = [];
  let at = 2;
  for (let r = 0; r < Number(args[1]); r++) {
    const length = Number(args[at]);
    ranges.push(Array.from({ length }, (_, i) => args[at + 2 + 2 * i]!));
    at += 2 + 2 * length;
  }

  return ranges;
}

/** Per claim: its range (1-based) and offset in it. */
function placesOf(args: readonly string[]): [number, number][] {
  let at = 2;
  for (let r = 0; r < Number(args[1]); r++) {
    at += 2 + 2 * Number(args[at]);
  }

  return Array.from({ length: Number(args[at]) }, (_, n) => [
    Number(args[at + 1 + n * 10]),
    Number(args[at + 2 + n * 10]),
  ]);
}

describe('claimBatchArgs', () => {
  it('sends the windows of claims one turn apart as one run of the group', () => {
    const group = senders('+44', 10);
    const { keys, args } = claimBatchArgs([call(group, 8, 4), call(group, 9, 4), call(group, 0, 4)], 'p:');

    expect(rangesOf(args)).toEqual([['+448', '+449', '+440', '+441', '+442', '+443']]);
    expect(placesOf(args)).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(keys).toEqual(['rl:+448', 'rl:+449', 'rl:+440', 'rl:+441', 'rl:+442', 'rl:+443', '', '', '']);
    expect(args[0]).toBe('p:');
    expect(args[3]).toBe('');
    expect(args[5]).toBe('250');
  });

  it('starts a run of its own for a window the run would have to grow by more than the window to reach', () => {
    const group = senders('+44', 40);
    const { args } = claimBatchArgs([call(group, 0, 4), call(group, 20, 4), call(group, 2, 4)], 'p:');

    expect(rangesOf(args)).toEqual([
      ['+440', '+441', '+442', '+443'],
      ['+4420', '+4421', '+4422', '+4423'],
      ['+442', '+443', '+444', '+445'],
    ]);
    // Only the latest run of a group is grown: the one from 20 is too far from the third claim's window.
    expect(placesOf(args)).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
  });

  it("keeps groups apart, and sends a group's members once when a sticky claim of a partial window needs them", () => {
    const alpha = Object.assign(senders('+441', 20), { membership: ',alpha,' });
    const bravo = senders('+442', 2);
    const { keys, args } = claimBatchArgs(
      [call(alpha, 0, 16, { stickyKey: 'r1' }), call(bravo, 1, 2, { stickyKey: 'r2' }), call(alpha, 1, 16)],
      'p:',
    );

    expect(rangesOf(args).map((r) => r.length)).toEqual([17, 2]);
    expect(args[3]).toBe(',alpha,');
    expect(placesOf(args)).toEqual([
      [1, 0],
      [2, 0],
      [1, 1],
    ]);
    expect(keys.slice(-3)).toEqual(['st:r1', 'st:r2', '']);
  });
});
