import { RouterErasureSubscriber } from './privacy/router-erasure';
import { metrics, registerGaugePoll, unregisterGaugePoll } from '@sms/metrics';
import {
  type DynamicModule,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  Optional,
  type Provider,
} from '@nestjs/common';
import { type Bus, LAG_TOLERANT_FETCH } from '@sms/bus';
import { CONSUMER_GROUPS, ROUTE_QUOTER, TOPICS } from '@sms/contracts';
import {
  APP_CONFIG,
  PRIVACY_CONFIG,
  type PrivacyGroup,
  ROUTER_CONFIG,
  type RouterGroup,
  type AppConfig,
  BUS,
  KV_STORE,
  ReadinessRegistry,
  serviceDataSourceProvider,
  ShutdownRegistry,
  REGION_CONFIG,
  type RegionConfig,
} from '@sms/platform';
import { AccountService } from '@sms/auth';
import type { KeyValueStore } from '@sms/counters';
import { ProviderRegistry } from '@sms/providers';
import type { DataSource } from 'typeorm';
import { ROUTER_ENTITIES, ROUTER_MIGRATIONS } from './database/router.schema';
import { seedRouterIfEmpty } from './database/router.seed';
import { ExplainService } from './operator/explain.service';
import { EngineRouteQuoter } from './operator/route-quoter';
import { NumbersController, ProvidersController, RoutesController } from './operator/operator.controllers';
import { listMaskingNumbers, OperatorService } from './operator/operator.service';
import { PriceBookPublisher } from './pricing/price-book.publisher';
import { NumberOwnersPublisher } from './numbers/number-owners.publisher';
import { HealthRecorder, tellsHealthNothing } from './routing/health.recorder';
import { HealthHistory } from './health/health-history';
import { ProviderHealthController } from './health/provider-health.controller';
import { NoRouteBacklog } from './routing/no-route-backlog';
import { RouterConsumer } from './routing/router.consumer';
import { RoutingEngine } from './routing/routing-engine';
import { registerRoutingMetrics, RoutingMetrics } from './routing/routing-metrics';
import { SqlRoutePool } from './routing/snapshot/sql-route-pool';
import { LookupSettingsController } from './portability/lookup-settings.controller';
import { LookupSettingsService } from './portability/lookup-settings.service';
import { NetworkResolver } from './portability/network-resolver';
import { createNetworkResolver } from './portability/network-resolver.factory';
import { HourlyRollups } from './routing/quality/hourly-rollups';
import { QualitySource, qualityAwarePool } from './routing/quality/quality-source';
import { QualityTracker } from './routing/quality/quality-tracker';
import { WeightStore } from './routing/quality/score-weights';
import { MemoryShortBuckets, RedisShortBuckets, type ShortBucketStore } from './routing/quality/short-buckets';
import { RouteWeightsController } from './operator/weights.controller';
import { WeightsService } from './operator/weights.service';
import { MemoryRoutingState } from './state/memory-routing-state';
import { RedisRoutingState } from './state/redis-routing-state';
import type { RoutingState } from './state/routing-state';

export const ROUTER_DATA_SOURCE = Symbol('ROUTER_DATA_SOURCE');
export const ROUTING_STATE = Symbol('ROUTING_STATE');
export const QUALITY_SHORT_BUCKETS = Symbol('QUALITY_SHORT_BUCKETS');
/** Consumer group that feeds provider health from `sms.status.v1` (one count per event across replicas). */
export const ROUTER_HEALTH_GROUP = `${CONSUMER_GROUPS.router}-health`;
export { listMaskingNumbers, ROUTER_ENTITIES, ROUTER_MIGRATIONS, seedRouterIfEmpty };

/** How often backlog messages are tried again and other replicas' operator changes are noticed. */
const BACKLOG_TICK_MS = 1_000;
const POOL_VERSION_POLL_MS = 1_000;

/**
 * Health is a window of 10-s buckets: a second behind costs nothing, while a fetch per produce under load,
 * or four empty fetches a second at idle (the lag-tolerant pacing's quarter second), cost CPU for nothing.
 */
const HEALTH_FETCH = { ...LAG_TOLERANT_FETCH, maxWaitMs: 1_000 } as const;

