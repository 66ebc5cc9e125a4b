import { type DynamicModule, Global, Module } from '@nestjs/common';
import { PROVIDERS_CONFIG, type ProvidersConfig, ShutdownRegistry } from '@sms/platform';
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
          inject: [PROVIDERS_CONFIG, ShutdownRegistry],
          useFactory: (providers: ProvidersConfig, shutdown: ShutdownRegistry) => {
            const registry = createProviderRegistry(providers);
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
