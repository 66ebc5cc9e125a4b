/**
 * Test harness: intake, dlr-ingest and dlr-processor composed in one process on a real MariaDB
 * database of their own and real Kafka, with topic names suffixed per run (a renaming bus) so the run
 * neither reads other runs' history nor disturbs them. Used by the receipts integration spec and the
 * DLR benchmark.
 */
import { createHmac, randomUUID } from 'node:crypto';
import {
  type Bus,
  type BusRecord,
  createBus,
  type KafkaBus,
  type SubscriptionOptions,
  GROUP_COMMIT_CONCURRENCY,
} from '@sms/bus';
import {
  decodeEvent,
  MessageTransitionV1,
  StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
  statusRecords,
  TOPICS,
  DEFAULT_ACCOUNT_ID,
} from '@sms/contracts';
import {
  DLR_INGEST_ENTITIES,
  DLR_INGEST_MIGRATIONS,
  WebhookIngestService,
  WebhookPublisher,
  WebhookReplayService,
} from '@sms/dlr-ingest';
import {
  CallbackClient,
  CallbackDispatcher,
  DLR_PROCESSOR_ENTITIES,
  DLR_PROCESSOR_MIGRATIONS,
  isOwnReceiptEvent,
  RateLimiter,
  ReceiptProcessor,
} from '@sms/dlr-processor';
import {
  INTAKE_ENTITIES,
  INTAKE_MIGRATIONS,
  INTAKE_OUTBOX,
  LedgerWriter,
  MessagesService,
  parseReceiptDeadlines,
  ReceiptDeadlineSweep,
  StatusApplier,
  validateMessageRequest,
} from '@sms/intake';
import { MaskDirectory } from '@sms/mask-directory';
import { OptOutReplica } from '@sms/opt-out-registry';
import { createServiceDataSource, insertRows, migrateSlice, OutboxRelay } from '@sms/persistence';
import {
  DeliveryStatus,
  type DeliveryReport,
  ErrorClass,
  type LookupResult,
  ProviderId,
  type RawWebhook,
  type SmsProvider,
} from '@sms/provider-port';
import { parseTwilioConfig, TwilioSmsProvider } from '@sms/provider-twilio';
import { ProviderRegistry } from '@sms/providers';
import { ReceiptReconciler } from '@sms/send-worker';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';

export const TWILIO_TOKEN = 'receipts-test-token';
export const WEBHOOK_BASE = 'https://gw.example.test';
export const FAKE_SECRET = 'fake-parts-secret';

/** Twilio's documented scheme: base64 HMAC-SHA1(token, URL + every POST param name and value, sorted). */
export function twilioSignature(url: string, body: string): string {
  const params = [...new URLSearchParams(body).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  return createHmac('sha1', TWILIO_TOKEN)
    .update(url + params.map(([k, v]) => k + v).join(''))
    .digest('base64');
}

export function twilioReceipt(
  sid: string,
  status: string,
  extra: Record<string, string> = {},
  token?: string,
): RawWebhook {
  const url = `${WEBHOOK_BASE}/webhooks/twilio/status`;
  const body = new URLSearchParams({
    MessageSid: sid,
    MessageStatus: status,
    AccountSid: 'ACtest',
    ...extra,
  }).toString();
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-twilio-signature': twilioSignature(url, body),
  };
  if (token) {
    headers['i-twilio-idempotency-token'] = token;
  }

  return { url, method: 'POST', headers, body, contentType: headers['content-type'] as string };
}

/**
 * A test-only adapter that reports receipts per part (as Vonage and SMPP do): JSON
 * `{ "reports": [{ "id", "stat", "err"? }] }`, signed with an HMAC header, ids in hex. Its parser can be
 * switched to a "fixed" version to test replay, and throws on a body of `THROW` to test the boundary.
 */
export class FakePartsProvider implements SmsProvider {
  readonly id = ProviderId.Smpp;
  /** v1 has a bug: it reads DELIVRD as `sent`. v2 reads it right. */
  parserVersion: 1 | 2 = 2;

  send(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }

  lookup(): Promise<LookupResult> {
    return Promise.resolve({ outcome: 'unknown', reason: 'test adapter' });
  }

