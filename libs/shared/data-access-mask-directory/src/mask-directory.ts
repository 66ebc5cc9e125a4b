import { DEFAULT_ACCOUNT_ID, type MaskDirectoryChangedV1 } from '@sms/contracts';

export type MaskResolution =
  | { readonly kind: 'not-masked' }
  | { readonly kind: 'resolved'; readonly to: string; readonly from: string; readonly maskId: string }
  | { readonly kind: 'unresolved'; readonly reason: string };

interface Assignment {
  readonly destination: string;
  readonly sender: string;
  readonly maskId: string;
  readonly expiresAt: number;
  readonly accountId: string;
}

/**
 * An in-memory copy of the masking pool and its active assignments, fed from `sms.mask.v1`: intake
 * resolves a send to a masked number with two Map lookups and no I/O.
 */
export class MaskDirectory {
  private readonly pool = new Set<string>();
  private readonly assignments = new Map<string, Assignment>();

  constructor(private readonly now: () => number = Date.now) {}

  apply(change: MaskDirectoryChangedV1): void {
    if (change.kind === 'pool') {
      if (change.active) {
        this.pool.add(change.poolNumber);
      } else {
        this.pool.delete(change.poolNumber);
      }

      return;
    }
    const key = `${change.participant ?? ''}|${change.poolNumber}`;
    if (change.active && change.destination && change.sender && change.maskId && change.expiresAt) {
      this.assignments.set(key, {
        destination: change.destination,
        sender: change.sender,
        maskId: change.maskId,
        expiresAt: Date.parse(change.expiresAt),
        accountId: change.accountId ?? DEFAULT_ACCOUNT_ID,
      });
    } else {
      this.assignments.delete(key);
    }
  }

  /**
   * Where a message to `to` really goes. A pool number alone is ambiguous (it serves many sessions),
   * so the sender context is required: `from` must be the real number of a participant with an active
   * session on that pool number, and the message then goes to the other party from their masked number.
   * A session belongs to one account: another account's caller cannot write into it (it is unresolved,
   * exactly as if there were none, so its existence is not disclosed).
   */
  resolve(to: string, from: string | null, accountId: string): MaskResolution {
    if (!this.pool.has(to)) {
      return { kind: 'not-masked' };
    }
    if (from === null) {
      return {
        kind: 'unresolved',
        reason: 'a masked number serves many sessions: set from to the real number of the participant who writes',
      };
    }
    const assignment = this.assignments.get(`${from}|${to}`);
    if (!assignment || assignment.expiresAt <= this.now() || assignment.accountId !== accountId) {
      return { kind: 'unresolved', reason: 'from has no active masking session on this number' };
    }

    return { kind: 'resolved', to: assignment.destination, from: assignment.sender, maskId: assignment.maskId };
  }

  /** True for a number of the masking pool: a thread on it is a masked session's. */
  isPoolNumber(number: string): boolean {
    return this.pool.has(number);
  }

  /**
   * The account of `participant`'s active session on `poolNumber`, or null: what an inbound keyword
   * from a participant to their masked number answers.
   */
  accountOfSession(poolNumber: string, participant: string): string | null {
    const assignment = this.assignments.get(`${participant}|${poolNumber}`);

    return assignment && assignment.expiresAt > this.now() ? assignment.accountId : null;
  }
}