/** The router's database, its routing state (Redis or memory) and the number-network resolver. */
const STORAGE_PROVIDERS: Provider[] = [
  serviceDataSourceProvider(ROUTER_DATA_SOURCE, {
    service: 'router',
    entities: ROUTER_ENTITIES,
    migrations: ROUTER_MIGRATIONS,
    poolSize: 4,
  }),
  {
    provide: ROUTING_STATE,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig): RoutingState =>
      config.mode === 'distributed'
        ? new RedisRoutingState({ url: config.redis.url, keyPrefix: config.redis.keyPrefix })
        : new MemoryRoutingState(),
  },
  {
    provide: NetworkResolver,
    inject: [APP_CONFIG, ROUTER_CONFIG, ROUTER_DATA_SOURCE, KV_STORE],
    useFactory: (config: AppConfig, router: RouterGroup, dataSource: DataSource, kv: KeyValueStore) =>
      createNetworkResolver(config, router, dataSource, kv),
  },
];

/** Routing: the engine over the route pool and the consumer that routes each accepted message. */
const ROUTING_PROVIDERS: Provider[] = [
  RoutingMetrics,
  {
    provide: RoutingEngine,
    inject: [ROUTER_DATA_SOURCE, ROUTING_STATE, QUALITY_SHORT_BUCKETS, ROUTER_CONFIG, NetworkResolver],
    useFactory: (
      dataSource: DataSource,
      state: RoutingState,
      short: ShortBucketStore,
      router: RouterGroup,
      network: NetworkResolver,
    ) => {
      const quality = new QualitySource(
        short,
        new HourlyRollups(dataSource),
        new WeightStore(dataSource),
        {
          windowMs: router.qualityWindowSeconds * 1000,
          historyDays: router.qualityHistoryDays,
          refreshMs: Math.min(router.qualityBucketSeconds * 1000, 10_000),
        },
        (error) => new Logger('router-quality').warn(`route quality read failed: ${String(error)}`),
      );

      return new RoutingEngine(qualityAwarePool(new SqlRoutePool(dataSource), quality), state, { network });
    },
  },
  {
    provide: RouterConsumer,
    inject: [RoutingEngine, BUS, RoutingMetrics, ROUTER_CONFIG],
    useFactory: (engine: RoutingEngine, bus: Bus, metrics: RoutingMetrics, router: RouterGroup) =>
      new RouterConsumer(
        engine,
        bus,
        new NoRouteBacklog(metrics, {
          baseDelayMs: 1_000,
          maxDelayMs: 30_000,
          capacity: 100_000,
          maxWaitMs: router.noRouteMaxWaitSeconds * 1000,
        }),
        metrics,
      ),
  },
];

/** Provider health and route quality, fed by delivery outcomes. */
const QUALITY_PROVIDERS: Provider[] = [
  {
    provide: HealthHistory,
    inject: [RoutingEngine],
    useFactory: (engine: RoutingEngine) =>
      new HealthHistory(
        () => engine.providerHealth(),
        (error) => new Logger('router-health-history').warn(`health sample failed: ${String(error)}`),
      ),
  },
  {
    // The recent route-quality buckets: shared in Redis across replicas, in memory when embedded.
    provide: QUALITY_SHORT_BUCKETS,
    inject: [APP_CONFIG, ROUTER_CONFIG],
    useFactory: (config: AppConfig, router: RouterGroup): ShortBucketStore =>
      config.mode === 'distributed'
        ? new RedisShortBuckets(
            { url: config.redis.url, keyPrefix: config.redis.keyPrefix },
            router.qualityWindowSeconds * 1000,
            router.qualityBucketSeconds * 1000,
          )
        : new MemoryShortBuckets(router.qualityWindowSeconds * 1000),
  },
  {
    provide: QualityTracker,
    inject: [ROUTER_DATA_SOURCE, QUALITY_SHORT_BUCKETS, ROUTER_CONFIG],
    useFactory: (dataSource: DataSource, short: ShortBucketStore, router: RouterGroup) =>
      new QualityTracker([short, new HourlyRollups(dataSource)], {
        bucketMs: router.qualityBucketSeconds * 1000,
      }),
  },
  {
    provide: HealthRecorder,
    inject: [ROUTING_STATE, QualityTracker],
    useFactory: (state: RoutingState, quality: QualityTracker) =>
      new HealthRecorder(state, (event) => quality.observe(event)),
  },
];

