import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@sms/auth';
import { DlrIngestModule } from '@sms/dlr-ingest';
import { DlrProcessorModule } from '@sms/dlr-processor';
import { IntakeModule } from '@sms/intake';
import { MaskingModule } from '@sms/masking';
import { OptOutModule } from '@sms/opt-out';
import { type AppConfig, PlatformModule } from '@sms/platform';
import { ProvidersModule } from '@sms/providers';
import { RouterModule } from '@sms/router';
import { SendWorkerModule } from '@sms/send-worker';
import { RegionPeersController } from './region-peers/region-peers.controller';
import { regionPeerSyncOf } from './region-peers/region-peers';

/**
 * Every service module in one process. The modules are the same ones the seven service apps host
 * alone; only the platform's adapters differ with the run mode (in-process bus and SQLite in the
 * embedded mode, Kafka, MySQL and Redis in the distributed one).
 */
@Module({})
export class GatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    const region = config.region;
    // One region among several: the global slices' changes go to the other regions' gateways.
    const peers = regionPeerSyncOf(config, region);

    return {
      module: GatewayModule,
      controllers: peers ? [RegionPeersController] : [],
      providers: peers?.providers ?? [],
      imports: [
        PlatformModule.forRoot({
          config,
          processName: 'gateway',
          region,
          ...(peers ? { wrapBus: peers.wrapBus } : {}),
        }),
        AuthModule.forRoot({ adminRoutes: true }),
        ProvidersModule.forRoot(),
        IntakeModule.forRoot(),
        RouterModule.forRoot(),
        SendWorkerModule.forRoot(),
        DlrIngestModule.forRoot(),
        DlrProcessorModule.forRoot(),
        MaskingModule.forRoot(),
        OptOutModule.forRoot(),
      ],
    };
  }
}
