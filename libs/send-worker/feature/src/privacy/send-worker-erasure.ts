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
 * The send-worker's part of an erasure (docs/privacy.md): `send_attempts` holds message ids and the provider's
 * answer (`outcome`), which may echo the number (Twilio's error texts name the `To` number). The rows stay,
 * so attempts still count; a mention of the number in the answer becomes the token.
 */
export class SendWorkerEraser implements SliceEraser {
  readonly slice = 'send-worker' as const;

  constructor(private readonly dataSource: DataSource) {}

  async erase(target: ErasureTarget): Promise<Record<string, number>> {
    return inTransaction(this.dataSource, async (manager) => ({
      send_attempts: await scrubMentionsIn(
        manager,
        { table: 'send_attempts', key: 'id', columns: ['outcome'] },
        target,
      ),
    }));
  }
}

/** The send-worker service's `sms.privacy.v1` group. */
export class SendWorkerErasureSubscriber implements OnApplicationBootstrap {
  constructor(
    private readonly bus: Bus,
    private readonly identity: ErasureIdentity,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({
      groupId: PRIVACY_CONSUMER_GROUPS.sendWorker,
      topics: [TOPICS.privacy],
      handler: erasureCommandHandler({
        ...this.identity,
        erasers: [new SendWorkerEraser(this.dataSource)],
        publish: (records) => this.bus.publish(records),
      }),
    });
  }
}