  classifyError(code: string): ErrorClass {
    return code.startsWith('T') ? ErrorClass.Transient : ErrorClass.Permanent;
  }

  verifyWebhook(webhook: RawWebhook): boolean {
    return webhook.headers['x-fake-signature'] === createHmac('sha256', FAKE_SECRET).update(webhook.body).digest('hex');
  }

  parseDeliveryReports(webhook: RawWebhook): DeliveryReport[] {
    if (webhook.body === 'THROW') {
      throw new Error('a parser bug');
    }
    const parsed = JSON.parse(webhook.body) as { reports: { id: string; stat: string; err?: string }[] };

    return parsed.reports.map((r) => ({
      providerMessageId: r.id,
      providerStatus: r.stat,
      status:
        r.stat === 'DELIVRD'
          ? this.parserVersion === 1
            ? DeliveryStatus.Sent
            : DeliveryStatus.Delivered
          : r.stat === 'ACCEPTD'
            ? DeliveryStatus.Sent
            : DeliveryStatus.Undelivered,
      ...(r.err ? { errorCode: r.err, errorClass: this.classifyError(r.err) } : {}),
    }));
  }

  parseInbound(): null {
    return null;
  }

  /** SMPP style: the send result says hex, receipts say decimal. */
  normaliseMessageId(id: string): string {
    const value = id.trim().toLowerCase();

    return /^[0-9a-f]+$/.test(value) && /[a-f]/.test(value)
      ? BigInt(`0x${value}`).toString(10)
      : value.replace(/^0+(?=\d)/, '');
  }
}

export function fakeReceipt(reports: { id: string; stat: string; err?: string }[] | string): RawWebhook {
  const body = typeof reports === 'string' ? reports : JSON.stringify({ reports });

  return {
    url: `${WEBHOOK_BASE}/webhooks/fakeparts/status`,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-fake-signature': createHmac('sha256', FAKE_SECRET).update(body).digest('hex'),
    },
    body,
    contentType: 'application/json',
  };
}

/** A run's own copy of a topic: `<topic>.<suffix>`. */
const renamed = (topic: string, suffix: string): string => `${topic}.${suffix}`;

/** The processing tier's consumer groups of a run, as the harness subscribes them (the suffix is the database). */
const processingGroupIds = (suffix: string) => ({ ledger: `intake-${suffix}`, receipts: `dlr-processor-${suffix}` });

/** Publishes and subscribes under `<topic>.<suffix>` and hands handlers the canonical topic name. */
export function renamingBus(bus: Bus, suffix: string): Bus {
  const out = (topic: string): string => renamed(topic, suffix);
  const back = (topic: string): string => topic.slice(0, -(suffix.length + 1));

  return {
    publish: (records: readonly BusRecord[]) => bus.publish(records.map((r) => ({ ...r, topic: out(r.topic) }))),
    subscribe: (options: SubscriptionOptions) =>
      bus.subscribe({
        ...options,
        topics: options.topics.map(out),
        handler: (record) => options.handler({ ...record, topic: back(record.topic) }),
      }),
    close: () => bus.close(),
    isReady: () => bus.isReady(),
    awaitCapacity: (signal) => bus.awaitCapacity(signal),
    // `<topic>.dlq` of the canonical name is `<topic>.<suffix>.dlq` on the bus.
    replayDeadLetters: (request) =>
      bus.replayDeadLetters({ ...request, dlqTopic: `${out(request.dlqTopic.replace(/\.dlq$/, ''))}.dlq` }),
    consumerLag: async () =>
      (await bus.consumerLag())
        .filter((lag) => lag.topic.endsWith(`.${suffix}`))
        .map((lag) => ({ ...lag, topic: back(lag.topic) })),
  };
}

export interface PipelineOptions {
  readonly callbackBaseDelayMs?: number;
  readonly allowInsecureCallbacks?: boolean;
  readonly callbackSecret?: string;
  readonly processMaxPerSecond?: number;
  /**
   * `all` (default) runs everything here; `ingest` only stores and relays webhooks; `consumers` only
   * processes (dlr-processor, intake, callbacks), on the database another process created — so a
   * benchmark can run ingest and processing in separate processes, as the distributed mode does.
   */
  readonly role?: 'all' | 'ingest' | 'consumers';
  /** For `consumers`: the database the `ingest` process created (its name is the topic suffix). */
  readonly database?: { readonly url: string; readonly name: string };
  /** Message classes intake re-sends once elsewhere on an overdue receipt (RESEND_ON_RECEIPT_TIMEOUT); none by default. */
  readonly resendOnReceiptTimeout?: readonly string[];
}

