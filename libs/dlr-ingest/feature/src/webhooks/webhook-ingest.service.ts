import { metrics } from '@sms/metrics';
import { hash } from 'node:crypto';
import type { WebhookStoredV1 } from '@sms/contracts';
import { ApiError } from '@sms/platform';
import {
  GroupCommitter,
  insertRows,
  isDatabaseUnavailableError,
  isDuplicateKeyError,
  isMysql,
  type SqlRunner,
  sqlRunnerOf,
} from '@sms/persistence';
import { withTraceHeaders } from '@sms/tracing';
import type { RawWebhook } from '@sms/provider-port';
import type { ProviderRegistry } from '@sms/providers';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { WebhookState } from '../database/entities/inbound-webhook.entity';
import { RejectedSampler } from './source-rate-limit';
import { RecentDedupeKeys } from './recent-dedupe-keys';
import { type ReceiptSpool, SpoolFullError, type SpooledWebhook } from './receipt-spool';
import type { PendingPublication, WebhookPublisher } from './webhook-publisher';

export type WebhookKind = 'status' | 'inbound';

/** Headers worth keeping: signatures, idempotency tokens and content negotiation, nothing else. */
const KEPT_HEADERS =
  /^(content-type|user-agent|x-twilio-signature|i-twilio-idempotency-token|x-sinch-.*|x-amz-sns-.*|x-vonage-.*|x-idempotency-key|idempotency-key|authorization-present)$/i;

/**
 * Headers in which providers put a token that is the same on every retry of one callback (Twilio's
 * `I-Twilio-Idempotency-Token`, SNS's message id, a generic `Idempotency-Key`). Without one, the body
 * itself identifies a retry: the same receipt twice says nothing new.
 */
const IDEMPOTENCY_HEADERS = [
  'i-twilio-idempotency-token',
  'x-amz-sns-message-id',
  'idempotency-key',
  'x-idempotency-key',
];

export interface IngestResult {
  readonly id: string;
  readonly verified: boolean;
  /** A provider's retry of a payload already stored: acknowledged, stored as a copy, not published. */
  readonly duplicate: boolean;
  /** The request carried a signature (valid or not): tells an unsigned request (401) from a forged one (403). */
  readonly signed?: boolean;
  /** Validly signed, but at a time outside the replay window (403, WEBHOOK_EXPIRED). */
  readonly expired?: boolean;
  /** False for a refused webhook past this minute's sample: counted, not stored (its id names no row). */
  readonly stored?: boolean;
}

/** How dlr-ingest bounds what refused webhooks cost, and how old a signed request it still takes. */
export interface WebhookIngestLimits {
  /** Refused webhooks stored a minute (per process), as evidence; the rest are only counted. */
  readonly rejectedSamplePerMinute: number;
  /** A stored refused webhook keeps this many characters of its body. */
  readonly rejectedBodyChars: number;
  /** A webhook whose signed time is further than this from now, either way, is refused as a replay. */
  readonly maxSignedAgeMs: number;
}

export const DEFAULT_WEBHOOK_INGEST_LIMITS: WebhookIngestLimits = {
  rejectedSamplePerMinute: 60,
  rejectedBodyChars: 1024,
  maxSignedAgeMs: 600_000,
};

const SIGNATURE_HEADER = /signature|^authorization$/i;

interface PendingWebhook {
  readonly id: string;
  readonly provider: string;
  readonly kind: WebhookKind;
  readonly webhook: RawWebhook;
  readonly headers: Record<string, string>;
  readonly verified: boolean;
  readonly dedupeKey: string;
  readonly receivedAt: Date;
  readonly traceHeaders: Readonly<Record<string, string>> | undefined;
}

/** Column widths of inbound_webhooks (and WebhookStoredV1's limits): longer values are stored cut. */
const MAX_URL = 2048;
const MAX_METHOD = 16;
const MAX_CONTENT_TYPE = 255;

const COLUMNS = [
  'id',
  'provider',
  'kind',
  'url',
  'method',
  'headers',
  'body',
  'content_type',
  'verified',
  'state',
  'dedupe_key',
  'duplicate_of',
  'received_at',
] as const;

/** The key under which a provider's retries of one callback collide. */
export function dedupeKeyOf(provider: string, kind: WebhookKind, webhook: RawWebhook): string {
  return dedupeKeyFrom(provider, kind, webhook, readHeaders(webhook.headers).token);
}

