import { metrics, readGauges, registerGaugePoll } from '@sms/metrics';
import { ArchiveModule, retentionPurgeProvider } from '@sms/archive';
import { type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AccountService } from '@sms/auth';
import { type Bus, GROUP_COMMIT_CONCURRENCY } from '@sms/bus';
import { CONSUMER_GROUPS, INBOUND_STORE_CONSUMER_GROUP, TOPICS } from '@sms/contracts';
import { decimalToMicros, type KeyValueStore, microsToDecimal, SendGate } from '@sms/counters';
import { MaskDirectory, MaskDirectoryModule } from '@sms/mask-directory';
import { keywordSet, OPT_OUT_CHECKER, OptOutReplicaModule, type OptOutChecker } from '@sms/opt-out-registry';
import { ARCHIVE_ERASER, type ArchiveEraser, OutboxRelay } from '@sms/persistence';
import {
  APP_CONFIG,
  KEYWORDS_CONFIG,
  OUTBOX_CONFIG,
  INTAKE_CONFIG,
  type IntakeGroup,
  SERVICES_CONFIG,
  type ServicesGroup,
  type OutboxGroup,
  type KeywordsGroup,
  PRIVACY_CONFIG,
  type PrivacyGroup,
  type AppConfig,
  BUS,
  outboundPolicyOf,
  partitionMaintenanceProvider,
  serviceDataSourceProvider,
  KV_STORE,
  ShutdownRegistry,
  REGION_CONFIG,
  type RegionConfig,
} from '@sms/platform';
import type { DataSource } from 'typeorm';
import { INTAKE_ENTITIES, INTAKE_MIGRATIONS, INTAKE_OUTBOX } from './database/intake.schema';
import { INTAKE_MONTHLY_TABLES } from './database/ledger-tables';
import { IdempotencyService } from './idempotency/idempotency.service';
import { LedgerWriter } from './ledger/ledger.writer';
import { Admission } from './limits/admission';
import { defaultAccountLimits } from './limits/limit-policy';
import { LimitsController } from './limits/limits.controller';
import { LimitsStore } from './limits/limits.store';
import { AccountResendPolicyController, ResendPolicyController } from './resend/resend-policy.controller';
import { envResendPolicy, ResendPolicyStore } from './resend/resend-policy';
import { PriceBookReader } from './limits/price-book.reader';
import { PumpingGuard } from './limits/pumping-guard';
import { BatchController } from './messages/batch.controller';
import { BatchService } from './messages/batch.service';
import { MessagesController } from './messages/messages.controller';
import { MessagesService } from './messages/messages.service';
import { QuoteController } from './messages/quote.controller';
import { QuoteService } from './messages/quote.service';
import { lazyRouteQuoter } from './messages/route-quoter-lookup';
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
import { TwilioCompatMount } from './twilio-compat/twilio-compat.mount';
import { LedgerTwilioMessages } from './twilio-compat/twilio-messages.reader';
import { WebhooksController } from './webhooks/webhooks.controller';
import { inboundAccountFrom } from './webhooks/inbound-account';
import { createWebhookRuntime, WEBHOOK_RUNTIME, type WebhookRuntime } from './webhooks/webhook.runtime';
import { MessageCanceller } from './status/message-canceller';
import { ScheduledRelease } from './status/scheduled-release';
import { MessageTimeline } from './timeline/message-timeline';
import { GatewayAlerts } from './stats/gateway-alerts';
import { Overview } from './stats/overview';
import { Usage } from './billing/usage';
import { UsageController } from './billing/usage.controller';
import { OverviewController } from './stats/overview.controller';
import { Conversations } from './conversations/conversations';
import { ConversationsController } from './conversations/conversations.controller';
import { TimelineController } from './timeline/timeline.controller';
import { lazyTimelineReaders } from './timeline/timeline-readers';
import { HttpCallbackLogReader, HttpRawReceiptReader } from './timeline/http-timeline-readers';
import { IntakeEraser } from './privacy/intake-eraser';
import { PrivacyController } from './privacy/privacy.controller';
import { PrivacyErasuresStore } from './privacy/privacy-erasures.store';
import { PRIVACY_RUNTIME, PrivacyRuntime } from './privacy/privacy.runtime';
import { RegionGate } from './regions/region-gate';
import { regionProviders, RegionRoutesMount } from './regions/region.providers';

