import { metrics, registerGaugePoll } from '@sms/metrics';
import { type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { AccountService } from '@sms/auth';
import { type Bus, GROUP_COMMIT_CONCURRENCY } from '@sms/bus';
import { CONSUMER_GROUPS, INBOUND_STORE_CONSUMER_GROUP, TOPICS } from '@sms/contracts';
import { decimalToMicros, type KeyValueStore } from '@sms/counters';
import { MaskDirectory, MaskDirectoryModule } from '@sms/mask-directory';
import { keywordSet, OPT_OUT_CHECKER, OptOutReplicaModule, type OptOutChecker } from '@sms/opt-out-registry';
import { OutboxRelay } from '@sms/persistence';
import {
  APP_CONFIG,
  type AppConfig,
  BUS,
  outboundPolicyOf,
  serviceDataSourceProvider,
  KV_STORE,
  ShutdownRegistry,
} from '@sms/platform';
import type { DataSource } from 'typeorm';
import { INTAKE_ENTITIES, INTAKE_MIGRATIONS, INTAKE_OUTBOX } from './database/intake.schema';
import { IdempotencyService } from './idempotency/idempotency.service';
import { LedgerWriter } from './ledger/ledger.writer';
import { Admission } from './limits/admission';
import { defaultAccountLimits } from './limits/limit-policy';
import { LimitsController } from './limits/limits.controller';
import { LimitsStore } from './limits/limits.store';
import { PriceBookReader } from './limits/price-book.reader';
import { PumpingGuard } from './limits/pumping-guard';
import { MessagesController } from './messages/messages.controller';
import { MessagesService } from './messages/messages.service';
import { MessageSearch } from './search/message-search';
import { InboundController } from './inbound/inbound.controller';
import { InboundConsumer } from './inbound/inbound.consumer';
import { InboundSearch } from './inbound/inbound-search';
import { InboundStore } from './inbound/inbound.store';
import { NumberOwnersReader } from './inbound/number-owners.reader';
import { MessageSearchController } from './search/message-search.controller';
import { IntakeConsumer } from './send-topic/intake.consumer';
import { OUTBOX_MAX_POLL_INTERVAL_MS, RETRY_SCHEDULE } from './status/retry.constants';
import { RetryScheduler } from './status/retry.scheduler';
import { parseReceiptDeadlines, ReceiptDeadlineSweep } from './status/receipt-deadline.sweep';
import { StatusApplier } from './status/status-applier.service';

export const INTAKE_DATA_SOURCE = Symbol('INTAKE_DATA_SOURCE');

/** Tries of an inbound record before the DLQ: the bus's backoff (100 ms doubling, capped at 5 s) makes ~2 min. */
const INBOUND_MAX_ATTEMPTS = 30;

export { INTAKE_ENTITIES, INTAKE_MIGRATIONS };

/**
 * Intake: the REST and `sms.send.v1` front door, the ledger's only writer, the retry scheduler and
 * the outbox relay to `sms.accepted.v1`.
 */
@Module({})
export class IntakeModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('intake');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BUS) private readonly bus: Bus,
    private readonly writer: LedgerWriter,
    private readonly relay: OutboxRelay,
    private readonly scheduler: RetryScheduler,
    private readonly receiptSweep: ReceiptDeadlineSweep,
    private readonly consumer: IntakeConsumer,
    private readonly shutdown: ShutdownRegistry,
    private readonly inboundConsumer: InboundConsumer,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: IntakeModule,
      imports: [OptOutReplicaModule, MaskDirectoryModule],
      controllers: [MessagesController, LimitsController, MessageSearchController, InboundController],
      providers: [
        serviceDataSourceProvider(INTAKE_DATA_SOURCE, {
          service: 'intake',
          entities: INTAKE_ENTITIES,
          migrations: INTAKE_MIGRATIONS,
        }),
        {
          provide: OutboxRelay,
          inject: [INTAKE_DATA_SOURCE, BUS],
          useFactory: (dataSource: DataSource, bus: Bus): OutboxRelay =>
            new OutboxRelay({
              dataSource,
              schema: INTAKE_OUTBOX,
              publish: (records) => bus.publish(records),
              // Commits in this process wake the relay; the poll only finds other processes' rows.
              maxPollIntervalMs: OUTBOX_MAX_POLL_INTERVAL_MS,
              onError: (error) => new Logger('intake-outbox').error(`relay failed: ${String(error)}`),
            }),
        },
        {
          provide: LedgerWriter,
          inject: [INTAKE_DATA_SOURCE, OutboxRelay],
          useFactory: (dataSource: DataSource, relay: OutboxRelay): LedgerWriter =>
            new LedgerWriter(dataSource, { onCommitted: () => relay.wake() }),
        },
        {
          provide: IdempotencyService,
          inject: [KV_STORE, INTAKE_DATA_SOURCE],
          useFactory: (kv: KeyValueStore, dataSource: DataSource) => new IdempotencyService(kv, dataSource),
        },
        {
          provide: LimitsStore,
          inject: [INTAKE_DATA_SOURCE, APP_CONFIG],
          useFactory: (dataSource: DataSource, config: AppConfig) =>
            new LimitsStore(dataSource, defaultAccountLimits(config), config.LIMITS_CACHE_MS),
        },
        {
          provide: Admission,
          inject: [KV_STORE, LimitsStore, APP_CONFIG],
          useFactory: (kv: KeyValueStore, store: LimitsStore, config: AppConfig) => {
            const namespace = config.REDIS_KEY_PREFIX;
            const money = (text: string): number => decimalToMicros(text) ?? 0;

            return new Admission(
              kv,
              store,
              new PriceBookReader(
                kv,
                namespace,
                config.LIMITS_CURRENCY,
                money(config.LIMITS_DEFAULT_PRICE_PER_SEGMENT),
              ),
              new PumpingGuard(kv, {
                namespace,
                windowMs: config.PUMPING_WINDOW_SECONDS * 1000,
                sequentialRecipients: config.PUMPING_SEQUENTIAL_RECIPIENTS,
                prefixDigits: config.PUMPING_PREFIX_DIGITS,
                highCostMicros: money(config.PUMPING_HIGH_COST_PRICE),
                highCostRecipients: config.PUMPING_HIGH_COST_RECIPIENTS,
                blockMs: config.PUMPING_BLOCK_SECONDS * 1000,
              }),
              { enabled: config.LIMITS_ENABLED, namespace, currency: config.LIMITS_CURRENCY },
            );
          },
        },
        {
          provide: MessagesService,
          inject: [
            INTAKE_DATA_SOURCE,
            LedgerWriter,
            IdempotencyService,
            OPT_OUT_CHECKER,
            MaskDirectory,
            APP_CONFIG,
            Admission,
          ],
          useFactory: (
            dataSource: DataSource,
            writer: LedgerWriter,
            idempotency: IdempotencyService,
            optOuts: OptOutChecker,
            masks: MaskDirectory,
            config: AppConfig,
            admission: Admission,
          ) =>
            new MessagesService(
              dataSource,
              writer,
              idempotency,
              optOuts,
              masks,
              undefined,
              outboundPolicyOf(config),
              admission,
            ),
        },
        {
          provide: MessageSearch,
          inject: [INTAKE_DATA_SOURCE],
          useFactory: (dataSource: DataSource) => new MessageSearch(dataSource),
        },
        {
          provide: InboundSearch,
          inject: [INTAKE_DATA_SOURCE],
          useFactory: (dataSource: DataSource) => new InboundSearch(dataSource),
        },
        {
          provide: InboundStore,
          inject: [INTAKE_DATA_SOURCE, KV_STORE, APP_CONFIG],
          useFactory: (dataSource: DataSource, kv: KeyValueStore, config: AppConfig) =>
            new InboundStore(
              dataSource,
              new NumberOwnersReader(kv, config.REDIS_KEY_PREFIX),
              // The opt-out service's lists, so the keyword recorded is the one it acted on.
              keywordSet(config.OPT_OUT_EXTRA_STOP_WORDS, config.OPT_OUT_EXTRA_START_WORDS),
            ),
        },
        {
          provide: InboundConsumer,
          inject: [InboundStore],
          useFactory: (store: InboundStore) => new InboundConsumer(store),
        },
        {
          provide: StatusApplier,
          inject: [INTAKE_DATA_SOURCE, APP_CONFIG, OutboxRelay, OPT_OUT_CHECKER, RetryScheduler],
          useFactory: (
            dataSource: DataSource,
            config: AppConfig,
            relay: OutboxRelay,
            optOuts: OptOutChecker,
            scheduler: RetryScheduler,
          ) =>
            new StatusApplier(
              dataSource,
              {
                maxAttempts: config.MAX_SEND_ATTEMPTS,
                baseDelayMs: config.RETRY_BASE_DELAY_MS,
                maxDelayMs: RETRY_SCHEDULE.maxDelayMs,
              },
              undefined,
              undefined,
              // Applied changes of messages with a callback URL, for dlr-processor's caller callbacks.
              { schema: INTAKE_OUTBOX, onCommitted: () => relay.wake() },
              // A receipt-driven fallback never re-sends to a recipient who opted out meanwhile. The ledger row
              // does not name its account here, so an entry of any account blocks (accountId null: fail closed).
              (recipient, sender) => optOuts.isOptedOut({ recipient, sender, accountId: null }),
              (at) => scheduler.retryScheduled(at),
            ),
        },
        {
          provide: RetryScheduler,
          inject: [INTAKE_DATA_SOURCE, OutboxRelay, APP_CONFIG],
          useFactory: (dataSource: DataSource, relay: OutboxRelay, config: AppConfig) =>
            new RetryScheduler(
              dataSource,
              () => relay.wake(),
              (error) => new Logger('intake-retry').error(`retry pass failed: ${String(error)}`),
              config.STALE_MESSAGE_AFTER_MS,
            ),
        },
        {
          provide: ReceiptDeadlineSweep,
          inject: [INTAKE_DATA_SOURCE, OutboxRelay, APP_CONFIG],
          useFactory: (dataSource: DataSource, relay: OutboxRelay, config: AppConfig) =>
            new ReceiptDeadlineSweep(
              dataSource,
              parseReceiptDeadlines(config.RECONCILE_AFTER_SECONDS, config.RECONCILE_AFTER_SECONDS_BY_PROVIDER),
              () => relay.wake(),
              (error) => new Logger('intake-reconcile').error(`receipt deadline sweep failed: ${String(error)}`),
            ),
        },
        {
          provide: IntakeConsumer,
          inject: [BUS, MessagesService, StatusApplier, AccountService, Admission],
          useFactory: (
            bus: Bus,
            messages: MessagesService,
            applier: StatusApplier,
            accounts: AccountService,
            admission: Admission,
          ) => new IntakeConsumer(bus, messages, applier, accounts, admission),
        },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.shutdown.register('intake', 'intake-scheduler', async () => {
      await this.scheduler.stop();
      await this.receiptSweep.stop();
      await this.writer.drain();
      await this.relay.stop();
    });
    if (this.config.OUTBOX_RELAY_ENABLED) {
      this.relay.start();
    } else {
      this.logger.warn('OUTBOX_RELAY_ENABLED=false: accepted messages stay in the outbox');
    }
    this.scheduler.start();
    this.receiptSweep.start();
    registerGaugePoll('intake-outbox', async () => {
      metrics.outboxBacklog.set({ outbox: 'intake_outbox' }, await this.relay.backlog());
    });
    registerGaugePoll('intake-retry', async () => {
      const { waiting, due } = await this.scheduler.backlog();
      metrics.retryBacklog.set(waiting);
      metrics.retryDue.set(due);
    });
    if (!this.config.INTAKE_CONSUMERS_ENABLED) {
      // The REST API alone: a consumer-only intake (INTAKE_CONSUMERS_ENABLED=true) applies the topics.
      this.logger.log('INTAKE_CONSUMERS_ENABLED=false: sms.send.v1 and sms.status.v1 are left to another intake');

      return;
    }
    await this.bus.subscribe({
      groupId: INBOUND_STORE_CONSUMER_GROUP,
      topics: [TOPICS.inbound],
      handler: this.inboundConsumer.handle,
      // Until a router has published the number directory (one starting after intake), a record waits rather
      // than be filed under a guessed account: about two minutes of capped backoff before the DLQ (replayable).
      maxAttempts: INBOUND_MAX_ATTEMPTS,
    });
    await this.bus.subscribe({
      groupId: CONSUMER_GROUPS.intake,
      topics: [TOPICS.send, TOPICS.status],
      handler: this.consumer.handle,
      concurrency: GROUP_COMMIT_CONCURRENCY,
    });
  }
}
