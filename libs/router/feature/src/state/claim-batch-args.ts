import { type ClaimRequest, inTurn, msPerSegment, type SenderSequence } from './routing-state';

/** One claim as the batch script takes it: the first `count` senders of the group in round-robin order. */
export interface ClaimCall {
  readonly request: ClaimRequest;
  readonly count: number;
  readonly partial: boolean;
  /** The recipient's sticky sender outside the group ("<number>\t<ms>"), when the caller looked it up. */
  readonly stickyOutside: string;
  readonly ask: boolean;
}

/** A run of one group's senders in round-robin order from `base`, sent once for every claim reading it. */
interface SenderRange {
  readonly index: number;
  readonly group: SenderSequence;
  readonly base: number;
  length: number;
  members: boolean;
}

/** A claim's place in its range: its window is the range's senders offset + 1 .. offset + count. */
interface Placed {
  readonly call: ClaimCall;
  readonly range: SenderRange;
  readonly offset: number;
}

/**
 * Claims of one call share their senders: the claims of one plan start one turn apart, so their windows
 * overlap all but a sender each, and sending each claim's window whole (a key and two arguments per
 * sender) was most of what the router wrote and Redis parsed per claim. A claim reads a run of its group
 * already sent when the run needs to grow by no more than the claim's own window would cost, else it
 * starts a run of its own: a call never carries more senders than one window per claim.
 */
function placeClaims(calls: readonly ClaimCall[]): { ranges: SenderRange[]; placed: Placed[] } {
  const ranges: SenderRange[] = [];
  const latest = new Map<SenderSequence, SenderRange>();
  const placed = calls.map((call): Placed => {
    const { group, start, stickyKey } = call.request;
    const needsMembers = stickyKey !== null && call.partial && group.membership !== undefined;
    const range = latest.get(group);
    const offset = range ? (start - range.base + group.length) % group.length : 0;
    if (range && offset + call.count - range.length <= call.count) {
      range.length = Math.max(range.length, offset + call.count);
      range.members ||= needsMembers;

      return { call, range, offset };
    }
    const fresh: SenderRange = {
      index: ranges.length + 1,
      group,
      base: start,
      length: call.count,
      members: needsMembers,
    };
    ranges.push(fresh);
    latest.set(group, fresh);

    return { call, range: fresh, offset: 0 };
  });

  return { ranges, placed };
}

/**
 * The batch script's KEYS and ARGV (CLAIM_BATCH_SCRIPT, redis-claims.ts). KEYS: every range's schedule
 * keys, range after range, then each claim's sticky key. ARGV: the key prefix, the number of ranges, per
 * range its length, its group's members (",<number>=<msPerSegment>,...", or '' when no claim needs them)
 * and per sender its number and msPerSegment; then the number of claims and per claim: its range, offset,
 * count, segments, stickyTtlMs, dryRun, the sticky sender outside the group, ask, sticky, partial.
 */
export function claimBatchArgs(calls: readonly ClaimCall[], keyPrefix: string): { keys: string[]; args: string[] } {
  const { ranges, placed } = placeClaims(calls);
  const keys: string[] = [];
  const args: string[] = [keyPrefix, String(ranges.length)];
  for (const range of ranges) {
    args.push(String(range.length), range.members ? (range.group.membership ?? '') : '');
    for (let i = 0; i < range.length; i++) {
      const slot = inTurn(range.group, range.base, i);
      keys.push(`rl:${slot.number}`);
      args.push(slot.number, String(msPerSegment(slot)));
    }
  }
  args.push(String(placed.length));
  for (const { call, range, offset } of placed) {
    const { request } = call;
    keys.push(request.stickyKey ? `st:${request.stickyKey}` : '');
    args.push(
      String(range.index),
      String(offset),
      String(call.count),
      String(request.segments),
      String(request.stickyTtlMs),
      request.dryRun ? '1' : '0',
      call.stickyOutside,
      call.ask ? '1' : '0',
      request.stickyKey ? '1' : '0',
      call.partial ? '1' : '0',
    );
  }

  return { keys, args };
}