function dedupeKeyFrom(provider: string, kind: WebhookKind, webhook: RawWebhook, token: string | undefined): string {
  // One-shot hash: the same digest as a Hash object's, without building one per receipt.
  return hash(
    'sha256',
    `${provider}\u0000${kind}\u0000${token !== undefined ? `token:${token}` : `body:${webhook.body}`}`,
    'hex',
  );
}

/**
 * One pass over a request's headers: the ones worth keeping and the idempotency token (the first of
 * IDEMPOTENCY_HEADERS present, in that list's order). Names compare case-insensitively; Node hands them
 * over lower-cased already, so only a name with capitals is lowered: one pass, no copies (three passes with
 * entries arrays cost measurably per receipt in a storm: docs/performance.md, "Figures behind rules").
 */
function readHeaders(headers: Readonly<Record<string, string>>): {
  kept: Record<string, string>;
  token: string | undefined;
} {
  const kept: Record<string, string> = {};
  let token: string | undefined;
  let tokenRank = IDEMPOTENCY_HEADERS.length;
  for (const name in headers) {
    const value = headers[name] as string;
    if (KEPT_HEADERS.test(name)) {
      kept[name] = value;
    }
    const rank = IDEMPOTENCY_HEADERS.indexOf(HAS_CAPITALS.test(name) ? name.toLowerCase() : name);
    if (rank >= 0 && rank < tokenRank && value !== undefined && value !== '') {
      token = value;
      tokenRank = rank;
    }
  }

  return { kept, token };
}

const HAS_CAPITALS = /[A-Z]/;

/**
 * Stores a provider webhook raw, with its verification result, and hands the accepted ones to the
 * publisher once stored. Parsing happens later in dlr-processor, so the provider's answer waits for one
 * INSERT only. Concurrent webhooks share the INSERT (group commit): a receipt storm costs one statement
 * and one fsync per batch, not per receipt.
 */
export class WebhookIngestService {
  private readonly committer: GroupCommitter<PendingWebhook, IngestResult>;
  private readonly rejectedSampler: RejectedSampler;
  /** Until then the database counts as down: verified webhooks go straight to the spool. */
  private storeDownUntil = 0;
  /** SQLite only: the driver's prepared statements (created on first use). */
  private sqlite: SqlRunner | undefined;
  /** Keys this process stored lately: most provider retries are classified without a failed INSERT. */
  private readonly recent = new RecentDedupeKeys();

  constructor(
    private readonly dataSource: DataSource,
    private readonly providers: ProviderRegistry,
    private readonly publisher: Pick<WebhookPublisher, 'enqueue'>,
    private readonly now: () => Date = () => new Date(),
    private readonly limits: WebhookIngestLimits = DEFAULT_WEBHOOK_INGEST_LIMITS,
    /** Where accepted webhooks go while the database cannot store them (receipt-spool.ts); none: they fail. */
    private readonly spool?: ReceiptSpool,
  ) {
    this.rejectedSampler = new RejectedSampler(limits.rejectedSamplePerMinute);
    // One INSERT at a time: webhooks arriving meanwhile form the next batch. A statement has a fixed CPU
    // cost however small, so parallel tiny batches would cost more CPU than they save in latency
    // (bench/dlr.bench.ts: CPU per receipt; figures in docs/performance.md).
    // On SQLite the INSERT completes within the request's turn: gathering the webhooks read in one turn
    // (GroupCommitOptions.gather) is what lets them share a batch and its commit.
    this.committer = new GroupCommitter((batch) => this.store(batch), {
      maxBatch: 500,
      maxConcurrent: 1,
      gather: !isMysql(dataSource),
    });
  }

  knows(provider: string): boolean {
    return this.providers.has(provider);
  }

