import { MaskingErasureSubscriber } from './privacy/masking-erasure';
import { type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { type Bus } from '@sms/bus';
import { MASK_TOPIC_SPEC } from '@sms/mask-directory';
import { keywordSet } from '@sms/opt-out-registry';
import { CONSUMER_GROUPS, maskDirectoryKey, TOPICS } from '@sms/contracts';
import {
  KEYWORDS_CONFIG,
  type KeywordsGroup,
  MASKING_CONFIG,
  type MaskingGroup,
  PRIVACY_CONFIG,
  type PrivacyGroup,
  BUS,
  ReadinessRegistry,
  serviceDataSourceProvider,
  ShutdownRegistry,
  startWhenTopicsExist,
  REGION_CONFIG,
  type RegionConfig,
} from '@sms/platform';
import type { DataSource } from 'typeorm';
import { MasksController } from './api/masks.controller';
import { MASKING_ENTITIES, MASKING_MIGRATIONS } from './database/masking.schema';
import { MaskingConsumer } from './inbound/masking.consumer';
import { MaskSessions } from './sessions/mask-sessions';

export const MASKING_DATA_SOURCE = Symbol('MASKING_DATA_SOURCE');
export { MASKING_ENTITIES, MASKING_MIGRATIONS };

/**
 * masking: two-way number masking over a pool of longcodes. Serves `/v1/masks`, forwards inbound
 * messages between the parties of active sessions (`sms.inbound.v1` → `sms.send.v1`) and closes
 * expired sessions on a schedule (and on use).
 */
@Module({})
export class MaskingModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('masking');
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(MASKING_CONFIG) private readonly config: MaskingGroup,
    @Inject(BUS) private readonly bus: Bus,
    private readonly sessions: MaskSessions,
    private readonly consumer: MaskingConsumer,
    private readonly shutdown: ShutdownRegistry,
    private readonly readiness: ReadinessRegistry,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: MaskingModule,
      controllers: [MasksController],
      providers: [
        {
          provide: MaskingErasureSubscriber,
          inject: [BUS, PRIVACY_CONFIG, REGION_CONFIG, MASKING_DATA_SOURCE],
          useFactory: (bus: Bus, privacy: PrivacyGroup, region: RegionConfig, dataSource: DataSource) =>
            new MaskingErasureSubscriber(bus, { salt: privacy.salt, region: region.region }, dataSource),
        },
        serviceDataSourceProvider(MASKING_DATA_SOURCE, {
          service: 'masking',
          entities: MASKING_ENTITIES,
          migrations: MASKING_MIGRATIONS,
        }),
        {
          provide: MaskSessions,
          inject: [MASKING_DATA_SOURCE, BUS],
          useFactory: (dataSource: DataSource, bus: Bus) =>
            new MaskSessions(dataSource, (changes) =>
              bus.publish(changes.map((value) => ({ topic: TOPICS.mask, key: maskDirectoryKey(value), value }))),
            ),
        },
        {
          provide: MaskingConsumer,
          inject: [MaskSessions, BUS, MASKING_CONFIG, KEYWORDS_CONFIG],
          useFactory: (sessions: MaskSessions, bus: Bus, config: MaskingGroup, keywords: KeywordsGroup) =>
            new MaskingConsumer(
              sessions,
              bus,
              config.strangerReply,
              keywordSet(keywords.extraStopWords, keywords.extraStartWords),
            ),
        },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const pool = this.config.poolNumbers;
    if ((await this.sessions.seedPoolIfEmpty(pool)) > 0) {
      this.logger.log(`seeded the masking pool with ${pool.length} numbers`);
    }
    this.sweeper = setInterval(() => {
      this.sweeping = this.sessions
        .sweep()
        .then((closed) => closed > 0 && this.logger.log(`closed ${closed} expired masking sessions`))
        .catch((error: unknown) => this.logger.error(`expiry sweep failed: ${String(error)}`));
    }, this.config.sweepIntervalMs);
    this.sweeper.unref();
    this.shutdown.register('consumers', 'masking-sweeper', async () => {
      if (this.sweeper) {
        clearInterval(this.sweeper);
      }
      await this.sweeping;
    });
    // Without the broker the API still serves; the directory's republish and the consumer start in the
    // background once the topic exists, retried, listed as degraded until then.
    await startWhenTopicsExist(
      {
        name: 'masking-start',
        bus: this.bus,
        topics: [MASK_TOPIC_SPEC],
        readiness: this.readiness,
        shutdown: this.shutdown,
      },
      async () => {
        this.logger.log(`republished ${await this.sessions.republishAll()} masking directory entries`);
        await this.bus.subscribe({
          groupId: CONSUMER_GROUPS.masking,
          topics: [TOPICS.inbound],
          handler: this.consumer.handle,
          concurrency: 8,
        });
      },
    );
  }
}
