import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import { PRIVACY_CONSUMER_GROUPS, TOPICS } from '@sms/contracts';
import {
  erasureCommandHandler,
  type ErasureIdentity,
  type ErasureTarget,
  inTransaction,
  scrubMentionsIn,
  type SliceEraser,
} from '@sms/persistence';
import type { DataSource } from 'typeorm';

/**
 * dlr-processor's part of an erasure (docs/privacy.md): caller callbacks (`callback_deliveries.body` holds
 * the message's number; the URL and the answers are the caller's) and parked receipts (`parked_receipts.event`,
 * a parsed receipt that may carry the number). Rows stay, numbers become the token, texts are emptied.
 * `provider_message_refs` and `receipt_parts` hold ids and statuses only.
 */
export class DlrProcessorEraser implements SliceEraser {
  readonly slice = 'dlr-processor' as const;

  constructor(private readonly dataSource: DataSource) {}

  async erase(target: ErasureTarget): Promise<Record<string, number>> {
    return inTransaction(this.dataSource, async (manager) => ({
      callback_deliveries: await scrubMentionsIn(
        manager,
        { table: 'callback_deliveries', key: 'id', columns: ['body', 'last_error', 'attempt_log'] },
        target,
      ),
      parked_receipts: await scrubMentionsIn(
        manager,
        { table: 'parked_receipts', key: 'id', columns: ['event'] },
        target,
      ),
    }));
  }
}

/** The dlr-processor service's `sms.privacy.v1` group. */
export class DlrProcessorErasureSubscriber implements OnApplicationBootstrap {
  constructor(
    private readonly bus: Bus,
    private readonly identity: ErasureIdentity,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({
      groupId: PRIVACY_CONSUMER_GROUPS.dlrProcessor,
      topics: [TOPICS.privacy],
      handler: erasureCommandHandler({
        ...this.identity,
        erasers: [new DlrProcessorEraser(this.dataSource)],
        publish: (records) => this.bus.publish(records),
      }),
    });
  }
}
