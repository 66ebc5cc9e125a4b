import { type DynamicModule, Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import { CONSUMER_GROUPS, TOPICS } from '@sms/contracts';
import { createServiceDataSource, isDataSourceReady } from '@sms/persistence';
import {
  APP_CONFIG,
  type AppConfig,
  BUS,
  databaseConfigOf,
  publicBaseUrlOf,
  ReadinessRegistry,
  ShutdownRegistry,
} from '@sms/platform';
import { ProviderRegistry } from '@sms/providers';
import type { DataSource } from 'typeorm';
import { SendAttemptEntity } from './database/entities/send-attempt.entity';
import { CreateSendAttempts1763770300000 } from './database/migrations/1763770300000-CreateSendAttempts';
import { DispatchHandler } from './sending/dispatch.handler';

export const SEND_WORKER_DATA_SOURCE = Symbol('SEND_WORKER_DATA_SOURCE');
export const SEND_WORKER_ENTITIES = [SendAttemptEntity];
export const SEND_WORKER_MIGRATIONS = [CreateSendAttempts1763770300000];

/** Send-worker: calls the provider for each dispatch, once, and reports the outcome. */
@Module({})
export class SendWorkerModule implements OnApplicationBootstrap {
  constructor(
    @Inject(SEND_WORKER_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(BUS) private readonly bus: Bus,
    private readonly handler: DispatchHandler,
    private readonly readiness: ReadinessRegistry,
    private readonly shutdown: ShutdownRegistry,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: SendWorkerModule,
      providers: [
        {
          provide: SEND_WORKER_DATA_SOURCE,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig): Promise<DataSource> =>
            createServiceDataSource({
              service: 'send-worker',
              database: databaseConfigOf(config),
              entities: SEND_WORKER_ENTITIES,
              migrations: SEND_WORKER_MIGRATIONS,
            }).initialize(),
        },
        {
          provide: DispatchHandler,
          inject: [SEND_WORKER_DATA_SOURCE, BUS, ProviderRegistry, APP_CONFIG],
          useFactory: (dataSource: DataSource, bus: Bus, providers: ProviderRegistry, config: AppConfig) =>
            new DispatchHandler(dataSource, bus, providers, publicBaseUrlOf(config)),
        },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.register('send-worker-db', () => isDataSourceReady(this.dataSource));
    this.shutdown.register('storage', 'send-worker-db', () => this.dataSource.destroy());
    await this.bus.subscribe({
      groupId: CONSUMER_GROUPS.sendWorker,
      topics: [TOPICS.dispatch],
      handler: this.handler.handle,
      // Keys are sender numbers: different senders send in parallel, one sender's messages in order.
      concurrency: 32,
    });
  }
}
