import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { NonRetriableError, type Bus, type ConsumedRecord, type TopicSpec } from '@sms/bus';
import { decodeEvent, MaskDirectoryChangedV1, TOPICS } from '@sms/contracts';
import { BUS, ReadinessRegistry, ShutdownRegistry, startWhenTopicsExist } from '@sms/platform';
import { randomUUID } from 'node:crypto';
import { MaskDirectory } from './mask-directory';

/** Kafka: compacted, so the topic keeps the latest state of every directory entry (k8s/base/topics.json agrees). */
export const MASK_TOPIC_SPEC: TopicSpec = {
  topic: TOPICS.mask,
  numPartitions: 3,
  configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
};

/**
 * Follows `sms.mask.v1` from the beginning in a consumer group of its own (one per process start),
 * like the opt-out replica, so every intake instance holds the whole directory.
 */
@Module({
  providers: [{ provide: MaskDirectory, useFactory: () => new MaskDirectory() }],
  exports: [MaskDirectory],
})
export class MaskDirectoryModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('mask-directory');

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly directory: MaskDirectory,
    private readonly readiness: ReadinessRegistry,
    private readonly shutdown: ShutdownRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Intake may start before the masking service: the topic must exist (compacted) before we read it. With the
    // broker away that waits in the background, so the process serves meanwhile (listed as degraded).
    await startWhenTopicsExist(
      {
        name: 'mask-directory',
        bus: this.bus,
        topics: [MASK_TOPIC_SPEC],
        readiness: this.readiness,
        shutdown: this.shutdown,
      },
      async () => {
        await this.bus.subscribe({
          groupId: `mask-directory.${randomUUID()}`,
          topics: [TOPICS.mask],
          handler: (record) => this.applyRecord(record),
        });
        this.logger.log('following sms.mask.v1');
      },
    );
  }

  private applyRecord(record: ConsumedRecord): Promise<void> {
    if (record.topic !== TOPICS.mask) {
      throw new NonRetriableError(`the mask directory does not consume ${record.topic}`);
    }
    this.directory.apply(decodeEvent(MaskDirectoryChangedV1, record.value));

    return Promise.resolve();
  }
}
