import { DlrIngestErasureSubscriber } from './privacy/dlr-ingest-erasure';
import { metrics, registerGaugePoll } from '@sms/metrics';
import { ArchiveModule, retentionPurgeProvider } from '@sms/archive';
import {
  type DynamicModule,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Bus } from '@sms/bus';
import {
  APP_CONFIG,
  DLR_INGEST_CONFIG,
  type DlrIngestGroup,
  OUTBOX_CONFIG,
  type OutboxGroup,
  PROVIDERS_CONFIG,
  type ProvidersConfig,
  PRIVACY_CONFIG,
  type PrivacyGroup,
  type AppConfig,
  assertWebhookSecrets,
  BUS,
  publicBaseUrlOf,
  serviceDataSourceProvider,
  ShutdownRegistry,
  REGION_CONFIG,
  type RegionConfig,
} from '@sms/platform';
import { ProviderRegistry } from '@sms/providers';
import type { DataSource } from 'typeorm';
import { InboundWebhookEntity } from './database/entities/inbound-webhook.entity';
import { WebhookPublicationEntity, WebhookSweepHorizonEntity } from './database/entities/webhook-publication.entity';
import { CreateInboundWebhooks1763770400000 } from './database/migrations/1763770400000-CreateInboundWebhooks';
import { DlrIngestDedupeAndState1763780400000 } from './database/migrations/1763780400000-DlrIngestDedupeAndState';
import { InboundWebhooksAreTheirOwnOutbox1763790000000 } from './database/migrations/1763790000000-InboundWebhooksAreTheirOwnOutbox';
import { PublicationRecordsInsteadOfStamps1764580000000 } from './database/migrations/1764580000000-PublicationRecordsInsteadOfStamps';
import { WebhookReplayController } from './replay/webhook-replay.controller';
import { WebhookReplayService } from './replay/webhook-replay.service';
import { RawWebhookPurger } from './retention/raw-webhook.purger';
import { ReceiptSpool } from './webhooks/receipt-spool';
import { DEFAULT_WEBHOOK_INGEST_LIMITS, WebhookIngestService } from './webhooks/webhook-ingest.service';
import { webhookRoutes } from './webhooks/webhook-routes';
import { attachPushedWebhookSinks } from './webhooks/pushed-webhooks';
import { WebhookPublisher } from './webhooks/webhook-publisher';
import { SqlRawReceiptReader } from './receipts/raw-receipt.reader';
import { InternalReceiptsController } from './receipts/internal-receipts.controller';
import { RAW_RECEIPT_READER } from '@sms/contracts';

export const DLR_INGEST_DATA_SOURCE = Symbol('DLR_INGEST_DATA_SOURCE');
export const DLR_INGEST_ENTITIES = [InboundWebhookEntity, WebhookPublicationEntity, WebhookSweepHorizonEntity];
export const DLR_INGEST_MIGRATIONS = [
  CreateInboundWebhooks1763770400000,
  DlrIngestDedupeAndState1763780400000,
  InboundWebhooksAreTheirOwnOutbox1763790000000,
  PublicationRecordsInsteadOfStamps1764580000000,
];

/** Its database, what reads it for intake, and the retention of raw receipts. */
const STORAGE_PROVIDERS: Provider[] = [
  serviceDataSourceProvider(DLR_INGEST_DATA_SOURCE, {
    service: 'dlr-ingest',
    entities: DLR_INGEST_ENTITIES,
    migrations: DLR_INGEST_MIGRATIONS,
  }),
  retentionPurgeProvider('dlr-ingest', DLR_INGEST_DATA_SOURCE),
  {
    // The raw receipts of a message's timeline (intake looks it up in the embedded mode).
    provide: RAW_RECEIPT_READER,
    inject: [DLR_INGEST_DATA_SOURCE],
    useFactory: (dataSource: DataSource) => new SqlRawReceiptReader(dataSource),
  },
  {
    provide: RawWebhookPurger,
    inject: [DLR_INGEST_DATA_SOURCE, DLR_INGEST_CONFIG],
    useFactory: (dataSource: DataSource, config: DlrIngestGroup) =>
      new RawWebhookPurger(dataSource, {
        retentionMs: config.rawRetentionHours * 3_600_000,
        onError: (error) => new Logger('dlr-ingest-purge').error(`purge failed: ${String(error)}`),
      }),
  },
];

/** Erasure requests applied to the stored raw receipts. */
const PRIVACY_PROVIDERS: Provider[] = [
  {
    provide: DlrIngestErasureSubscriber,
    inject: [BUS, PRIVACY_CONFIG, REGION_CONFIG, DLR_INGEST_DATA_SOURCE],
    useFactory: (bus: Bus, privacy: PrivacyGroup, region: RegionConfig, dataSource: DataSource) =>
      new DlrIngestErasureSubscriber(bus, { salt: privacy.salt, region: region.region }, dataSource),
  },
];