export interface LagGroup {
  readonly groupId: string;
  readonly topics: readonly string[];
}

export class ReceiptsPipeline {
  readonly registry = new ProviderRegistry();
  readonly fake = new FakePartsProvider();
  database!: TestDatabase;
  intakeDs!: DataSource;
  ingestDs!: DataSource;
  processorDs!: DataSource;
  bus!: Bus;
  kafka!: KafkaBus;
  writer!: LedgerWriter;
  applier!: StatusApplier;
  messages!: MessagesService;
  ingest!: WebhookIngestService;
  publisher!: WebhookPublisher;
  replay!: WebhookReplayService;
  processor!: ReceiptProcessor;
  dispatcher!: CallbackDispatcher;
  limiter!: RateLimiter;
  private relays: OutboxRelay[] = [];
  private callbackClient!: CallbackClient;

  constructor(private readonly options: PipelineOptions = {}) {
    this.registry.register(
      'twilio',
      new TwilioSmsProvider(
        parseTwilioConfig({
          TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
          TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
        }),
      ),
    );
    this.registry.register('fakeparts', this.fake);
  }

  /**
   * The processing tier's groups and the run's topics they drain, whichever process runs them (a benchmark
   * reads their lag from the ingest side): dlr-processor on the raw receipts, intake on sms.status.v1.
   */
  processingGroups(): { receipts: LagGroup; ledger: LagGroup } {
    const suffix = this.database.name;
    const ids = processingGroupIds(suffix);

    return {
      receipts: { groupId: ids.receipts, topics: [renamed(TOPICS.dlrRaw, suffix)] },
      ledger: { groupId: ids.ledger, topics: [renamed(TOPICS.status, suffix)] },
    };
  }