/** What intake reads from the router: prices, number owners and route quotes. */
const INTAKE_FACING_PROVIDERS: Provider[] = [
  {
    // Intake prices messages for spend caps from this (it does not own the rates).
    provide: PriceBookPublisher,
    inject: [ROUTER_DATA_SOURCE, KV_STORE, APP_CONFIG],
    useFactory: (dataSource: DataSource, kv: KeyValueStore, config: AppConfig) =>
      new PriceBookPublisher(dataSource, kv, config.redis.keyPrefix),
  },
  {
    // Intake files inbound messages under their number's account from this (it does not own the numbers).
    provide: NumberOwnersPublisher,
    inject: [ROUTER_DATA_SOURCE, KV_STORE, APP_CONFIG],
    useFactory: (dataSource: DataSource, kv: KeyValueStore, config: AppConfig) =>
      new NumberOwnersPublisher(dataSource, kv, config.redis.keyPrefix),
  },
  {
    // Intake's quote finds this in the same process (embedded); a distributed intake asks over HTTP.
    provide: ROUTE_QUOTER,
    inject: [RoutingEngine],
    useFactory: (engine: RoutingEngine) => new EngineRouteQuoter(engine),
  },
];

/** The operator API: providers, numbers, routes, weights, lookup settings and explanations. */
const OPERATOR_PROVIDERS: Provider[] = [
  {
    provide: LookupSettingsService,
    inject: [ROUTER_DATA_SOURCE, RoutingEngine, ROUTING_STATE, NetworkResolver],
    useFactory: (dataSource: DataSource, engine: RoutingEngine, state: RoutingState, network: NetworkResolver) =>
      new LookupSettingsService(
        dataSource,
        async () => {
          engine.invalidate();
          await state.bumpPoolVersion();
        },
        () => network.sources(),
      ),
  },
  {
    provide: OperatorService,
    inject: [
      ROUTER_DATA_SOURCE,
      RoutingEngine,
      ROUTING_STATE,
      PriceBookPublisher,
      NumberOwnersPublisher,
      AccountService,
    ],
    useFactory: (
      dataSource: DataSource,
      engine: RoutingEngine,
      state: RoutingState,
      prices: PriceBookPublisher,
      owners: NumberOwnersPublisher,
      accounts: AccountService,
    ) =>
      new OperatorService(
        dataSource,
        async () => {
          engine.invalidate();
          await state.bumpPoolVersion();
          await prices.refresh();
          await owners.refresh();
        },
        undefined,
        (accountId) => accounts.exists(accountId),
      ),
  },
  {
    provide: WeightsService,
    inject: [ROUTER_DATA_SOURCE, RoutingEngine, ROUTING_STATE],
    useFactory: (dataSource: DataSource, engine: RoutingEngine, state: RoutingState) =>
      new WeightsService(new WeightStore(dataSource), async () => {
        engine.invalidate();
        await state.bumpPoolVersion();
      }),
  },
  {
    provide: ExplainService,
    inject: [RoutingEngine],
    useFactory: (engine: RoutingEngine) => new ExplainService(engine),
  },
];

/** Erasure requests applied to the router's state. */
const PRIVACY_PROVIDERS: Provider[] = [
  {
    provide: RouterErasureSubscriber,
    inject: [BUS, PRIVACY_CONFIG, REGION_CONFIG, ROUTING_STATE, NetworkResolver],
    useFactory: (
      bus: Bus,
      privacy: PrivacyGroup,
      region: RegionConfig,
      state: RoutingState,
      network: NetworkResolver,
    ) => new RouterErasureSubscriber(bus, { salt: privacy.salt, region: region.region }, state, network),
  },
];

/**
 * Router: picks (provider, sender) for each accepted message; owns providers, numbers, rates and
 * country rules, and serves the operator API over them.
 */