/** Webhooks in: the spool, the ingest service, its publication to the bus and replays. */
const WEBHOOK_PROVIDERS: Provider[] = [
  {
    provide: WebhookPublisher,
    inject: [DLR_INGEST_DATA_SOURCE, BUS, OUTBOX_CONFIG],
    useFactory: (dataSource: DataSource, bus: Bus, outbox: OutboxGroup) =>
      new WebhookPublisher(dataSource, (records) => bus.publish(records), {
        enabled: outbox.relayEnabled,
        onError: (error) =>
          new Logger('dlr-ingest-publish').warn(`publish failed, left to the sweep: ${String(error)}`),
      }),
  },
  {
    provide: ReceiptSpool,
    inject: [DLR_INGEST_CONFIG],
    useFactory: async (config: DlrIngestGroup) => {
      if (config.spoolMaxBytes === 0) {
        return null;
      }
      const log = new Logger('dlr-ingest-spool');
      const spool = new ReceiptSpool({
        directory: config.spoolDir,
        maxBytes: config.spoolMaxBytes,
        drainIntervalMs: config.spoolDrainIntervalMs,
        onError: (error) => log.warn(`spool not drained yet: ${String(error)}`),
        onDrained: (count) => log.log(`${count} spooled receipts stored`),
      });
      await spool.init();

      return spool;
    },
  },
  {
    provide: WebhookIngestService,
    inject: [
      DLR_INGEST_DATA_SOURCE,
      ProviderRegistry,
      WebhookPublisher,
      PROVIDERS_CONFIG,
      DLR_INGEST_CONFIG,
      ReceiptSpool,
    ],
    useFactory: (
      dataSource: DataSource,
      providers: ProviderRegistry,
      publisher: WebhookPublisher,
      providerSettings: ProvidersConfig,
      config: DlrIngestGroup,
      spool: ReceiptSpool | null,
    ) => {
      // Fail closed: a public or missing secret would let anyone forge receipts and STOPs (security.md).
      assertWebhookSecrets({ providers: providerSettings });

      return new WebhookIngestService(
        dataSource,
        providers,
        publisher,
        () => new Date(),
        {
          ...DEFAULT_WEBHOOK_INGEST_LIMITS,
          rejectedSamplePerMinute: config.rejectedSamplePerMinute,
          maxSignedAgeMs: config.webhookMaxAgeSeconds * 1000,
        },
        spool ?? undefined,
      );
    },
  },
  {
    provide: WebhookReplayService,
    inject: [DLR_INGEST_DATA_SOURCE, WebhookPublisher],
    useFactory: (dataSource: DataSource, publisher: WebhookPublisher) =>
      new WebhookReplayService(dataSource, publisher),
  },
];

/** dlr-ingest: provider webhooks in, stored raw, published to dlr-processor. */
@Module({})
export class DlrIngestModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly publisher: WebhookPublisher,
    private readonly shutdown: ShutdownRegistry,
    private readonly ingest: WebhookIngestService,
    private readonly purger: RawWebhookPurger,
    private readonly providers: ProviderRegistry,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DLR_INGEST_CONFIG) private readonly dlrIngest: DlrIngestGroup,
    @Inject(ReceiptSpool) private readonly spool: ReceiptSpool | null,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: DlrIngestModule,
      imports: [ArchiveModule],
      controllers: [WebhookReplayController, InternalReceiptsController],
      providers: [...STORAGE_PROVIDERS, ...PRIVACY_PROVIDERS, ...WEBHOOK_PROVIDERS],
    };
  }

  /**
   * The provider webhooks are plain Fastify routes beside Nest's (webhook-routes.ts). Registered, not
   * awaited: the plugin loads when the server starts, after Nest has installed its error handler, which
   * the plugin's routes then inherit (api.md's error bodies).
   */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) {
      const { webhookRatePerSecond: perSecond, webhookRateBurst: burst } = this.dlrIngest;
      void fastify.register(
        webhookRoutes({
          ingest: this.ingest,
          publicBaseUrl: publicBaseUrlOf(this.config),
          ...(perSecond > 0 && { rateLimit: { perSecond, burst } }),
        }),
      );
    }
  }

  onApplicationBootstrap(): void {
    // SMPP receipts and MO arrive on binds, not HTTP: this process receives them and stores them like webhooks.
    attachPushedWebhookSinks(this.providers, this.ingest);
    this.shutdown.register('intake', 'dlr-ingest-publisher', async () => {
      await this.purger.stop();
      await this.ingest.drain();
      // What the spool still holds stays on disk for the next start.
      await this.spool?.stop();
      await this.publisher.stop();
    });
    // Drains what an earlier process left at once, then whatever an outage puts there.
    const spool = this.spool;
    if (spool) {
      spool.start((entries) => this.ingest.storeSpooled(entries));
      registerGaugePoll('dlr-ingest-spool', () => {
        metrics.outboxBacklog.set({ outbox: 'dlr_spool' }, spool.count);

        return Promise.resolve();
      });
    }
    // The accepted rows not yet published are dlr-ingest's outbox (ADR 0009).
    registerGaugePoll('dlr-ingest-outbox', async () => {
      metrics.outboxBacklog.set({ outbox: 'inbound_webhooks' }, await this.publisher.backlog());
    });
    this.purger.start();
    this.publisher.start();
  }
}
