import { Logger } from '@nestjs/common';
import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { type KeyValueStore, type NumberOwners, numberOwnersKey, parseNumberOwners } from '@sms/counters';

/** How long an inbound message is filed from the directory read before it is read again. */
export const NUMBER_OWNERS_CACHE_MS = 5_000;

/** The account an inbound message to `number` belongs to. */
export interface InboundAccountResolver {
  accountOf(number: string): Promise<string>;
}

/**
 * Intake's view of the router's number directory (@sms/counters number-owners): the owner of a number,
 * the default account for a number of the shared pool. Read at most every few seconds and shared by
 * concurrent callers; while the store does not answer, the last directory read keeps answering. Before any
 * directory was read it throws, so the inbound record is retried rather than filed under a guessed
 * account (a misfiled message would show one account's inbound to another).
 */
export class NumberOwnersReader implements InboundAccountResolver {
  private readonly logger = new Logger('intake-number-owners');
  private directory: NumberOwners | null = null;
  private readAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly namespace: string,
    private readonly now: () => number = Date.now,
    private readonly cacheMs = NUMBER_OWNERS_CACHE_MS,
  ) {}

  async accountOf(number: string): Promise<string> {
    if (this.now() - this.readAt >= this.cacheMs) {
      await (this.loading ??= this.load().finally(() => (this.loading = null)));
    }
    if (this.directory === null) {
      throw new Error('the number directory has not been published yet (is a router running?)');
    }

    return this.directory.owners[number] ?? DEFAULT_ACCOUNT_ID;
  }

  private async load(): Promise<void> {
    try {
      const directory = parseNumberOwners(await this.kv.get(numberOwnersKey(this.namespace)));
      if (directory !== null) {
        this.directory = directory;
        this.readAt = this.now();
      }
    } catch (error) {
      this.logger.warn(`number directory read failed, filing from the last one read: ${String(error)}`);
      this.readAt = this.now();
    }
  }
}