  async start(): Promise<void> {
    const role = this.options.role ?? 'all';
    if (this.options.database) {
      this.database = { ...this.options.database, drop: () => Promise.resolve() } as TestDatabase;
    } else {
      this.database = await createTestDatabase();
      for (const [slice, migrations] of [
        ['intake', INTAKE_MIGRATIONS],
        ['dlr-ingest', DLR_INGEST_MIGRATIONS],
        ['dlr-processor', DLR_PROCESSOR_MIGRATIONS],
      ] as const) {
        await migrateSlice(this.database.url, slice, [...migrations]);
      }
    }
    const open = (service: string, entities: unknown[], migrations: unknown[]) =>
      createServiceDataSource({
        service,
        database: { kind: 'mysql', url: this.database.url, poolSize: 10 },
        entities: entities as never,
        migrations: migrations as never,
      }).initialize();
    this.intakeDs = await open('intake', INTAKE_ENTITIES, INTAKE_MIGRATIONS);
    this.ingestDs = await open('dlr-ingest', DLR_INGEST_ENTITIES, DLR_INGEST_MIGRATIONS);
    this.processorDs = await open('dlr-processor', DLR_PROCESSOR_ENTITIES, DLR_PROCESSOR_MIGRATIONS);

    const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
    this.kafka = createBus({ kind: 'kafka', brokers, clientId: `receipts-${this.database.name}` }) as KafkaBus;
    const suffix = this.database.name;
    await this.kafka.ensureTopics(
      [
        TOPICS.status,
        TOPICS.sendResult,
        // No reader here, but a provider-reported opt-out is published there too (statusRecords).
        TOPICS.optoutReported,
        TOPICS.dlrRaw,
        TOPICS.inboundRaw,
        TOPICS.transition,
        TOPICS.accepted,
      ].map((topic) => ({ topic: renamed(topic, suffix), numPartitions: 3 })),
    );
    this.bus = renamingBus(this.kafka, suffix);

    const intakeRelay = this.relay(this.intakeDs, INTAKE_OUTBOX, role !== 'ingest');
    this.writer = new LedgerWriter(this.intakeDs);
    this.applier = new StatusApplier(
      this.intakeDs,
      {
        maxAttempts: 3,
        baseDelayMs: 1000,
        maxDelayMs: 60_000,
        resendOnReceiptTimeout: this.options.resendOnReceiptTimeout ?? [],
      },
      undefined,
      undefined,
      { schema: INTAKE_OUTBOX, onCommitted: () => intakeRelay.wake() },
    );
    this.messages = new MessagesService(
      this.intakeDs,
      this.writer,
      undefined as never,
      new OptOutReplica(),
      new MaskDirectory(),
    );
    this.publisher = new WebhookPublisher(this.ingestDs, (records) => this.bus.publish(records), {
      enabled: role !== 'consumers',
      sweepIntervalMs: 500,
      // Tests wait seconds, not the production 30 s, for a publish the bus refused.
      graceMs: 5_000,
    });
    this.publisher.start();
    this.ingest = new WebhookIngestService(this.ingestDs, this.registry, this.publisher);
    this.replay = new WebhookReplayService(this.ingestDs, this.publisher);
    this.processor = new ReceiptProcessor(this.processorDs, this.bus, this.registry);
    this.callbackClient = new CallbackClient({
      secret: this.options.callbackSecret ?? 'callback-secret',
      allowInsecure: this.options.allowInsecureCallbacks ?? true,
      allowedPorts: [],
      timeoutMs: 2_000,
    });
    this.dispatcher = new CallbackDispatcher(this.processorDs, this.callbackClient, {
      retryWindowMs: 24 * 3_600_000,
      baseDelayMs: this.options.callbackBaseDelayMs ?? 50,
      pollIntervalMs: 100,
    });
    this.limiter = new RateLimiter(this.options.processMaxPerSecond ?? 0);
    if (role === 'ingest') {
      return;
    }

    await this.bus.subscribe({
      groupId: processingGroupIds(suffix).ledger,
      topics: [TOPICS.status],
      handler: async (record) => {
        await this.applier.apply(decodeEvent(StatusChangedV1, record.value));
      },
      concurrency: GROUP_COMMIT_CONCURRENCY,
    });
    await this.bus.subscribe({
      groupId: processingGroupIds(suffix).receipts,
      topics: [TOPICS.sendResult, TOPICS.dlrRaw, TOPICS.inboundRaw],
      ignores: isOwnReceiptEvent,
      handler: async (record) => {
        if (record.topic === TOPICS.dlrRaw) {
          await this.limiter.take();
        }
        await this.processor.handle(record);
      },
      concurrency: GROUP_COMMIT_CONCURRENCY,
    });
    await this.bus.subscribe({
      groupId: `dlr-callbacks-${suffix}`,
      topics: [TOPICS.transition],
      handler: async (record) => {
        await this.dispatcher.enqueue(decodeEvent(MessageTransitionV1, record.value));
      },
    });
    this.dispatcher.start();
  }

  private relay(dataSource: DataSource, schema: typeof INTAKE_OUTBOX, run: boolean): OutboxRelay {
    const relay = new OutboxRelay({
      dataSource,
      schema,
      publish: (records) => this.bus.publish(records),
      pollIntervalMs: 200,
      batchSize: 1000,
    });
    if (run) {
      relay.start();
    }
    this.relays.push(relay);

    return relay;
  }

  async stop(): Promise<void> {
    await this.dispatcher?.stop();
    await this.callbackClient?.close();
    for (const relay of this.relays) {
      await relay.stop();
    }
    await this.ingest?.drain();
    await this.publisher?.stop();
    await this.bus?.close();
    await this.applier?.drain();
    await this.writer?.drain();
    for (const ds of [this.intakeDs, this.ingestDs, this.processorDs]) {
      await ds?.destroy();
    }
    await this.database?.drop();
  }

  /**
   * Reconciliation on this pipeline: the send-worker's ReceiptReconciler answers reconcile requests through
   * the registry, and the returned intake sweep (a 1 s receipt deadline, run by the spec) asks for them.
   */
  async startReconciliation(): Promise<ReceiptDeadlineSweep> {
    await this.kafka.ensureTopics([{ topic: `${TOPICS.reconcile}.${this.database.name}`, numPartitions: 3 }]);
    const reconciler = new ReceiptReconciler(this.bus, this.registry);
    await this.bus.subscribe({
      groupId: `send-worker-reconcile-${this.database.name}`,
      topics: [TOPICS.reconcile],
      handler: reconciler.handle,
    });

    return new ReceiptDeadlineSweep(
      this.intakeDs,
      parseReceiptDeadlines(1, ''),
      () => undefined,
      (error) => {
        throw error;
      },
    );
  }

