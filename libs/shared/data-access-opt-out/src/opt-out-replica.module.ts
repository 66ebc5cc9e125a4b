import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { NonRetriableError, type Bus, type ConsumedRecord, type TopicSpec } from '@sms/bus';
import { decodeEvent, OptOutChangedV1, TOPICS } from '@sms/contracts';
import { erasureTokenOf } from '@sms/persistence';
import {
  PRIVACY_CONFIG,
  type PrivacyGroup,
  BUS,
  ReadinessRegistry,
  ShutdownRegistry,
  startWhenTopicsExist,
} from '@sms/platform';
import { randomUUID } from 'node:crypto';
import { OPT_OUT_CHECKER } from './opt-out-checker.port';
import { OptOutReplica } from './opt-out.replica';

/** Kafka: compacted, so the topic keeps the latest state of every entry forever (k8s/base/topics.json agrees). */
export const OPT_OUT_TOPIC_SPEC: TopicSpec = {
  topic: TOPICS.optout,
  numPartitions: 3,
  configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
};

/**
 * Every process that sends (intake, send-worker) imports this module once; in the embedded gateway
 * they share one replica. Each process reads the whole topic in a consumer group of its own (a fresh
 * group id per start, so the subscription starts from the earliest offset and sees every entry).
 * Kafka drops such groups once they are empty past `offsets.retention.minutes`.
 */
@Module({
  providers: [
    {
      provide: OptOutReplica,
      inject: [PRIVACY_CONFIG],
      useFactory: ({ salt }: PrivacyGroup) => {
        return new OptOutReplica(salt ? (number) => erasureTokenOf(salt, number) : null);
      },
    },
    { provide: OPT_OUT_CHECKER, useExisting: OptOutReplica },
  ],
  exports: [OptOutReplica, OPT_OUT_CHECKER],
})
export class OptOutReplicaModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('opt-out-replica');

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly replica: OptOutReplica,
    private readonly readiness: ReadinessRegistry,
    private readonly shutdown: ShutdownRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Intake may start before the opt-out service: the topic must exist (compacted) before we read it. With the
    // broker away that waits in the background, so the process serves meanwhile (listed as degraded).
    await startWhenTopicsExist(
      {
        name: 'opt-out-replica',
        bus: this.bus,
        topics: [OPT_OUT_TOPIC_SPEC],
        readiness: this.readiness,
        shutdown: this.shutdown,
      },
      async () => {
        await this.bus.subscribe({
          groupId: `opt-out-replica.${randomUUID()}`,
          topics: [TOPICS.optout],
          handler: (record) => this.applyRecord(record),
        });
        this.logger.log('following sms.optout.v1');
      },
    );
  }

  private applyRecord(record: ConsumedRecord): Promise<void> {
    if (record.topic !== TOPICS.optout) {
      throw new NonRetriableError(`the opt-out replica does not consume ${record.topic}`);
    }
    this.replica.apply(decodeEvent(OptOutChangedV1, record.value));

    return Promise.resolve();
  }
}