export const INTAKE_DATA_SOURCE = Symbol('INTAKE_DATA_SOURCE');
const INTAKE_PARTITIONS = Symbol('INTAKE_PARTITIONS');

/** Tries of an inbound record before the DLQ: the bus's backoff (100 ms doubling, capped at 5 s) makes ~2 min. */
const INBOUND_MAX_ATTEMPTS = 30;

export { INTAKE_ENTITIES, INTAKE_MIGRATIONS };

/** The ledger's database, its monthly partitions and the retention purge. */
const STORAGE_PROVIDERS: Provider[] = [
  serviceDataSourceProvider(INTAKE_DATA_SOURCE, {
    service: 'intake',
    entities: INTAKE_ENTITIES,
    migrations: INTAKE_MIGRATIONS,
    // The group commits' statements travel packed (inPackedSqlTransaction, ADR 0026).
    multipleStatements: true,
  }),
  partitionMaintenanceProvider(INTAKE_PARTITIONS, INTAKE_DATA_SOURCE, 'intake', INTAKE_MONTHLY_TABLES),
  retentionPurgeProvider('intake', INTAKE_DATA_SOURCE),
];

/** The ledger's writers: the outbox relay to the bus, scheduled releases, cancels, retries and deadlines. */
const LEDGER_PROVIDERS: Provider[] = [
  {
    provide: OutboxRelay,
    inject: [INTAKE_DATA_SOURCE, BUS],
    useFactory: (dataSource: DataSource, bus: Bus): OutboxRelay =>
      new OutboxRelay({
        dataSource,
        schema: INTAKE_OUTBOX,
        publish: (records) => bus.publish(records),
        awaitCapacity: (signal) => bus.awaitCapacity(signal),
        // Commits in this process wake the relay; the poll only finds other processes' rows.
        maxPollIntervalMs: OUTBOX_MAX_POLL_INTERVAL_MS,
        onError: (error) => new Logger('intake-outbox').error(`relay failed: ${String(error)}`),
      }),
  },
  {
    provide: LedgerWriter,
    inject: [INTAKE_DATA_SOURCE, OutboxRelay, ScheduledRelease],
    useFactory: (dataSource: DataSource, relay: OutboxRelay, release: ScheduledRelease): LedgerWriter =>
      new LedgerWriter(dataSource, {
        onCommitted: () => relay.wake(),
        onScheduled: (at) => release.scheduled(at),
      }),
  },
  {
    provide: ScheduledRelease,
    inject: [INTAKE_DATA_SOURCE, OutboxRelay, Admission],
    useFactory: (dataSource: DataSource, relay: OutboxRelay, admission: Admission) =>
      new ScheduledRelease(
        dataSource,
        () => relay.wake(),
        (error) => new Logger('intake-schedule').error(`scheduled release failed: ${String(error)}`),
        // Expired before it was ever sent: its booked spend is given back.
        (messageId) => void admission.refundUnsent(messageId),
      ),
  },
  {
    provide: MessageCanceller,
    inject: [INTAKE_DATA_SOURCE, KV_STORE, APP_CONFIG, OutboxRelay, Admission],
    useFactory: (
      dataSource: DataSource,
      kv: KeyValueStore,
      config: AppConfig,
      relay: OutboxRelay,
      admission: Admission,
    ) =>
      new MessageCanceller(dataSource, new SendGate(kv, config.redis.keyPrefix), (messageId) => {
        // The cancel's callback transition waits in the outbox; the spend booked for it is given back.
        relay.wake();
        void admission.refundUnsent(messageId);
      }),
  },
  {
    provide: RetryScheduler,
    inject: [INTAKE_DATA_SOURCE, OutboxRelay, INTAKE_CONFIG],
    useFactory: (dataSource: DataSource, relay: OutboxRelay, intake: IntakeGroup) =>
      new RetryScheduler(
        dataSource,
        () => relay.wake(),
        (error) => new Logger('intake-retry').error(`retry pass failed: ${String(error)}`),
        intake.delivery.staleMessageAfterMs,
      ),
  },
  {
    provide: ReceiptDeadlineSweep,
    inject: [INTAKE_DATA_SOURCE, OutboxRelay, INTAKE_CONFIG],
    useFactory: (dataSource: DataSource, relay: OutboxRelay, { delivery }: IntakeGroup) =>
      new ReceiptDeadlineSweep(
        dataSource,
        parseReceiptDeadlines(delivery.reconcileAfterSeconds, delivery.reconcileAfterSecondsByProvider),
        () => relay.wake(),
        (error) => new Logger('intake-reconcile').error(`receipt deadline sweep failed: ${String(error)}`),
      ),
  },
];

