import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnModuleInit,
} from '@nestjs/common';
import { createBus, exportConsumerLag, type Bus } from '@sms/bus';
import { registerGaugePoll } from '@sms/metrics';
import { flushTracing } from '@sms/tracing';
import { MemoryKeyValueStore, RedisKeyValueStore, type KeyValueStore } from '@sms/counters';
import { type AppConfig } from '../config/app.config';
import { CONFIG_GROUP_TOKENS, type ConfigGroups } from '../config/groups/config-groups';
import { ShutdownRegistry } from '../lifecycle/shutdown.registry';
import { busLoggerFor } from '../logging/bus-logger.adapter';
import type { RegionConfig } from '../region/region.config';
import { GLOBAL_TOPICS } from '../region/global-topics';
import { HealthController } from './health.controller';
import { ReadinessRegistry } from './readiness.registry';
import { APP_CONFIG, BUS, CLOCK, KV_STORE, PROVIDERS_CONFIG, REGION_CONFIG, systemClock } from './tokens';

export interface PlatformOptions {
  readonly config: AppConfig;
  /** Names the Kafka client and the logs: a service name, or `gateway` for the embedded host. */
  readonly processName: string;
  /** This deployment's region (docs/regions.md); default: read from the environment (REGION, REGIONS...). */
  readonly region?: RegionConfig;
  /**
   * Decorates the run mode's bus, for the embedded host only: one region among several queues its global
   * topics' records for its peers there (docs/regions.md, "Embedded mode").
   */
  readonly wrapBus?: (bus: Bus) => Bus;
}

/**
 * Provides the ports (bus, key-value store, clock, config) with the adapters of the run mode, and
 * health and shutdown ordering. Every service module depends on these tokens only, so the same
 * module runs alone against Kafka/Redis or beside the others in one process.
 */
@Global()
@Module({})
export class PlatformModule implements OnModuleInit, BeforeApplicationShutdown {
  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KV_STORE) private readonly kv: KeyValueStore,
    private readonly readiness: ReadinessRegistry,
    private readonly shutdown: ShutdownRegistry,
  ) {}

  static forRoot(options: PlatformOptions): DynamicModule {
    const { config } = options;
    const distributed = config.mode === 'distributed';
    const region = options.region ?? config.region;

    return {
      module: PlatformModule,
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: REGION_CONFIG, useValue: region },
        { provide: PROVIDERS_CONFIG, useValue: config.providers },
        ...groupProviders(config),
        { provide: CLOCK, useValue: systemClock },
        ReadinessRegistry,
        ShutdownRegistry,
        {
          provide: BUS,
          useFactory: (): Bus =>
            distributed
              ? createBus({
                  kind: 'kafka',
                  brokers: [...config.kafka.brokers],
                  clientId: options.processName,
                  security: config.kafka.security,
                  topicPrefix: config.kafka.topicPrefix,
                  ...(region.region === null
                    ? {}
                    : { globalTopics: { prefix: region.globalTopicPrefix, topics: GLOBAL_TOPICS } }),
                  maxWaitTimeMs: config.kafka.fetchMaxWaitMs,
                  logger: busLoggerFor(),
                  // subscribe() returns at once; the groups join while HTTP already answers (docs/reliability.md).
                  joinInBackground: true,
                })
              : (options.wrapBus ?? ((bus: Bus) => bus))(createBus({ kind: 'in-process', logger: busLoggerFor() })),
        },
        {
          provide: KV_STORE,
          useFactory: (): KeyValueStore =>
            distributed ? new RedisKeyValueStore({ url: config.redis.url }) : new MemoryKeyValueStore(),
        },
      ],
      exports: [
        APP_CONFIG,
        ...Object.values(CONFIG_GROUP_TOKENS),
        PROVIDERS_CONFIG,
        REGION_CONFIG,
        CLOCK,
        BUS,
        KV_STORE,
        ReadinessRegistry,
        ShutdownRegistry,
      ],
    };
  }

  onModuleInit(): void {
    // Neither takes a service out of readiness: no service's HTTP traffic needs them to answer (intake writes
    // to its outbox, dlr-ingest stores receipts before publishing), consumers wait an outage out (the bus's
    // infrastructure-error pause), and a 503 would only move traffic away from a process that can serve it.
    this.readiness.register('bus', () => this.bus.isReady(), { required: false });
    this.readiness.register('kv', () => this.kv.isReady(), { required: false });
    this.shutdown.register('consumers', 'bus', () => this.bus.close());
    this.shutdown.register('storage', 'kv', () => this.kv.close());
    this.shutdown.register('storage', 'traces', () => flushTracing());
    registerGaugePoll('consumer-lag', async () => exportConsumerLag(await this.bus.consumerLag()));
  }

  /** `app.close()` (signals, tests) runs the ordered shutdown once. */
  beforeApplicationShutdown(): Promise<void> {
    return this.shutdown.runAll();
  }
}

/** One provider per typed group (`config.database` under DATABASE_CONFIG ...), so a module injects only its own. */
const groupProviders = (config: AppConfig) =>
  (Object.keys(CONFIG_GROUP_TOKENS) as (keyof ConfigGroups)[]).map((group) => ({
    provide: CONFIG_GROUP_TOKENS[group],
    useValue: config[group],
  }));
