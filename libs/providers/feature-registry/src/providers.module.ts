import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@sms/platform';
import { createProviderRegistry, ProviderRegistry } from './provider.registry';

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
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => createProviderRegistry(config),
        },
      ],
      exports: [ProviderRegistry],
    };
  }
}