/** What a send must pass: idempotency, resend policy, limits and the pumping guard. */
const ADMISSION_PROVIDERS: Provider[] = [
  {
    provide: IdempotencyService,
    inject: [KV_STORE, INTAKE_DATA_SOURCE],
    useFactory: (kv: KeyValueStore, dataSource: DataSource) => new IdempotencyService(kv, dataSource),
  },
  {
    provide: ResendPolicyStore,
    inject: [INTAKE_DATA_SOURCE, INTAKE_CONFIG],
    useFactory: (dataSource: DataSource, intake: IntakeGroup) =>
      new ResendPolicyStore(dataSource, envResendPolicy(intake.delivery.resendOnReceiptTimeout)),
  },
  {
    provide: LimitsStore,
    inject: [INTAKE_DATA_SOURCE, INTAKE_CONFIG],
    useFactory: (dataSource: DataSource, intake: IntakeGroup) =>
      new LimitsStore(dataSource, defaultAccountLimits(intake.limits), intake.limits.cacheMs),
  },
  {
    provide: PumpingGuard,
    inject: [KV_STORE, APP_CONFIG, INTAKE_CONFIG],
    useFactory: (kv: KeyValueStore, config: AppConfig, { pumping }: IntakeGroup) => {
      const money = (text: string): number => decimalToMicros(text) ?? 0;

      return new PumpingGuard(kv, {
        namespace: config.redis.keyPrefix,
        windowMs: pumping.windowSeconds * 1000,
        sequentialRecipients: pumping.sequentialRecipients,
        prefixDigits: pumping.prefixDigits,
        highCostMicros: money(pumping.highCostPrice),
        highCostRecipients: pumping.highCostRecipients,
        blockMs: pumping.blockSeconds * 1000,
      });
    },
  },
  {
    provide: Admission,
    inject: [KV_STORE, LimitsStore, APP_CONFIG, INTAKE_CONFIG, PumpingGuard],
    useFactory: (
      kv: KeyValueStore,
      store: LimitsStore,
      config: AppConfig,
      { limits }: IntakeGroup,
      pumping: PumpingGuard,
    ) => {
      const namespace = config.redis.keyPrefix;
      const money = (text: string): number => decimalToMicros(text) ?? 0;

      return new Admission(
        kv,
        store,
        new PriceBookReader(kv, namespace, limits.currency, money(limits.defaultPricePerSegment)),
        pumping,
        { enabled: limits.enabled, namespace, currency: limits.currency },
      );
    },
  },
];

