import { randomUUID } from 'node:crypto';
import { Encoding, MessageStatus, StatusEventSource, TOPICS, type MessageAcceptedV1 } from '@sms/contracts';
import { enqueueOutbox, isDuplicateKeyError, isMysql, inTransaction } from '@sms/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { IdempotencyKeyEntity } from '../database/entities/idempotency-key.entity';
import { MessageEventEntity } from '../database/entities/message-event.entity';
import { SmsMessageEntity } from '../database/entities/sms-message.entity';
import { INTAKE_OUTBOX } from '../database/intake.schema';
import type { ValidatedMessage } from '../messages/message-request.validator';
import { STATUS_RANK } from '../status/message-state';

export interface NewMessage {
  readonly id: string;
  readonly message: ValidatedMessage;
  readonly apiKeyId: string | null;
  readonly createdAt: Date;
  /** Stored in the same transaction, so a replay after a crash finds the first response. */
  readonly idempotency?: {
    readonly scopeKey: string;
    readonly fingerprint: string;
    readonly response: string;
    readonly expiresAt: Date;
  };
}

/** The message id already exists (a repeated `sms.send.v1` record): nothing was written. */
export class DuplicateMessageError extends Error {
  override readonly name = 'DuplicateMessageError';
}

interface Pending {
  readonly item: NewMessage;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface LedgerWriterOptions {
  /** Most rows per transaction. */
  readonly maxBatch?: number;
  /** Transactions in flight at once; MySQL group-commits them, SQLite has one writer anyway. */
  readonly maxConcurrentFlushes?: number;
  readonly onCommitted?: () => void;
}

/**
 * Writes new messages with group commit: each request waits for a transaction that also carries the
 * requests that arrived meanwhile, so one fsync covers many messages (performance.md §4: a 100-row
 * multi-row INSERT is ~25x a single-row autocommit INSERT). A request is answered 202 only after its
 * transaction committed: the ledger row, its `queued` event and its outbox record exist together.
 */
export class LedgerWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxConcurrent: number;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: LedgerWriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 256;
    this.maxConcurrent = options.maxConcurrentFlushes ?? (isMysql(dataSource) ? 3 : 1);
  }

  write(item: NewMessage): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Resolves when everything queued so far is committed or failed. */
  async drain(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) {
      return;
    }
    await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxConcurrent) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) {
          this.pump();
        } else if (this.inFlight === 0) {
          for (const resolve of this.idle) {
            resolve();
          }
          this.idle.clear();
        }
      });
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      await inTransaction(this.dataSource, (manager) =>
        this.insert(
          manager,
          batch.map((p) => p.item),
        ),
      );
      batch.forEach((p) => p.resolve());
      this.options.onCommitted?.();
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(isDuplicateKeyError(error) ? new DuplicateMessageError(batch[0].item.id) : error);

        return;
      }
      // One bad row (a duplicate id) must not fail its neighbours: isolate it by writing one by one.
      for (const pending of batch) {
        await this.flush([pending]);
      }
    }
  }

  private async insert(manager: EntityManager, items: readonly NewMessage[]): Promise<void> {
    const messages = items.map((item) => toMessageRow(item));
    // updateEntity(false): TypeORM would otherwise re-read generated columns row by row.
    await manager.createQueryBuilder().insert().into(SmsMessageEntity).values(messages).updateEntity(false).execute();
    await manager
      .createQueryBuilder()
      .insert()
      .into(MessageEventEntity)
      .values(
        items.map((item) => ({
          eventId: randomUUID(),
          messageId: item.id,
          status: MessageStatus.Queued,
          source: StatusEventSource.Intake,
          applied: true,
          attempt: null,
          provider: null,
          errorCode: null,
          detail: null,
          occurredAt: item.createdAt,
        })),
      )
      .updateEntity(false)
      .execute();
    const idempotent = items.filter((item) => item.idempotency);
    if (idempotent.length > 0) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(IdempotencyKeyEntity)
        .values(
          idempotent.map((item) => ({
            scopeKey: item.idempotency!.scopeKey,
            fingerprint: item.idempotency!.fingerprint,
            messageId: item.id,
            response: item.idempotency!.response,
            expiresAt: item.idempotency!.expiresAt,
          })),
        )
        .updateEntity(false)
        .execute();
    }
    await enqueueOutbox(
      manager,
      INTAKE_OUTBOX,
      items.map((item) => ({ topic: TOPICS.accepted, key: item.id, value: acceptedEvent(item) })),
      items[0]?.createdAt ?? new Date(),
    );
  }
}

function toMessageRow(item: NewMessage): Partial<SmsMessageEntity> {
  const m = item.message;

  return {
    id: item.id,
    status: MessageStatus.Queued,
    statusRank: STATUS_RANK[MessageStatus.Queued],
    toNumber: m.to,
    requestedFrom: m.from,
    sender: null,
    country: m.country,
    body: m.body,
    encoding: m.encoding,
    segments: m.segments,
    messageClass: m.messageClass,
    callbackUrl: m.callbackUrl,
    clientReference: m.clientReference,
    validitySeconds: m.validitySeconds,
    apiKeyId: item.apiKeyId,
    attempt: 1,
    provider: null,
    providerMessageId: null,
    cost: null,
    currency: null,
    errorCode: null,
    errorMessage: null,
    routeReason: null,
    avoidProviders: null,
    pinProvider: null,
    nextRetryAt: null,
    createdAt: item.createdAt,
    updatedAt: item.createdAt,
    sentAt: null,
    deliveredAt: null,
    finalAt: null,
  };
}

export function acceptedEvent(
  item: Pick<NewMessage, 'id' | 'message' | 'createdAt'>,
  attempt = 1,
  avoidProviders: string[] = [],
  pinProvider: string | null = null,
): MessageAcceptedV1 {
  const m = item.message;

  return {
    messageId: item.id,
    attempt,
    to: m.to,
    from: m.from,
    country: m.country,
    body: m.body,
    encoding: m.encoding === 'GSM-7' ? Encoding.Gsm7 : Encoding.Ucs2,
    segments: m.segments,
    messageClass: m.messageClass,
    validitySeconds: m.validitySeconds,
    avoidProviders,
    pinProvider,
    acceptedAt: item.createdAt.toISOString(),
  };
}