  /** A ledger message as intake writes it. */
  async createMessage(fields: { callbackUrl?: string; clientReference?: string; body?: string } = {}): Promise<string> {
    const id = randomUUID();
    await this.messages.acceptFromTopic(
      id,
      validateMessageRequest({ to: '+447400123456', body: fields.body ?? 'Your code is 123456', ...fields }),
      DEFAULT_ACCOUNT_ID,
    );

    return id;
  }

  /** What send-worker publishes when the provider accepted the message. */
  async sent(
    messageId: string,
    provider: string,
    providerMessageId: string,
    partIds?: string[],
    attempt = 1,
  ): Promise<void> {
    const event: StatusChangedV1 = {
      eventId: randomUUID(),
      messageId,
      kind: StatusEventKind.Sent,
      source: StatusEventSource.SendWorker,
      attempt,
      provider,
      providerMessageId,
      errorCode: null,
      errorMessage: null,
      errorClass: null,
      ambiguous: null,
      cost: null,
      currency: null,
      detail: 'test route',
      occurredAt: new Date().toISOString(),
      ...(partIds ? { partIds } : {}),
    };
    await this.bus.publish([...statusRecords(event)]); // as send-worker publishes it
  }

  /**
   * `count` ledger messages whose provider ids dlr-processor already knows (as after their send
   * results), for storms and benchmarks: written through intake's LedgerWriter, refs inserted in bulk.
   */
  async seedSentMessages(
    count: number,
    provider = 'twilio',
  ): Promise<{ messageId: string; providerMessageId: string }[]> {
    const seeded: { messageId: string; providerMessageId: string }[] = [];
    for (let start = 0; start < count; start += 1000) {
      const chunk = await Promise.all(
        Array.from({ length: Math.min(1000, count - start) }, async () => {
          const messageId = await this.createMessage();

          return { messageId, providerMessageId: `SM${randomUUID().replace(/-/g, '')}` };
        }),
      );
      const now = new Date();
      await insertRows(
        this.processorDs.manager,
        'provider_message_refs',
        ['provider', 'provider_message_id', 'message_id', 'part_index', 'part_count', 'created_at'],
        chunk.map((m) => [provider, m.providerMessageId.toLowerCase(), m.messageId, 0, 1, now]),
      );
      seeded.push(...chunk);
    }

    return seeded;
  }

  /** Whether any message is in `status`: one index probe (status, updated_at), cheap enough to poll. */
  async anyInStatus(status: string): Promise<boolean> {
    const rows: unknown[] = await this.intakeDs.query('SELECT 1 FROM sms_messages WHERE status = ? LIMIT 1', [status]);

    return rows.length > 0;
  }

  /** Messages of `ids` in `status` (one query). */
  async countInStatus(ids: readonly string[], status: string): Promise<number> {
    let total = 0;
    for (let start = 0; start < ids.length; start += 5000) {
      const chunk = ids.slice(start, start + 5000);
      const rows: { n: number | string }[] = await this.intakeDs.query(
        `SELECT COUNT(*) AS n FROM sms_messages WHERE status = ? AND id IN (${chunk.map(() => '?').join(',')})`,
        [status, ...chunk],
      );
      total += Number(rows[0]?.n ?? 0);
    }

    return total;
  }

  async waitFor<T>(
    probe: () => Promise<T | null | undefined | false>,
    timeoutMs = 20_000,
    what = 'condition',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) {
        return value;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async message(id: string) {
    const view = await this.messages.find(id, DEFAULT_ACCOUNT_ID);
    if (!view) {
      throw new Error(`message ${id} not found`);
    }

    return view;
  }

  async waitForStatus(id: string, status: string, timeoutMs = 20_000) {
    return this.waitFor(
      async () => {
        const view = await this.messages.find(id, DEFAULT_ACCOUNT_ID);

        return view?.status === status ? view : null;
      },
      timeoutMs,
      `message ${id} to be ${status}`,
    );
  }
}