/** Privacy requests: intake's record of them, its own erasure slice and the collection of reports. */
const PRIVACY_PROVIDERS: Provider[] = [
  {
    provide: PRIVACY_RUNTIME,
    inject: [
      INTAKE_DATA_SOURCE,
      PRIVACY_CONFIG,
      OutboxRelay,
      KV_STORE,
      PumpingGuard,
      REGION_CONFIG,
      { token: ARCHIVE_ERASER, optional: true },
    ],
    useFactory: (
      dataSource: DataSource,
      privacy: PrivacyGroup,
      relay: OutboxRelay,
      kv: KeyValueStore,
      pumping: PumpingGuard,
      region: RegionConfig,
      archive: ArchiveEraser | undefined,
    ): PrivacyRuntime | null => {
      if (!privacy.salt) {
        new Logger('privacy').warn('PRIVACY_SALT is not set: erasure is off (its routes answer 503)');

        return null;
      }

      return new PrivacyRuntime(
        new PrivacyErasuresStore(dataSource, privacy.salt, () => relay.wake()),
        privacy.salt,
        new IntakeEraser(dataSource, kv, pumping),
        // Bound by the archive library when archives exist (a global provider of the token).
        archive ?? null,
        { region: region.region, regions: [...region.regions.keys()] },
      );
    },
  },
];

/** Sends through the API: single messages, batches and quotes. */
const SENDING_PROVIDERS: Provider[] = [
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
      AccountService,
      RegionGate,
    ],
    useFactory: (
      dataSource: DataSource,
      writer: LedgerWriter,
      idempotency: IdempotencyService,
      optOuts: OptOutChecker,
      masks: MaskDirectory,
      config: AppConfig,
      admission: Admission,
      accounts: AccountService,
      regions: RegionGate,
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
        (accountId) => accounts.smartEncodingDefault(accountId),
        regions,
      ),
  },
  {
    provide: BatchService,
    inject: [MessagesService, LedgerWriter, IdempotencyService, Admission],
    useFactory: (
      messages: MessagesService,
      writer: LedgerWriter,
      idempotency: IdempotencyService,
      admission: Admission,
    ) => new BatchService(messages, writer, idempotency, admission),
  },
  {
    provide: QuoteService,
    inject: [MessagesService, OPT_OUT_CHECKER, ModuleRef, SERVICES_CONFIG],
    useFactory: (messages: MessagesService, optOuts: OptOutChecker, moduleRef: ModuleRef, services: ServicesGroup) =>
      new QuoteService(messages, optOuts, lazyRouteQuoter(moduleRef, services.routerUrl)),
  },
];