  async ingest(provider: string, kind: WebhookKind, webhook: RawWebhook): Promise<IngestResult> {
    const adapter = this.providers.get(provider);
    // Some checks need the network first (AWS: the SNS signing certificate, fetched once and cached).
    await adapter.prepareWebhook?.(webhook);
    const receivedAt = this.now();
    const signatureValid = adapter.verifyWebhook(webhook);
    const expired = signatureValid && this.outsideReplayWindow(adapter.webhookSignedAt?.(webhook), receivedAt);
    if (!signatureValid || expired) {
      const signed =
        expired ||
        (adapter.carriesSignature?.(webhook) ??
          Object.keys(webhook.headers).some((name) => SIGNATURE_HEADER.test(name)));

      return this.refuse(provider, kind, webhook, receivedAt, { signed, expired });
    }
    const { kept: headers, token } = readHeaders(webhook.headers);
    const result = await this.persist({
      id: uuidv7(),
      provider,
      kind,
      webhook,
      headers,
      verified: true,
      dedupeKey: dedupeKeyFrom(provider, kind, webhook, token),
      receivedAt,
      // Captured here, in the request's context: the publish happens later, for a whole batch.
      traceHeaders: withTraceHeaders(undefined),
    });
    metrics.dlrReceived.inc({ provider, kind, verified: 'true' });
    if (!result.duplicate) {
      // A subscription handshake (AWS SNS SubscriptionConfirmation) is answered once the request is stored.
      await adapter.acknowledgeWebhook?.(webhook);
    }

    return result;
  }

  /**
   * A refused webhook is counted by reason; only the minute's first few are stored, their bodies cut, so a
   * flood of forged posts costs counters and a bounded number of small rows, never a row of 64 KB each.
   */
  private async refuse(
    provider: string,
    kind: WebhookKind,
    webhook: RawWebhook,
    receivedAt: Date,
    why: { signed: boolean; expired: boolean },
  ): Promise<IngestResult> {
    const reason = why.expired ? 'expired' : why.signed ? 'forged' : 'unsigned';
    metrics.dlrRejected.inc({ provider, reason });
    const refused = { verified: false, duplicate: false, signed: why.signed, expired: why.expired };
    if (!this.rejectedSampler.take(receivedAt.getTime())) {
      return { id: uuidv7(), ...refused, stored: false };
    }
    const sample: RawWebhook = { ...webhook, body: webhook.body.slice(0, this.limits.rejectedBodyChars) };
    const result = await this.committer.submit({
      id: uuidv7(),
      provider,
      kind,
      webhook: sample,
      headers: readHeaders(webhook.headers).kept,
      verified: false,
      dedupeKey: '',
      receivedAt,
      traceHeaders: undefined,
    });
    metrics.dlrRejectedSampled.inc({ provider });
    metrics.dlrReceived.inc({ provider, kind, verified: 'false' });

    return { id: result.id, ...refused, stored: true };
  }

  /** True when a signed time is known and further from `now` than the window allows (a replay, or a bad clock). */
  private outsideReplayWindow(signedAt: Date | undefined, now: Date): boolean {
    if (signedAt === undefined || Number.isNaN(signedAt.getTime())) {
      return false;
    }

    return Math.abs(now.getTime() - signedAt.getTime()) > this.limits.maxSignedAgeMs;
  }

  /** Resolves when every webhook handed over so far is stored. */
  drain(): Promise<void> {
    return this.committer.drain();
  }

  /**
   * Stores one webhook in the database, or, when the database is unreachable and the webhook verified,
   * in the spool: either way it is on disk before the caller answers 2xx. After a failure the database
   * counts as down for a moment, so a storm does not queue thousands of doomed INSERTs behind each other
   * (each waits for a connect timeout when the host does not answer); the spool's drain finds out when
   * it is back.
   */
  private async persist(pending: PendingWebhook): Promise<IngestResult> {
    const spool = this.spool;
    if (!spool || !pending.verified) {
      return this.committer.submit(pending);
    }
    if (Date.now() >= this.storeDownUntil) {
      try {
        return await this.committer.submit(pending);
      } catch (error) {
        if (!isDatabaseUnavailableError(error)) {
          throw error;
        }
        this.storeDownUntil = Date.now() + STORE_DOWN_HOLD_MS;
      }
    }
    try {
      await spool.keep(spooledOf(pending));
    } catch (error) {
      if (error instanceof SpoolFullError) {
        throw new ApiError(503, 'RECEIPT_STORE_UNAVAILABLE', 'Receipts cannot be stored now, retry later', undefined, {
          'retry-after': '5',
        });
      }
      throw error;
    }

    return { id: pending.id, verified: true, duplicate: false };
  }

