import { AddProviderRefTraceParent1763779700000 } from './database/migrations/1763779700000-AddProviderRefTraceParent';
import { type DynamicModule, Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import { CONSUMER_GROUPS, TOPICS } from '@sms/contracts';
import { BUS, serviceDataSourceProvider } from '@sms/platform';
import { ProviderRegistry } from '@sms/providers';
import type { DataSource } from 'typeorm';
import { ParkedReceiptEntity } from './database/entities/parked-receipt.entity';
import { ProviderMessageRefEntity } from './database/entities/provider-message-ref.entity';
import { CreateDlrProcessorSchema1763770500000 } from './database/migrations/1763770500000-CreateDlrProcessorSchema';
import { ReceiptProcessor } from './receipts/receipt.processor';

export const DLR_PROCESSOR_DATA_SOURCE = Symbol('DLR_PROCESSOR_DATA_SOURCE');
export const DLR_PROCESSOR_ENTITIES = [ProviderMessageRefEntity, ParkedReceiptEntity];
export const DLR_PROCESSOR_MIGRATIONS = [CreateDlrProcessorSchema1763770500000, AddProviderRefTraceParent1763779700000];

/** dlr-processor: parses stored webhooks, correlates receipts, publishes canonical events. */
@Module({})
export class DlrProcessorModule implements OnApplicationBootstrap {
  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly processor: ReceiptProcessor,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: DlrProcessorModule,
      providers: [
        serviceDataSourceProvider(DLR_PROCESSOR_DATA_SOURCE, {
          service: 'dlr-processor',
          entities: DLR_PROCESSOR_ENTITIES,
          migrations: DLR_PROCESSOR_MIGRATIONS,
        }),
        {
          provide: ReceiptProcessor,
          inject: [DLR_PROCESSOR_DATA_SOURCE, BUS, ProviderRegistry],
          useFactory: (dataSource: DataSource, bus: Bus, providers: ProviderRegistry) =>
            new ReceiptProcessor(dataSource, bus, providers),
        },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({
      groupId: CONSUMER_GROUPS.dlrProcessor,
      topics: [TOPICS.status, TOPICS.dlrRaw, TOPICS.inboundRaw],
      handler: this.processor.handle,
      concurrency: 16,
    });
  }
}
