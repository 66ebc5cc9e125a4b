import { DEFAULT_ACCOUNT_ID, EVERY_ACCOUNT, type OptOutChangedV1 } from '@sms/contracts';
import { isErasureToken } from '@sms/persistence';
import type { OptOutChecker, OptOutQuery } from './opt-out-checker.port';

/** Marks an every-sender entry in a recipient's sender set. */
const EVERY_SENDER = '*';
/** Confirmation replies remembered as exempt; they are sent within seconds, so a small window suffices. */
const MAX_EXEMPT_IDS = 10_000;

type EntryChange = Pick<OptOutChangedV1, 'number' | 'sender' | 'optedOut' | 'exemptMessageId' | 'accountId'>;

/**
 * An in-memory copy of the opt-out ledger, fed from the compacted `sms.optout.v1` topic. Entries are
 * held per recipient, then per account (`*`: every account), then per sender (`*`: every sender), so a
 * lookup is a few Map/Set probes and no I/O, which keeps the intake hot path free of SQL and network
 * round trips; the price is memory (one small entry per opt-out) and a propagation delay of one bus hop.
 */
export class OptOutReplica implements OptOutChecker {
  private readonly entries = new Map<string, Map<string, Set<string>>>();
  /** Recipients held under an erasure token (docs/privacy.md): while there are none, no send pays for a hash. */
  private erasedRecipients = 0;

  /**
   * @param tokenOf the erasure token of a number (HMAC under PRIVACY_SALT), so that an erased person who had
   * opted out (the ledger keeps the token, not the number) is still matched; null where no salt is set.
   */
  constructor(private readonly tokenOf: ((number: string) => string) | null = null) {}
  /** Insertion-ordered, so the oldest id is evicted first. */
  private readonly exempt = new Set<string>();
  private applied = 0;

  /** Applies one entry state; replays and duplicates are harmless (the state is absolute, not a delta). */
  apply(change: EntryChange): void {
    this.applied++;
    if (change.exemptMessageId) {
      this.exempt.add(change.exemptMessageId);
      if (this.exempt.size > MAX_EXEMPT_IDS) {
        this.exempt.delete(this.exempt.values().next().value as string);
      }
    }
    const account = change.accountId ?? DEFAULT_ACCOUNT_ID;
    const scope = change.sender ?? EVERY_SENDER;
    const accounts = this.entries.get(change.number);
    const senders = accounts?.get(account);
    if (change.optedOut) {
      if (senders) {
        senders.add(scope);
      } else if (accounts) {
        accounts.set(account, new Set([scope]));
      } else {
        this.entries.set(change.number, new Map([[account, new Set([scope])]]));
        this.erasedRecipients += isErasureToken(change.number) ? 1 : 0;
      }

      return;
    }
    senders?.delete(scope);
    if (senders?.size === 0) {
      accounts?.delete(account);
    }
    if (accounts?.size === 0) {
      this.entries.delete(change.number);
      this.erasedRecipients -= isErasureToken(change.number) ? 1 : 0;
    }
  }

  isOptedOut(query: OptOutQuery): Promise<boolean> {
    return Promise.resolve(this.isOptedOutNow(query));
  }

  /** The synchronous form, for callers on a hot loop that can skip the promise. */
  isOptedOutNow(query: OptOutQuery): boolean {
    if (query.messageId !== undefined && this.exempt.has(query.messageId)) {
      return false;
    }
    if (this.blocks(this.entries.get(query.recipient), query)) {
      return true;
    }

    return (
      this.erasedRecipients > 0 &&
      this.tokenOf !== null &&
      this.blocks(this.entries.get(this.tokenOf(query.recipient)), query)
    );
  }

  private blocks(accounts: Map<string, Set<string>> | undefined, { sender, accountId }: OptOutQuery): boolean {
    if (!accounts) {
      return false;
    }
    const blocks = (senders: ReadonlySet<string> | undefined): boolean =>
      senders !== undefined && (senders.has(EVERY_SENDER) || (sender !== null && senders.has(sender)));
    if (accountId === null) {
      return [...accounts.values()].some(blocks);
    }

    return blocks(accounts.get(EVERY_ACCOUNT)) || blocks(accounts.get(accountId));
  }

  /** Records applied since start (for tests and metrics). */
  get appliedCount(): number {
    return this.applied;
  }
}
