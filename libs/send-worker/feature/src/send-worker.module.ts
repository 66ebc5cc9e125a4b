import { SendWorkerErasureSubscriber } from './privacy/send-worker-erasure';
import { type DynamicModule, Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { ArchiveModule, retentionPurgeProvider } from '@sms/archive';
import type { Bus } from '@sms/bus';
import { type KeyValueStore, SendGate } from '@sms/counters';
import { CONSUMER_GROUPS, RECONCILE_CONSUMER_GROUP, TOPICS } from '@sms/contracts';
import { OPT_OUT_CHECKER, OptOutReplicaModule, type OptOutChecker } from '@sms/opt-out-registry';
import {
  APP_CONFIG,
  PRIVACY_CONFIG,
  type PrivacyGroup,
  type AppConfig,
  BUS,
  KV_STORE,
  serviceDataSourceProvider,
  publicBaseUrlOf,
  ShutdownRegistry,
  REGION_CONFIG,
  type RegionConfig,
} from '@sms/platform';
import { ProviderRegistry } from '@sms/providers';
import type { DataSource } from 'typeorm';
import { SendAttemptEntity } from './database/entities/send-attempt.entity';
import { CreateSendAttempts1763770300000 } from './database/migrations/1763770300000-CreateSendAttempts';
import { DispatchHandler } from './sending/dispatch.handler';
import { ReceiptReconciler } from './sending/receipt.reconciler';

/**
 * Keys are sender numbers. A sender needs about rate × (provider latency + the lead its dispatches wait
 * for `sendAt`) calls open at once to reach its carrier limit: 256 cover 100 segments/s at up to ~2 s of
 * latency. Per partition batch; the provider's window and SEND_MAX_IN_FLIGHT bound the actual calls.
 */
export const DISPATCH_CONCURRENCY = { concurrency: 512, keyConcurrency: 256 } as const;

export const SEND_WORKER_DATA_SOURCE = Symbol('SEND_WORKER_DATA_SOURCE');
export const SEND_WORKER_ENTITIES = [SendAttemptEntity];
export const SEND_WORKER_MIGRATIONS = [CreateSendAttempts1763770300000];

/** Send-worker: calls the provider for each dispatch, once, and reports the outcome. */
@Module({})
export class SendWorkerModule implements OnApplicationBootstrap {
  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly handler: DispatchHandler,
    private readonly reconciler: ReceiptReconciler,
    private readonly shutdown: ShutdownRegistry,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: SendWorkerModule,
      imports: [OptOutReplicaModule, ArchiveModule],
      providers: [
        {
          provide: SendWorkerErasureSubscriber,
          inject: [BUS, PRIVACY_CONFIG, REGION_CONFIG, SEND_WORKER_DATA_SOURCE],
          useFactory: (bus: Bus, privacy: PrivacyGroup, region: RegionConfig, dataSource: DataSource) =>
            new SendWorkerErasureSubscriber(bus, { salt: privacy.salt, region: region.region }, dataSource),
        },
        serviceDataSourceProvider(SEND_WORKER_DATA_SOURCE, {
          service: 'send-worker',
          entities: SEND_WORKER_ENTITIES,
          migrations: SEND_WORKER_MIGRATIONS,
        }),
        retentionPurgeProvider('send-worker', SEND_WORKER_DATA_SOURCE),
        {
          provide: DispatchHandler,
          inject: [SEND_WORKER_DATA_SOURCE, BUS, ProviderRegistry, APP_CONFIG, OPT_OUT_CHECKER, KV_STORE],
          useFactory: (
            dataSource: DataSource,
            bus: Bus,
            providers: ProviderRegistry,
            config: AppConfig,
            optOuts: OptOutChecker,
            kv: KeyValueStore,
          ) =>
            new DispatchHandler(
              dataSource,
              bus,
              providers,
              publicBaseUrlOf(config),
              optOuts,
              undefined,
              undefined,
              // Shared with intake's cancels (Redis, or the embedded process's store).
              new SendGate(kv, config.redis.keyPrefix),
            ),
        },
        {
          provide: ReceiptReconciler,
          inject: [BUS, ProviderRegistry],
          useFactory: (bus: Bus, providers: ProviderRegistry) => new ReceiptReconciler(bus, providers),
        },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    // Beside the bus's own close: dispatches waiting for a rate slot are left for redelivery, so shutdown
    // waits for the sends in flight, not for the sender's whole schedule.
    this.shutdown.register('consumers', 'send-worker-slot-waits', async () => this.handler.stopWaiting());
    await this.bus.subscribe({
      groupId: CONSUMER_GROUPS.sendWorker,
      topics: [TOPICS.dispatch],
      handler: this.handler.handle,
      ...DISPATCH_CONCURRENCY,
    });
    // Its own group: provider lookups of messages past their receipt deadline never hold up sends.
    await this.bus.subscribe({
      groupId: RECONCILE_CONSUMER_GROUP,
      topics: [TOPICS.reconcile],
      handler: this.reconciler.handle,
      concurrency: 8,
    });
  }
}
