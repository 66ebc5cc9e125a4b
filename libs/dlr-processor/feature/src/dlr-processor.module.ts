import { DlrProcessorErasureSubscriber } from './privacy/dlr-processor-erasure';
import { AddProviderRefTraceParent1763779700000 } from './database/migrations/1763779700000-AddProviderRefTraceParent';
import { ArchiveModule, retentionPurgeProvider } from '@sms/archive';
import { randomBytes } from 'node:crypto';
import { type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { twilioAuthTokenOf } from '@sms/auth';
import { type Bus, type ConsumedRecord, GROUP_COMMIT_CONCURRENCY } from '@sms/bus';
import { CALLBACK_LOG_READER, CONSUMER_GROUPS, decodeEvent, MessageTransitionV1, TOPICS } from '@sms/contracts';
import {
  CALLBACKS_CONFIG,
  type CallbacksGroup,
  DLR_PROCESSOR_CONFIG,
  type DlrProcessorGroup,
  KAFKA_CONFIG,
  type KafkaGroup,
  PRIVACY_CONFIG,
  type PrivacyGroup,
  BUS,
  outboundPolicyOf,
  serviceDataSourceProvider,
  ShutdownRegistry,
  REGION_CONFIG,
  type RegionConfig,
} from '@sms/platform';
import { ProviderRegistry } from '@sms/providers';
import type { DataSource } from 'typeorm';
import { CallbackClient } from './callbacks/callback.client';
import { CallbackDispatcher } from './callbacks/callback.dispatcher';
import { CallbackDeliveryEntity } from './database/entities/callback-delivery.entity';
import { ParkedReceiptEntity } from './database/entities/parked-receipt.entity';
import { ProviderMessageRefEntity } from './database/entities/provider-message-ref.entity';
import { ReceiptPartEntity } from './database/entities/receipt-part.entity';
import { CreateDlrProcessorSchema1763770500000 } from './database/migrations/1763770500000-CreateDlrProcessorSchema';
import { DlrProcessorPartsAndCallbacks1763780500000 } from './database/migrations/1763780500000-DlrProcessorPartsAndCallbacks';
import { AddCallbackFormat1766500000100 } from './database/migrations/1766500000100-AddCallbackFormat';
import { AddProviderRefRoute1767410000100 } from './database/migrations/1767410000100-AddProviderRefRoute';
import { UnmatchedReceiptsController } from './operations/unmatched-receipts.controller';
import { RateLimiter } from './receipts/rate-limiter';
import { isOwnReceiptEvent, ReceiptProcessor } from './receipts/receipt.processor';
import { DLR_PROCESSOR_DATA_SOURCE } from './tokens';
import { SqlCallbackLogReader } from './callbacks/callback-log.reader';
import { InternalCallbacksController } from './callbacks/internal-callbacks.controller';

export { DLR_PROCESSOR_DATA_SOURCE };
export const DLR_PROCESSOR_ENTITIES = [
  ProviderMessageRefEntity,
  ParkedReceiptEntity,
  ReceiptPartEntity,
  CallbackDeliveryEntity,
];
export const DLR_PROCESSOR_MIGRATIONS = [
  CreateDlrProcessorSchema1763770500000,
  AddProviderRefTraceParent1763779700000,
  DlrProcessorPartsAndCallbacks1763780500000,
  AddCallbackFormat1766500000100,
  AddProviderRefRoute1767410000100,
];

/** The callback signing key: configured, or (embedded, unset) one random key per process. */
function callbackSecretOf(callbacks: CallbacksGroup): string {
  if (callbacks.secret) {
    return callbacks.secret;
  }
  new Logger('dlr-processor').warn('CALLBACK_SECRET is not set: callbacks are signed with a per-process random key');

  return randomBytes(32).toString('hex');
}

/**
 * dlr-processor: parses stored webhooks, correlates receipts (per part for long messages), publishes
 * canonical events, and calls callers back on every status change intake applied.
 */
@Module({})
export class DlrProcessorModule implements OnApplicationBootstrap {
  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(DLR_PROCESSOR_CONFIG) private readonly config: DlrProcessorGroup,
    private readonly processor: ReceiptProcessor,
    private readonly callbacks: CallbackDispatcher,
    private readonly shutdown: ShutdownRegistry,
    @Optional() @Inject(KAFKA_CONFIG) private readonly kafka?: KafkaGroup,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: DlrProcessorModule,
      imports: [ArchiveModule],
      controllers: [UnmatchedReceiptsController, InternalCallbacksController],
      providers: [
        {
          // The caller callbacks of a message's timeline (intake looks it up in the embedded mode).
          provide: CALLBACK_LOG_READER,
          inject: [DLR_PROCESSOR_DATA_SOURCE],
          useFactory: (dataSource: DataSource) => new SqlCallbackLogReader(dataSource),
        },
        {
          provide: DlrProcessorErasureSubscriber,
          inject: [BUS, PRIVACY_CONFIG, REGION_CONFIG, DLR_PROCESSOR_DATA_SOURCE],
          useFactory: (bus: Bus, privacy: PrivacyGroup, region: RegionConfig, dataSource: DataSource) =>
            new DlrProcessorErasureSubscriber(bus, { salt: privacy.salt, region: region.region }, dataSource),
        },
        serviceDataSourceProvider(DLR_PROCESSOR_DATA_SOURCE, {
          service: 'dlr-processor',
          entities: DLR_PROCESSOR_ENTITIES,
          migrations: DLR_PROCESSOR_MIGRATIONS,
        }),
        retentionPurgeProvider('dlr-processor', DLR_PROCESSOR_DATA_SOURCE),
        {
          provide: ReceiptProcessor,
          inject: [DLR_PROCESSOR_DATA_SOURCE, BUS, ProviderRegistry],
          useFactory: (dataSource: DataSource, bus: Bus, providers: ProviderRegistry) =>
            new ReceiptProcessor(dataSource, bus, providers),
        },
        {
          provide: CallbackDispatcher,
          inject: [DLR_PROCESSOR_DATA_SOURCE, CALLBACKS_CONFIG],
          useFactory: (dataSource: DataSource, callbacks: CallbacksGroup) => {
            const secret = callbackSecretOf(callbacks);

            return new CallbackDispatcher(
              dataSource,
              new CallbackClient({ secret, ...outboundPolicyOf({ callbacks }) }),
              {
                retryWindowMs: callbacks.retryHours * 3_600_000,
                onError: (error) => new Logger('dlr-callbacks').error(`callback pass failed: ${String(error)}`),
                twilioAuthToken: (accountId) => twilioAuthTokenOf(secret, accountId),
              },
            );
          },
        },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const limiter = new RateLimiter(this.config.maxPerSecond);
    this.shutdown.register('consumers', 'dlr-callbacks', () => this.callbacks.stop());
    this.callbacks.start();
    await this.bus.subscribe({
      groupId: CONSUMER_GROUPS.dlrProcessor,
      // Of the status events only the send results (ADR 0027): its own receipts never come back to it. While
      // upgrading, sms.status.v1 too, for the send results older send-workers left there.
      topics: [
        TOPICS.sendResult,
        TOPICS.dlrRaw,
        TOPICS.inboundRaw,
        TOPICS.transition,
        ...(this.kafka?.legacyStatusReads ? [TOPICS.status] : []),
      ],
      ignores: isOwnReceiptEvent,
      handler: async (record: ConsumedRecord) => {
        if (record.topic === TOPICS.transition) {
          await this.callbacks.enqueue(decodeEvent(MessageTransitionV1, record.value));

          return;
        }
        if (record.topic === TOPICS.dlrRaw) {
          await limiter.take();
        }
        await this.processor.handle(record);
      },
      concurrency: GROUP_COMMIT_CONCURRENCY,
    });
  }
}
