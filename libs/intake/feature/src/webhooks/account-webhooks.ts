import type { InboundReceivedV1 } from '@sms/contracts';
import type { SqlRunner } from '@sms/persistence';
import type { StatusWebhooks } from '../status/status-applier.service';
import type { InboundAccountResolver } from './inbound-account';
import type { WebhookDirectory } from './webhook-directory';
import { inboundEvent, type StatusChange, statusEvent } from './webhook-events';
import type { WebhookStore } from './webhook.store';

/**
 * The sources of account webhook events: status changes the ledger applied (written in the change's
 * transaction) and inbound messages from `sms.inbound.v1`. Both ask the in-memory directory first, so an
 * account without a subscription costs no query.
 */
export class AccountWebhooks implements StatusWebhooks {
  constructor(
    private readonly directory: WebhookDirectory,
    private readonly store: WebhookStore,
    private readonly resolveAccount: InboundAccountResolver,
    /** Wakes the dispatcher once new deliveries are committed. */
    readonly onCommitted: () => void,
  ) {}

  wants(accountId: string): boolean {
    return this.directory.wants(accountId, 'message.status');
  }

  enqueue(sql: SqlRunner, changes: readonly StatusChange[], now: Date): Promise<number> {
    const entries = changes.flatMap((change) =>
      this.directory
        .subscriptionsFor(change.accountId, 'message.status')
        .map((subscriptionId) => ({ subscriptionId, accountId: change.accountId, event: statusEvent(change) })),
    );

    return this.store.enqueue(sql, entries, now);
  }

  /** One `message.inbound` delivery per subscription of the message's account; a redelivered record adds none. */
  async inbound(inbound: InboundReceivedV1): Promise<number> {
    const accountId = await this.resolveAccount(inbound);
    const subscriptions = accountId === null ? [] : this.directory.subscriptionsFor(accountId, 'message.inbound');
    if (accountId === null || subscriptions.length === 0) {
      return 0;
    }
    const event = inboundEvent(inbound);
    let stored = 0;
    for (const subscriptionId of subscriptions) {
      if (await this.store.enqueueOne({ subscriptionId, accountId, event })) {
        stored++;
      }
    }
    if (stored > 0) {
      this.onCommitted();
    }

    return stored;
  }
}
