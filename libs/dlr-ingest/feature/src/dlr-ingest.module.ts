import { metrics, registerGaugePoll } from '@sms/metrics';
import { type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import { createOutboxSchema, OutboxRelay } from '@sms/persistence';
import { APP_CONFIG, type AppConfig, BUS, serviceDataSourceProvider, ShutdownRegistry } from '@sms/platform';
import { ProviderRegistry } from '@sms/providers';
import type { DataSource } from 'typeorm';
import { InboundWebhookEntity } from './database/entities/inbound-webhook.entity';
import { CreateInboundWebhooks1763770400000 } from './database/migrations/1763770400000-CreateInboundWebhooks';
import { DlrIngestDedupeAndState1763780400000 } from './database/migrations/1763780400000-DlrIngestDedupeAndState';
import { WebhookReplayController } from './replay/webhook-replay.controller';
import { WebhookReplayService } from './replay/webhook-replay.service';
import { RawWebhookPurger } from './retention/raw-webhook.purger';
import { WebhookIngestService } from './webhooks/webhook-ingest.service';
import { WebhooksController } from './webhooks/webhooks.controller';
import { attachPushedWebhookSinks } from './webhooks/pushed-webhooks';

export const DLR_INGEST_DATA_SOURCE = Symbol('DLR_INGEST_DATA_SOURCE');
export const DLR_INGEST_OUTBOX = createOutboxSchema('dlr_ingest_outbox');
export const DLR_INGEST_ENTITIES = [InboundWebhookEntity, DLR_INGEST_OUTBOX];
export const DLR_INGEST_MIGRATIONS = [CreateInboundWebhooks1763770400000, DlrIngestDedupeAndState1763780400000];

/** dlr-ingest: provider webhooks in, stored raw, published to dlr-processor. */
@Module({})
export class DlrIngestModule implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly relay: OutboxRelay,
    private readonly shutdown: ShutdownRegistry,
    private readonly ingest: WebhookIngestService,
    private readonly purger: RawWebhookPurger,
    private readonly providers: ProviderRegistry,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: DlrIngestModule,
      controllers: [WebhooksController, WebhookReplayController],
      providers: [
        serviceDataSourceProvider(DLR_INGEST_DATA_SOURCE, {
          service: 'dlr-ingest',
          entities: DLR_INGEST_ENTITIES,
          migrations: DLR_INGEST_MIGRATIONS,
        }),
        {
          provide: OutboxRelay,
          inject: [DLR_INGEST_DATA_SOURCE, BUS],
          useFactory: (dataSource: DataSource, bus: Bus) =>
            new OutboxRelay({
              dataSource,
              schema: DLR_INGEST_OUTBOX,
              publish: (records) => bus.publish(records),
              onError: (error) => new Logger('dlr-ingest-outbox').error(`relay failed: ${String(error)}`),
            }),
        },
        {
          provide: WebhookIngestService,
          inject: [DLR_INGEST_DATA_SOURCE, ProviderRegistry, OutboxRelay],
          useFactory: (dataSource: DataSource, providers: ProviderRegistry, relay: OutboxRelay) =>
            new WebhookIngestService(dataSource, DLR_INGEST_OUTBOX, providers, () => relay.wake()),
        },
        {
          provide: WebhookReplayService,
          inject: [DLR_INGEST_DATA_SOURCE, OutboxRelay],
          useFactory: (dataSource: DataSource, relay: OutboxRelay) =>
            new WebhookReplayService(dataSource, DLR_INGEST_OUTBOX, () => relay.wake()),
        },
        {
          provide: RawWebhookPurger,
          inject: [DLR_INGEST_DATA_SOURCE, APP_CONFIG],
          useFactory: (dataSource: DataSource, config: AppConfig) =>
            new RawWebhookPurger(dataSource, {
              retentionMs: config.DLR_RAW_RETENTION_HOURS * 3_600_000,
              onError: (error) => new Logger('dlr-ingest-purge').error(`purge failed: ${String(error)}`),
            }),
        },
      ],
    };
  }

  onApplicationBootstrap(): void {
    // SMPP receipts and MO arrive on binds, not HTTP: this process receives them and stores them like webhooks.
    attachPushedWebhookSinks(this.providers, this.ingest);
    this.shutdown.register('intake', 'dlr-ingest-outbox', async () => {
      await this.purger.stop();
      await this.ingest.drain();
      await this.relay.stop();
    });
    registerGaugePoll('dlr-ingest-outbox', async () => {
      metrics.outboxBacklog.set({ outbox: 'dlr_ingest_outbox' }, await this.relay.backlog());
    });
    this.purger.start();
    if (this.config.OUTBOX_RELAY_ENABLED) {
      this.relay.start();
    }
  }
}
