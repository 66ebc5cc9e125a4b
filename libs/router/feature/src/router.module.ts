import { type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import { CONSUMER_GROUPS, TOPICS } from '@sms/contracts';
import { BUS, serviceDataSourceProvider } from '@sms/platform';
import type { DataSource } from 'typeorm';
import { ROUTER_ENTITIES, ROUTER_MIGRATIONS } from './database/router.schema';
import { seedRouterIfEmpty } from './database/router.seed';
import { RouterConsumer } from './routing/router.consumer';

export const ROUTER_DATA_SOURCE = Symbol('ROUTER_DATA_SOURCE');
export { ROUTER_ENTITIES, ROUTER_MIGRATIONS, seedRouterIfEmpty };

/** Router: picks (provider, sender) for each accepted message; owns providers, numbers and rates. */
@Module({})
export class RouterModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('router');

  constructor(
    @Inject(ROUTER_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(BUS) private readonly bus: Bus,
    private readonly consumer: RouterConsumer,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: RouterModule,
      providers: [
        serviceDataSourceProvider(ROUTER_DATA_SOURCE, {
          service: 'router',
          entities: ROUTER_ENTITIES,
          migrations: ROUTER_MIGRATIONS,
          poolSize: 4,
        }),
        {
          provide: RouterConsumer,
          inject: [ROUTER_DATA_SOURCE, BUS],
          useFactory: (dataSource: DataSource, bus: Bus) => new RouterConsumer(dataSource, bus),
        },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (await seedRouterIfEmpty(this.dataSource)) {
      this.logger.log('seeded the provider and number pool with the demo routes');
    }
    await this.bus.subscribe({
      groupId: CONSUMER_GROUPS.router,
      topics: [TOPICS.accepted],
      handler: this.consumer.handle,
      concurrency: 16,
    });
  }
}
