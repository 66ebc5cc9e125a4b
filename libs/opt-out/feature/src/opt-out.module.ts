import { OptOutErasureSubscriber } from './privacy/opt-out-erasure';
import { type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { type Bus, LAG_TOLERANT_FETCH } from '@sms/bus';
import { MaskDirectory, MaskDirectoryModule } from '@sms/mask-directory';
import { OPT_OUT_TOPIC_SPEC } from '@sms/opt-out-registry';
import { CONSUMER_GROUPS, TOPICS } from '@sms/contracts';
import {
  KAFKA_CONFIG,
  type KafkaGroup,
  KEYWORDS_CONFIG,
  type KeywordsGroup,
  OPT_OUT_CONFIG,
  type OptOutGroup,
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
import { RecentSenders } from './accounts/recent-senders';
import { OptOutsController } from './api/opt-outs.controller';
import { OPT_OUT_ENTITIES, OPT_OUT_MIGRATIONS } from './database/opt-out.schema';
import { cannotReportOptOut, OptOutConsumer, optOutPolicyOf } from './inbound/opt-out.consumer';
import { OptOutLedger } from './ledger/opt-out.ledger';
import { OptOutSettingsStore } from './settings/opt-out-settings';

export const OPT_OUT_DATA_SOURCE = Symbol('OPT_OUT_DATA_SOURCE');
export { OPT_OUT_ENTITIES, OPT_OUT_MIGRATIONS };

/**
 * opt-out: the one ledger of opt-outs for every provider. Consumes inbound keywords (`sms.inbound.v1`)
 * and provider-reported opt-outs (`sms.optout.reported.v1`), learns which account messaged whom from
 * `sms.dispatch.v1`, serves `/v1/opt-outs`, and publishes every change
 * on the compacted `sms.optout.v1`, from which intake and the send-worker keep in-memory replicas.
 */
@Module({})
export class OptOutModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('opt-out');

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly ledger: OptOutLedger,
    private readonly consumer: OptOutConsumer,
    private readonly readiness: ReadinessRegistry,
    private readonly shutdown: ShutdownRegistry,
    @Optional() @Inject(KAFKA_CONFIG) private readonly kafka?: KafkaGroup,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: OptOutModule,
      // The masking directory tells which account a participant's keyword to a masked number answers.
      imports: [MaskDirectoryModule],
      controllers: [OptOutsController],
      providers: [
        {
          provide: OptOutErasureSubscriber,
          inject: [BUS, PRIVACY_CONFIG, REGION_CONFIG, OPT_OUT_DATA_SOURCE],
          useFactory: (bus: Bus, privacy: PrivacyGroup, region: RegionConfig, dataSource: DataSource) =>
            new OptOutErasureSubscriber(bus, { salt: privacy.salt, region: region.region }, dataSource),
        },
        serviceDataSourceProvider(OPT_OUT_DATA_SOURCE, {
          service: 'opt-out',
          entities: OPT_OUT_ENTITIES,
          migrations: OPT_OUT_MIGRATIONS,
          // One ledger for every region: a STOP applies everywhere (docs/regions.md).
          scope: 'global',
        }),
        {
          provide: OptOutLedger,
          inject: [OPT_OUT_DATA_SOURCE, BUS],
          useFactory: (dataSource: DataSource, bus: Bus) => new OptOutLedger(dataSource, bus),
        },
        {
          provide: OptOutSettingsStore,
          inject: [OPT_OUT_DATA_SOURCE, OPT_OUT_CONFIG, KEYWORDS_CONFIG],
          useFactory: (dataSource: DataSource, optOut: OptOutGroup, keywords: KeywordsGroup) =>
            new OptOutSettingsStore(dataSource, optOutPolicyOf(optOut, keywords).defaults),
        },
        {
          provide: RecentSenders,
          inject: [OPT_OUT_DATA_SOURCE],
          useFactory: (dataSource: DataSource) => new RecentSenders(dataSource),
        },
        {
          provide: OptOutConsumer,
          inject: [
            OptOutLedger,
            BUS,
            OPT_OUT_CONFIG,
            KEYWORDS_CONFIG,
            OptOutSettingsStore,
            RecentSenders,
            MaskDirectory,
          ],
          useFactory: (
            ledger: OptOutLedger,
            bus: Bus,
            optOut: OptOutGroup,
            keywords: KeywordsGroup,
            settings: OptOutSettingsStore,
            recent: RecentSenders,
            masks: MaskDirectory,
          ) => new OptOutConsumer(ledger, bus, optOutPolicyOf(optOut, keywords), settings, recent, masks),
        },
      ],
      // The embedded gateway applies other regions' opt-outs to this ledger (docs/regions.md).
      exports: [OptOutLedger],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    // Without the broker the API still serves (its writes are the ledger's); the republish and the consumers
    // start in the background once the topic exists, retried, listed as degraded until then.
    await startWhenTopicsExist(
      {
        name: 'opt-out-start',
        bus: this.bus,
        topics: [OPT_OUT_TOPIC_SPEC],
        readiness: this.readiness,
        shutdown: this.shutdown,
      },
      () => this.startConsuming(),
    );
  }

  /** Republishes the ledger (a replica may have missed an entry) and joins the group; safe to run again. */
  private async startConsuming(): Promise<void> {
    const republished = await this.ledger.republishAll();
    this.logger.log(`republished ${republished} opt-out entries on ${TOPICS.optout}`);
    await this.bus.subscribe({
      groupId: CONSUMER_GROUPS.optOut,
      // sms.dispatch.v1 feeds the (sender, recipient) → account index that attributes an inbound STOP. Of the
      // status events only provider-reported opt-outs (ADR 0027); while upgrading, sms.status.v1 too, for
      // those an older release put only there.
      topics: [
        TOPICS.inbound,
        TOPICS.optoutReported,
        TOPICS.dispatch,
        ...(this.kafka?.legacyStatusReads ? [TOPICS.status] : []),
      ],
      ignores: cannotReportOptOut,
      handler: this.consumer.handle,
      concurrency: 8,
      // A STOP is honoured within a quarter of a second either way; every dispatch is read here too, and
      // unpaced fetches would wake this reader for each produce of a storm.
      fetch: LAG_TOLERANT_FETCH,
    });
  }
}
