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
 * dlr-ingest's part of an erasure (docs/privacy.md): `inbound_webhooks` keeps each provider request as
 * received (URL, headers, body), receipts and inbound messages alike. A row that mentions the number in any
 * provider's format keeps its place (provider, kind, state, times: counts and the publication record stay),
 * with the number replaced by the token and the message text emptied; such a row can no longer be re-parsed
 * by a replay. `inbound_webhook_publications` holds row ids only.
 */
export class DlrIngestEraser implements SliceEraser {
  readonly slice = 'dlr-ingest' as const;

  constructor(private readonly dataSource: DataSource) {}

  async erase(target: ErasureTarget): Promise<Record<string, number>> {
    return inTransaction(this.dataSource, async (manager) => ({
      inbound_webhooks: await scrubMentionsIn(
        manager,
        { table: 'inbound_webhooks', key: 'id', columns: ['url', 'headers', 'body'] },
        target,
      ),
    }));
  }
}

/** The dlr-ingest service's `sms.privacy.v1` group. */
export class DlrIngestErasureSubscriber implements OnApplicationBootstrap {
  constructor(
    private readonly bus: Bus,
    private readonly identity: ErasureIdentity,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({
      groupId: PRIVACY_CONSUMER_GROUPS.dlrIngest,
      topics: [TOPICS.privacy],
      handler: erasureCommandHandler({
        ...this.identity,
        erasers: [new DlrIngestEraser(this.dataSource)],
        publish: (records) => this.bus.publish(records),
      }),
    });
  }
}
