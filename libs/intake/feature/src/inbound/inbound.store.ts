import { Logger } from '@nestjs/common';
import type { InboundReceivedV1 } from '@sms/contracts';
import { classifyKeyword, type KeywordSet } from '@sms/opt-out-registry';
import { isDuplicateKeyError } from '@sms/persistence';
import { parsePhone } from '@sms/phone';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { InboundMessageEntity } from '../database/entities/inbound-message.entity';
import { type StoredInboundMessage, toInboundView } from './inbound.views';
import type { InboundAccountResolver } from './number-owners.reader';

/** Called once per newly stored inbound message, after it is committed (e.g. account webhooks). */
export type InboundListener = (message: StoredInboundMessage) => Promise<void> | void;

/**
 * Files every inbound message from `sms.inbound.v1` under the account of the number it was sent to, with
 * its keyword recorded as opt-out classifies it (the same lists: STOP and HELP are shown, not hidden).
 * Idempotent: a provider message id is stored once, so redelivered or replayed webhooks add nothing and
 * notify no listener again.
 */
export class InboundStore {
  private readonly logger = new Logger('intake-inbound');
  private readonly listeners = new Set<InboundListener>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: InboundAccountResolver,
    private readonly keywords: KeywordSet,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Registers a listener for newly stored messages; returns its removal. */
  onStored(listener: InboundListener): () => void {
    this.listeners.add(listener);

    return () => this.listeners.delete(listener);
  }

  /** Stores the message; null when it was stored before. */
  async record(event: InboundReceivedV1): Promise<StoredInboundMessage | null> {
    const to = inboundNumber(event.to);
    const row: InboundMessageEntity = {
      id: uuidv7(),
      accountId: await this.accounts.accountOf(to),
      fromNumber: inboundNumber(event.from),
      toNumber: to,
      body: event.body,
      provider: event.provider,
      providerMessageId: event.providerMessageId,
      webhookId: event.webhookId,
      keyword: classifyKeyword(event.body, this.keywords),
      receivedAt: new Date(event.receivedAt),
      createdAt: this.now(),
    };
    try {
      await this.dataSource.getRepository(InboundMessageEntity).insert(row);
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        return null;
      }
      throw error;
    }
    const stored: StoredInboundMessage = { ...toInboundView(row), accountId: row.accountId };
    for (const listener of this.listeners) {
      // Stored is stored: a failing listener is its own to retry, and must not make the record redeliver.
      await Promise.resolve()
        .then(() => listener(stored))
        .catch((error: unknown) => this.logger.error(`inbound listener failed: ${String(error)}`));
    }

    return stored;
  }
}

/** Providers send E.164 with or without `+`; anything unparseable (a short code) is kept as given. */
export function inboundNumber(number: string): string {
  const trimmed = number.trim();
  const parsed = parsePhone(trimmed.startsWith('+') ? trimmed : `+${trimmed}`);

  return parsed.ok ? parsed.e164 : trimmed;
}