/** Reads for the API and the console: timeline, conversations, usage, overview and searches. */
const READ_PROVIDERS: Provider[] = [
  {
    provide: MessageTimeline,
    inject: [INTAKE_DATA_SOURCE, ModuleRef, SERVICES_CONFIG],
    useFactory: (dataSource: DataSource, moduleRef: ModuleRef, services: ServicesGroup) => {
      // Distributed: the owning services' internal reads, when their URLs and the internal token are set.
      const token = services.internalApiToken;
      const remote = {
        receipts:
          token !== '' && services.dlrIngestUrl !== '' ? new HttpRawReceiptReader(services.dlrIngestUrl, token) : null,
        callbacks:
          token !== '' && services.dlrProcessorUrl !== ''
            ? new HttpCallbackLogReader(services.dlrProcessorUrl, token)
            : null,
      };

      return new MessageTimeline(dataSource, lazyTimelineReaders(moduleRef, remote));
    },
  },
  {
    provide: Conversations,
    inject: [INTAKE_DATA_SOURCE, MaskDirectory],
    useFactory: (dataSource: DataSource, masks: MaskDirectory) =>
      new Conversations(dataSource, (number) => masks.isPoolNumber(number)),
  },
  {
    provide: Usage,
    inject: [INTAKE_DATA_SOURCE],
    useFactory: (dataSource: DataSource) => new Usage(dataSource),
  },
  {
    provide: Overview,
    inject: [INTAKE_DATA_SOURCE, Admission],
    useFactory: (dataSource: DataSource, admission: Admission) => {
      const alerts = new GatewayAlerts(readGauges);

      return new Overview(dataSource, {
        spendToday: async (accountId) => {
          const micros = await admission.spendTodayMicros(accountId);

          return { amount: micros === null ? null : microsToDecimal(micros), currency: admission.currency };
        },
        alerts: () => alerts.firing(),
      });
    },
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
];

/** Inbound messages, their numbers' owners and the customer webhooks they go out on. */
const INBOUND_PROVIDERS: Provider[] = [
  {
    provide: WEBHOOK_RUNTIME,
    inject: [INTAKE_DATA_SOURCE, APP_CONFIG, INTAKE_CONFIG, NumberOwnersReader],
    useFactory: (dataSource: DataSource, config: AppConfig, intake: IntakeGroup, owners: NumberOwnersReader) =>
      createWebhookRuntime(dataSource, config, intake.webhooks, inboundAccountFrom(owners)),
  },
  {
    provide: NumberOwnersReader,
    inject: [KV_STORE, APP_CONFIG],
    useFactory: (kv: KeyValueStore, config: AppConfig) => new NumberOwnersReader(kv, config.redis.keyPrefix),
  },
  {
    provide: InboundStore,
    inject: [INTAKE_DATA_SOURCE, NumberOwnersReader, KEYWORDS_CONFIG],
    useFactory: (dataSource: DataSource, owners: NumberOwnersReader, keywords: KeywordsGroup) =>
      new InboundStore(
        dataSource,
        owners,
        // The opt-out service's lists, so the keyword recorded is the one it acted on.
        keywordSet(keywords.extraStopWords, keywords.extraStartWords),
      ),
  },
  {
    provide: InboundConsumer,
    inject: [InboundStore, WEBHOOK_RUNTIME],
    useFactory: (store: InboundStore, webhooks: WebhookRuntime | null) =>
      new InboundConsumer(store, webhooks ? (event) => webhooks.events.inbound(event) : undefined),
  },
];

/** What intake consumes from the bus: sends from sms.send.v1 and status events. */
const CONSUMER_PROVIDERS: Provider[] = [
  {
    provide: StatusApplier,
    inject: [
      INTAKE_DATA_SOURCE,
      INTAKE_CONFIG,
      OutboxRelay,
      OPT_OUT_CHECKER,
      RetryScheduler,
      WEBHOOK_RUNTIME,
      ResendPolicyStore,
    ],
    useFactory: (
      dataSource: DataSource,
      { delivery }: IntakeGroup,
      relay: OutboxRelay,
      optOuts: OptOutChecker,
      scheduler: RetryScheduler,
      webhooks: WebhookRuntime | null,
      resendPolicy: ResendPolicyStore,
    ) =>
      new StatusApplier(
        dataSource,
        {
          maxAttempts: delivery.maxSendAttempts,
          baseDelayMs: delivery.retryBaseDelayMs,
          maxDelayMs: RETRY_SCHEDULE.maxDelayMs,
          // Account > operator default > RESEND_ON_RECEIPT_TIMEOUT, read at run time (ADR 0023).
          resendPolicy,
        },
        undefined,
        undefined,
        // Applied changes of messages with a callback URL, for dlr-processor's caller callbacks.
        { schema: INTAKE_OUTBOX, onCommitted: () => relay.wake() },
        // A receipt-driven fallback never re-sends to a recipient who opted out meanwhile. The ledger row
        // does not name its account here, so an entry of any account blocks (accountId null: fail closed).
        (recipient, sender) => optOuts.isOptedOut({ recipient, sender, accountId: null }),
        (at) => scheduler.retryScheduled(at),
        // Applied changes of accounts subscribed to message.status, as account webhook deliveries.
        webhooks?.events,
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
];

/** Twilio's Messages API and the region routes, mounted beside Nest's routes. */
const COMPAT_AND_REGION_PROVIDERS: Provider[] = [
  {
    provide: LedgerTwilioMessages,
    inject: [INTAKE_DATA_SOURCE],
    useFactory: (dataSource: DataSource) => new LedgerTwilioMessages(dataSource),
  },
  TwilioCompatMount,
  ...regionProviders,
  RegionRoutesMount,
];

/**
 * Intake: the REST and `sms.send.v1` front door, the ledger's only writer, the retry scheduler and
 * the outbox relay to `sms.accepted.v1`.
 */
@Module({})
export class IntakeModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('intake');

  constructor(
    @Inject(INTAKE_CONFIG) private readonly intake: IntakeGroup,
    @Inject(OUTBOX_CONFIG) private readonly outbox: OutboxGroup,
    @Inject(BUS) private readonly bus: Bus,
    private readonly writer: LedgerWriter,
    private readonly relay: OutboxRelay,
    private readonly scheduler: RetryScheduler,
    private readonly receiptSweep: ReceiptDeadlineSweep,
    private readonly consumer: IntakeConsumer,
    private readonly shutdown: ShutdownRegistry,
    @Inject(WEBHOOK_RUNTIME) private readonly webhooks: WebhookRuntime | null,
    private readonly release: ScheduledRelease,
    private readonly inboundConsumer: InboundConsumer,
    @Inject(PRIVACY_RUNTIME) private readonly privacy: PrivacyRuntime | null,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: IntakeModule,
      imports: [OptOutReplicaModule, MaskDirectoryModule, ArchiveModule],
      controllers: [
        MessagesController,
        LimitsController,
        MessageSearchController,
        InboundController,
        WebhooksController,
        BatchController,
        QuoteController,
        TimelineController,
        ConversationsController,
        OverviewController,
        PrivacyController,
        UsageController,
        ResendPolicyController,
        AccountResendPolicyController,
      ],
      providers: [
        ...STORAGE_PROVIDERS,
        ...LEDGER_PROVIDERS,
        ...ADMISSION_PROVIDERS,
        ...PRIVACY_PROVIDERS,
        ...SENDING_PROVIDERS,
        ...READ_PROVIDERS,
        ...INBOUND_PROVIDERS,
        ...CONSUMER_PROVIDERS,
        ...COMPAT_AND_REGION_PROVIDERS,
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.shutdown.register('intake', 'intake-scheduler', async () => {
      await this.scheduler.stop();
      await this.release.stop();
      await this.receiptSweep.stop();
      await this.writer.drain();
      await this.relay.stop();
    });
    if (this.outbox.relayEnabled) {
      this.relay.start();
    } else {
      this.logger.warn('OUTBOX_RELAY_ENABLED=false: accepted messages stay in the outbox');
    }
    this.scheduler.start();
    this.release.start();
    this.receiptSweep.start();
    if (this.webhooks) {
      const { directory, dispatcher, poster } = this.webhooks;
      await directory.start();
      dispatcher.start();
      this.shutdown.register('intake', 'intake-webhooks', async () => {
        directory.stop();
        await dispatcher.stop();
        await poster.close();
      });
    }
    registerGaugePoll('intake-outbox', async () => {
      metrics.outboxBacklog.set({ outbox: 'intake_outbox' }, await this.relay.backlog());
    });
    registerGaugePoll('intake-retry', async () => {
      const { waiting, due } = await this.scheduler.backlog();
      metrics.retryBacklog.set(waiting);
      metrics.retryDue.set(due);
    });
    if (!this.intake.consumersEnabled) {
      // The REST API alone: a consumer-only intake (INTAKE_CONSUMERS_ENABLED=true) applies the topics.
      this.logger.log('INTAKE_CONSUMERS_ENABLED=false: sms.send.v1 and sms.status.v1 are left to another intake');

      return;
    }
    await this.privacy?.subscribe(this.bus);
    await this.bus.subscribe({
      groupId: INBOUND_STORE_CONSUMER_GROUP,
      // Stored, then (with account webhooks on) one `message.inbound` delivery per subscription.
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