  /**
   * The spool's sink: stores spooled webhooks like fresh ones (classified against the stored dedupe keys,
   * so a provider's retry that reached the database first makes the spooled copy a duplicate), skipping
   * the ids a drain interrupted by a crash already stored. Each row's `received_at` is the time it is
   * stored: the publisher's sweep only looks for unpublished rows received after its horizon, which
   * moves to "now − grace" while the spool may still hold older receipts.
   */
  async storeSpooled(entries: readonly SpooledWebhook[]): Promise<void> {
    for (let from = 0; from < entries.length; from += SPOOL_DRAIN_BATCH) {
      const chunk = entries.slice(from, from + SPOOL_DRAIN_BATCH);
      const stored: { id: string }[] = await this.dataSource.query(
        `SELECT id FROM inbound_webhooks WHERE id IN (${chunk.map(() => '?').join(',')})`,
        chunk.map((entry) => entry.id),
      );
      const known = new Set(stored.map((row) => row.id));
      const receivedAt = this.now();
      const batch = chunk
        .filter((entry) => !known.has(entry.id))
        .map((entry): PendingWebhook => pendingOfSpooled(entry, receivedAt));
      if (batch.length > 0) {
        await this.store(batch);
      }
    }
    this.storeDownUntil = 0;
  }

  /**
   * One INSERT in autocommit: a batch is classified against itself and, while retries come, the keys this
   * process stored lately (RecentDedupeKeys: where a provider's retry usually is); the unique key on
   * dedupe_key catches the other retries. Then (the statement failed as a whole) the batch is classified
   * against the stored keys and inserted again. Two batches racing with the same new key: the loser fails
   * on the key once the winner committed and its re-run sees the winner's row. No locking read: gap locks
   * on absent keys would make storms deadlock.
   */
  private async store(batch: readonly PendingWebhook[]): Promise<IngestResult[]> {
    let stored: Classified;
    try {
      const remembered = this.recent.size > 0 ? this.recent.known(verifiedKeysOf(batch)) : new Map<string, string>();
      stored = await this.insertClassified(batch, remembered);
    } catch (error) {
      if (!isDuplicateKeyError(error)) {
        throw error;
      }
      this.recent.arm();
      stored = await this.storeAgainstKnownKeys(batch);
    }
    this.recent.remember(stored.keys);
    this.publisher.enqueue(stored.accepted);

    return stored.results;
  }

  private async storeAgainstKnownKeys(batch: readonly PendingWebhook[]): Promise<Classified> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.insertClassified(batch, await this.storedKeys(batch));
      } catch (error) {
        if (!isDuplicateKeyError(error) || attempt >= 3) {
          throw error;
        }
      }
    }
  }

  /** dedupe key → id of the accepted row already stored under it, for the batch's verified webhooks. */
  private async storedKeys(batch: readonly PendingWebhook[]): Promise<Map<string, string>> {
    const keys = [...verifiedKeysOf(batch)];
    if (keys.length === 0) {
      return new Map();
    }
    const known: { id: string; dedupe_key: string }[] = await this.dataSource.query(
      `SELECT id, dedupe_key FROM inbound_webhooks WHERE dedupe_key IN (${keys.map(() => '?').join(',')})`,
      keys,
    );

    return new Map(known.map((row) => [row.dedupe_key, row.id]));
  }

  /** Classifies each webhook (rejected, duplicate of a stored or earlier one, accepted) and inserts them all. */
  private async insertClassified(
    batch: readonly PendingWebhook[],
    stored: ReadonlyMap<string, string>,
  ): Promise<Classified> {
    const firstOf = new Map(stored);
    const rows: unknown[][] = [];
    const accepted: PendingPublication[] = [];
    const keys: [string, string][] = [];
    const results: IngestResult[] = [];
    for (const w of batch) {
      const original = w.verified ? firstOf.get(w.dedupeKey) : undefined;
      const state = !w.verified
        ? WebhookState.Rejected
        : original !== undefined
          ? WebhookState.Duplicate
          : WebhookState.Accepted;
      if (state === WebhookState.Accepted) {
        firstOf.set(w.dedupeKey, w.id);
        keys.push([w.dedupeKey, w.id]);
        accepted.push({ event: storedEventOfPending(w), traceHeaders: w.traceHeaders });
      }
      rows.push([
        w.id,
        w.provider,
        w.kind,
        w.webhook.url.slice(0, MAX_URL),
        w.webhook.method.slice(0, MAX_METHOD),
        JSON.stringify(w.headers),
        w.webhook.body,
        w.webhook.contentType.slice(0, MAX_CONTENT_TYPE),
        w.verified,
        state,
        state === WebhookState.Accepted ? w.dedupeKey : null,
        original ?? null,
        w.receivedAt,
      ]);
      results.push({ id: w.id, verified: w.verified, duplicate: state === WebhookState.Duplicate });
    }
    await this.insertRows(rows);

    return { results, accepted, keys };
  }

  /**
   * The batch as one multi-row INSERT in autocommit, so it is stored whole or not at all (the duplicate-key
   * re-run above relies on that). On SQLite through the driver's prepared statement for that many rows
   * (SqlRunner): TypeORM's query path cost more CPU per batch than SQLite spends storing it.
   */
  private async insertRows(rows: readonly (readonly unknown[])[]): Promise<void> {
    if (isMysql(this.dataSource)) {
      await insertRows(this.dataSource.manager, 'inbound_webhooks', COLUMNS, rows);

      return;
    }
    const sql = (this.sqlite ??= sqlRunnerOf(this.dataSource.manager));
    const parameters: unknown[] = [];
    for (const row of rows) {
      for (const value of row) {
        parameters.push(sql.value(value));
      }
    }
    await sql.execute(sqliteInsertOf(rows.length), parameters);
  }
}

