import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, ShutdownRegistry } from '@sms/platform';
import { closeProviders, createProviderRegistry, ProviderRegistry } from './provider.registry';

/** One registry per process, shared by send-worker, dlr-ingest and dlr-processor when co-hosted. */
@Global()
@Module({})
export class ProvidersModule {
  static forRoot(): DynamicModule {
    return {
      module: ProvidersModule,
      providers: [
        {
          provide: ProviderRegistry,
          inject: [APP_CONFIG, ShutdownRegistry],
          useFactory: (config: AppConfig, shutdown: ShutdownRegistry) => {
            const registry = createProviderRegistry(config);
            // With the consumers: in-flight sends get their submit_sm_resp, then the binds unbind.
            shutdown.register('consumers', 'provider-connections', () => closeProviders(registry));

            return registry;
          },
        },
      ],
      exports: [ProviderRegistry],
    };
  }
}
