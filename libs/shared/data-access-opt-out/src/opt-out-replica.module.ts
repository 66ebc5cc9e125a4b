import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { NonRetriableError, type Bus, type ConsumedRecord } from '@sms/bus';
import { decodeEvent, OptOutChangedV1, TOPICS } from '@sms/contracts';
import { BUS } from '@sms/platform';
import { randomUUID } from 'node:crypto';
import { OPT_OUT_CHECKER } from './opt-out-checker.port';
import { OptOutReplica } from './opt-out.replica';

/**
 * Every process that sends (intake, send-worker) imports this module once; in the embedded gateway
 * they share one replica. Each process reads the whole topic in a consumer group of its own (a fresh
 * group id per start, so the subscription starts from the earliest offset and sees every entry).
 * Kafka drops such groups once they are empty past `offsets.retention.minutes`.
 */
@Module({
  providers: [OptOutReplica, { provide: OPT_OUT_CHECKER, useExisting: OptOutReplica }],
  exports: [OptOutReplica, OPT_OUT_CHECKER],
})
export class OptOutReplicaModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('opt-out-replica');

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly replica: OptOutReplica,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({
      groupId: `opt-out-replica.${randomUUID()}`,
      topics: [TOPICS.optout],
      handler: (record) => this.applyRecord(record),
    });
    this.logger.log('following sms.optout.v1');
  }

  private applyRecord(record: ConsumedRecord): Promise<void> {
    if (record.topic !== TOPICS.optout) {
      throw new NonRetriableError(`the opt-out replica does not consume ${record.topic}`);
    }
    this.replica.apply(decodeEvent(OptOutChangedV1, record.value));

    return Promise.resolve();
  }
}
