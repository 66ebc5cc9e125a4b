import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import { CONSUMER_GROUPS, TOPICS } from '@sms/contracts';
import { BUS } from '@sms/platform';

/**
 * opt-out: joins the `sms.inbound.v1` consumer group so the topology and lag are real from day one.
 * Its behaviour (issue #6) is not built yet: inbound messages are acknowledged and counted only.
 */
@Module({})
export class OptOutModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('opt-out');
  private received = 0;

  constructor(@Inject(BUS) private readonly bus: Bus) {}

  get inboundCount(): number {
    return this.received;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({
      groupId: CONSUMER_GROUPS.optOut,
      topics: [TOPICS.inbound],
      handler: () => {
        this.received++;
        this.logger.debug('inbound message received (opt-out is not implemented yet: issue #6)');

        return Promise.resolve();
      },
    });
  }
}
