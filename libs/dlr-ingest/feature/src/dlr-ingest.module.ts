import { type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import { createOutboxSchema, OutboxRelay } from '@sms/persistence';
import { APP_CONFIG, type AppConfig, BUS, serviceDataSourceProvider, ShutdownRegistry } from '@sms/platform';
import { ProviderRegistry } from '@sms/providers';
import type { DataSource } from 'typeorm';
import { InboundWebhookEntity } from './database/entities/inbound-webhook.entity';
import { CreateInboundWebhooks1763770400000 } from './database/migrations/1763770400000-CreateInboundWebhooks';
import { WebhookIngestService } from './webhooks/webhook-ingest.service';
import { WebhooksController } from './webhooks/webhooks.controller';
import { attachPushedWebhookSinks } from './webhooks/pushed-webhooks';

export const DLR_INGEST_DATA_SOURCE = Symbol('DLR_INGEST_DATA_SOURCE');
const DLR_INGEST_OUTBOX = createOutboxSchema('dlr_ingest_outbox');
export const DLR_INGEST_ENTITIES = [InboundWebhookEntity, DLR_INGEST_OUTBOX];
export const DLR_INGEST_MIGRATIONS = [CreateInboundWebhooks1763770400000];

/** dlr-ingest: provider webhooks in, stored raw, published to dlr-processor. */
@Module({})
export class DlrIngestModule implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly relay: OutboxRelay,
    private readonly shutdown: ShutdownRegistry,
    private readonly providers: ProviderRegistry,
    private readonly ingest: WebhookIngestService,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: DlrIngestModule,
      controllers: [WebhooksController],
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
      ],
    };
  }

  onApplicationBootstrap(): void {
    // SMPP receipts and MO arrive on binds, not HTTP: this process receives them and stores them like webhooks.
    attachPushedWebhookSinks(this.providers, this.ingest);
    this.shutdown.register('intake', 'dlr-ingest-outbox', () => this.relay.stop());
    if (this.config.OUTBOX_RELAY_ENABLED) {
      this.relay.start();
    }
  }
}
