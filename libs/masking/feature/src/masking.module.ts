import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import { CONSUMER_GROUPS, TOPICS } from '@sms/contracts';
import { BUS } from '@sms/platform';

/**
 * masking: joins the `sms.inbound.v1` consumer group so the topology and lag are real from day one.
 * Its behaviour (issue #6) is not built yet: inbound messages are acknowledged and counted only.
 */
@Module({})
export class MaskingModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('masking');
  private received = 0;

  constructor(@Inject(BUS) private readonly bus: Bus) {}

  get inboundCount(): number {
    return this.received;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({
      groupId: CONSUMER_GROUPS.masking,
      topics: [TOPICS.inbound],
      handler: () => {
        this.received++;
        this.logger.debug('inbound message received (masking is not implemented yet: issue #6)');

        return Promise.resolve();
      },
    });
  }
}
