import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { KeyValueStore } from '@sms/counters';
import { APP_CONFIG, type AppConfig, KV_STORE, ShutdownRegistry } from '@sms/platform';
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
          inject: [APP_CONFIG, ShutdownRegistry, KV_STORE],
          useFactory: (config: AppConfig, shutdown: ShutdownRegistry, kv: KeyValueStore) => {
            // Distributed: Redis tells the receiving process (dlr-ingest) which SMPP parts the send-worker sent
            // together. Embedded: sender and receiver share the adapter, whose own bounded map is enough.
            const registry = createProviderRegistry(config, config.MODE === 'distributed' ? kv : null);
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
