import { Logger } from '@nestjs/common';
import { NonRetriableError, type Bus, type ConsumedRecord } from '@sms/bus';
import {
  decodeEvent,
  newEventId,
  StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
  statusRecords,
  TOPICS,
} from '@sms/contracts';
import { ApiError, unprocessable } from '@sms/platform';
import { DuplicateMessageError } from '../ledger/ledger.writer';

import type { MessagesService } from '../messages/messages.service';
import type { StatusApplier } from '../status/status-applier.service';
import type { Admission } from '../limits/admission';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an account exists (the auth slice's AccountService, cached). */
export interface AccountDirectory {
  exists(accountId: string): Promise<boolean>;
}

/**
 * Intake's two topics, handled thinly: validate, delegate. `sms.send.v1` requests get the REST API's
 * rules; a refusal is answered on `sms.status.v1` with the same error code, keyed by the producer's id.
 * Records that cannot even be answered go to the DLQ, never silently away.
 */
export class IntakeConsumer {
  private readonly logger = new Logger('intake-consumer');

  constructor(
    private readonly bus: Bus,
    private readonly messages: MessagesService,
    private readonly applier: StatusApplier,
    private readonly accounts: AccountDirectory,
    /** Corrects booked spend when a status carries the real cost (docs/limits.md). */
    private readonly admission?: Admission,
  ) {}

  handle = async (record: ConsumedRecord): Promise<void> => {
    if (record.topic === TOPICS.send) {
      await this.handleSend(record);
    } else if (record.topic === TOPICS.status) {
      const event = decodeEvent(StatusChangedV1, record.value);
      await this.applier.apply(event);
      await this.admission?.reconcile(event);
    } else {
      throw new NonRetriableError(`intake does not consume ${record.topic}`);
    }
  };

  /**
   * The producer's `id` must be a UUID (it keys the answer); everything else gets the REST rules, so a
   * bad field is refused with its code on `sms.status.v1` rather than dead-lettered. The message belongs
   * to the record's `accountId`, which must name an existing account: nothing is assumed, since a
   * wrong guess would put the message, its callbacks and its limits in someone else's account. A
   * repeated id is absorbed by the ledger's primary key; the ledger is only read on the rare refusal
   * path, to stay silent about a repeat of an id that was accepted before.
   */
  private async handleSend(record: ConsumedRecord): Promise<void> {
    // accountId names whose message it is (opt-outs and masked sessions are per account); the other
    // fields get the REST rules, which know no accountId.
    const { id, accountId, ...fields } = (record.value ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || !UUID.test(id)) {
      throw new NonRetriableError('sms.send.v1 record without a UUID id: cannot be answered');
    }
    try {
      const account = await this.accountOf(accountId);
      const validated = await this.messages.resolveAndCheck(this.messages.validate(fields), account, id);
      // Admission (limits, permissions, pumping guard) and the write: one refusal path with the REST API's codes.
      await this.messages.acceptFromTopic(id, validated, account);
    } catch (error) {
      if (error instanceof DuplicateMessageError) {
        return;
      }
      if (error instanceof ApiError) {
        if (!(await this.messages.exists(id))) {
          await this.refuse(id, error, accountId);
        }

        return;
      }
      throw error;
    }
  }

  private async accountOf(accountId: unknown): Promise<string> {
    if (typeof accountId !== 'string' || !UUID.test(accountId)) {
      throw unprocessable(
        'ACCOUNT_REQUIRED',
        'sms.send.v1 records must name their account (accountId, a UUID)',
        'accountId',
      );
    }
    const account = accountId.toLowerCase();
    if (!(await this.accounts.exists(account))) {
      throw unprocessable('ACCOUNT_NOT_FOUND', 'accountId names no account', 'accountId');
    }

    return account;
  }

  private async refuse(id: string, error: ApiError, accountId: unknown): Promise<void> {
    this.logger.warn(`refused sms.send.v1 ${id}: ${error.code}`);
    const event: StatusChangedV1 = {
      eventId: newEventId(),
      messageId: id,
      // The producer's own account when it named a well-formed one, so it can match the answer.
      ...(typeof accountId === 'string' && UUID.test(accountId) ? { accountId: accountId.toLowerCase() } : {}),
      kind: StatusEventKind.Refused,
      source: StatusEventSource.Intake,
      attempt: null,
      provider: null,
      providerMessageId: null,
      errorCode: error.code,
      errorMessage: error.message,
      errorClass: 'permanent',
      ambiguous: null,
      cost: null,
      currency: null,
      detail: error.field ?? null,
      occurredAt: new Date().toISOString(),
    };
    await this.bus.publish([...statusRecords(event)]);
  }
}