const SQLITE_ROW = `(${COLUMNS.map(() => '?').join(',')})`;
/** The INSERT text per row count, built once each (at most SPOOL_DRAIN_BATCH or the committer's maxBatch). */
const sqliteInserts: string[] = [];

function sqliteInsertOf(count: number): string {
  return (sqliteInserts[count] ??=
    `INSERT INTO inbound_webhooks (${COLUMNS.join(',')}) VALUES ${Array.from({ length: count }, () => SQLITE_ROW).join(',')}`);
}

/** How long the database counts as down after an INSERT failed for want of it. */
const STORE_DOWN_HOLD_MS = 1_000;
/** Spooled webhooks per INSERT when a spool drains. */
const SPOOL_DRAIN_BATCH = 500;

function spooledOf(w: PendingWebhook): SpooledWebhook {
  return {
    id: w.id,
    provider: w.provider,
    kind: w.kind,
    url: w.webhook.url,
    method: w.webhook.method,
    headers: w.headers,
    body: w.webhook.body,
    contentType: w.webhook.contentType,
    dedupeKey: w.dedupeKey,
    receivedAt: w.receivedAt.toISOString(),
    ...(w.traceHeaders ? { traceHeaders: w.traceHeaders } : {}),
  };
}

function pendingOfSpooled(entry: SpooledWebhook, receivedAt: Date): PendingWebhook {
  return {
    id: entry.id,
    provider: entry.provider,
    kind: entry.kind,
    // The headers were filtered when spooled: what is kept is what the row stores.
    webhook: {
      url: entry.url,
      method: entry.method,
      headers: entry.headers,
      body: entry.body,
      contentType: entry.contentType,
    },
    headers: entry.headers,
    verified: true,
    dedupeKey: entry.dedupeKey,
    receivedAt,
    traceHeaders: entry.traceHeaders,
  };
}

interface Classified {
  readonly results: IngestResult[];
  readonly accepted: PendingPublication[];
  /** [dedupe key, id] of the rows stored as accepted. */
  readonly keys: [string, string][];
}

/** The distinct dedupe keys of a batch's verified webhooks (a refused one has none worth comparing). */
function verifiedKeysOf(batch: readonly PendingWebhook[]): Set<string> {
  return new Set(batch.filter((w) => w.verified).map((w) => w.dedupeKey));
}

/**
 * The event exactly as the row stores it (the same truncations), so the first publish, the sweep's and a
 * replay's all carry the same values, and the contract's length limits hold for each of them.
 */
function storedEventOfPending(w: PendingWebhook): WebhookStoredV1 {
  return {
    webhookId: w.id,
    provider: w.provider,
    kind: w.kind,
    url: w.webhook.url.slice(0, MAX_URL),
    method: w.webhook.method.slice(0, MAX_METHOD),
    headers: w.headers,
    body: w.webhook.body,
    contentType: w.webhook.contentType.slice(0, MAX_CONTENT_TYPE),
    receivedAt: w.receivedAt.toISOString(),
  };
}