@Module({})
export class RouterModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('router');
  private versionTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(ROUTER_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(ROUTING_STATE) private readonly state: RoutingState,
    private readonly consumer: RouterConsumer,
    private readonly health: HealthRecorder,
    private readonly engine: RoutingEngine,
    private readonly metrics: RoutingMetrics,
    private readonly shutdown: ShutdownRegistry,
    private readonly readiness: ReadinessRegistry,
    private readonly priceBook: PriceBookPublisher,
    private readonly numberOwners: NumberOwnersPublisher,
    private readonly healthHistory: HealthHistory,
    private readonly quality: QualityTracker,
    @Inject(QUALITY_SHORT_BUCKETS) private readonly shortBuckets: ShortBucketStore,
    @Inject(ROUTER_CONFIG) private readonly config: RouterGroup,
    @Optional() private readonly providers?: ProviderRegistry,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: RouterModule,
      controllers: [
        ProviderHealthController,
        ProvidersController,
        NumbersController,
        LookupSettingsController,
        RouteWeightsController,
        RoutesController,
      ],
      providers: [
        ...STORAGE_PROVIDERS,
        ...ROUTING_PROVIDERS,
        ...QUALITY_PROVIDERS,
        ...INTAKE_FACING_PROVIDERS,
        ...OPERATOR_PROVIDERS,
        ...PRIVACY_PROVIDERS,
      ],
      exports: [RoutingMetrics],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const registry = this.providers;
    const seeded = await seedRouterIfEmpty(this.dataSource, {
      canSendThrough: registry ? (id) => registry.has(id) : undefined,
    });
    if (seeded) {
      this.logger.log('seeded the provider and number pool with the demo routes');
    }
    // Not required: the operator API reads the router's database; routing itself waits a Redis outage out
    // (the bus pauses on its connection errors), so a 503 would only hide a router that can still answer.
    this.readiness.register('routing-state', () => this.state.isReady(), { required: false });
    await this.priceBook.start();
    await this.numberOwners.start();
    const unregister = registerRoutingMetrics(this.metrics);
    registerGaugePoll('router-health-and-backlog', async () => {
      metrics.queuedNoRoute.reset();
      for (const [country, size] of this.metrics.noRouteBacklog()) {
        metrics.queuedNoRoute.set({ country }, size);
      }
      for (const [provider, health] of await this.engine.providerHealth()) {
        // 1 healthy, 0.5 degraded (errors, still used), 0 skipped by the 5% rule.
        metrics.providerHealth.set({ provider }, health.unhealthy ? 0 : health.errorRate > 0 ? 0.5 : 1);
      }
    });
    this.healthHistory.start();
    const qualityTimer = setInterval(() => void this.flushQuality(), this.config.qualityBucketSeconds * 1000);
    qualityTimer.unref();
    this.shutdown.register('consumers', 'router-backlog', async () => {
      this.healthHistory.stop();
      unregister();
      unregisterGaugePoll('router-health-and-backlog');
      this.priceBook.stop();
      this.numberOwners.stop();
      await this.consumer.stop();
      clearInterval(qualityTimer);
    });
    // The health consumer has stopped: the last partial bucket is written before any store closes (hooks of
    // one phase run together, so in `storage` the flush would race the data source's close).
    this.shutdown.register('flush', 'router-quality', () => this.flushQuality());
    this.shutdown.register('storage', 'router-state', async () => {
      if (this.versionTimer) {
        clearInterval(this.versionTimer);
      }
      await this.shortBuckets.close();
      await this.state.close();
    });
    this.consumer.start(BACKLOG_TICK_MS);
    this.watchPoolVersion();
    await this.bus.subscribe({
      groupId: ROUTER_HEALTH_GROUP,
      topics: [TOPICS.status],
      handler: this.health.handle,
      concurrency: 16,
      fetch: HEALTH_FETCH,
      ignores: tellsHealthNothing,
    });
    await this.bus.subscribe({
      groupId: CONSUMER_GROUPS.router,
      topics: [TOPICS.accepted],
      handler: this.consumer.handle,
      concurrency: 16,
    });
  }

  private async flushQuality(): Promise<void> {
    const error = await this.quality.flush().catch((e: unknown) => e);
    if (error) {
      this.logger.warn(
        `route quality flush failed (kept for the next one): ${error instanceof Error ? error.message : 'unknown error'}`,
      );
    }
  }

  /** Another replica changed the pool (operator API): drop this one's cache too. */
  private watchPoolVersion(): void {
    let seen: string | null = null;
    this.versionTimer = setInterval(() => {
      this.state
        .poolVersion()
        .then((version) => {
          if (seen !== null && version !== seen) {
            this.engine.invalidate();
          }
          seen = version;
        })
        .catch((error: unknown) => this.logger.warn(`pool version check failed: ${String(error)}`));
    }, POOL_VERSION_POLL_MS);
    this.versionTimer.unref();
  }
}
