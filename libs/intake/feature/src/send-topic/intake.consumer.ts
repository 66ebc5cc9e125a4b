import { Logger } from '@nestjs/common';
import { NonRetriableError, type Bus, type ConsumedRecord } from '@sms/bus';
import { decodeEvent, StatusChangedV1, StatusEventKind, StatusEventSource, statusRecord, TOPICS } from '@sms/contracts';
import { ApiError } from '@sms/platform';
import { randomUUID } from 'node:crypto';
import { DuplicateMessageError } from '../ledger/ledger.writer';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
import type { MessagesService } from '../messages/messages.service';
import type { StatusApplier } from '../status/status-applier.service';

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
  ) {}

  handle = async (record: ConsumedRecord): Promise<void> => {
    if (record.topic === TOPICS.send) {
      await this.handleSend(record);
    } else if (record.topic === TOPICS.status) {
      await this.applier.apply(decodeEvent(StatusChangedV1, record.value));
    } else {
      throw new NonRetriableError(`intake does not consume ${record.topic}`);
    }
  };

  /**
   * The producer's `id` must be a UUID (it keys the answer); everything else gets the REST rules, so a
   * bad field is refused with its code on `sms.status.v1` rather than dead-lettered. A repeated id is
   * absorbed by the ledger's primary key; the ledger is only read on the rare refusal path, to stay
   * silent about a repeat of an id that was accepted before.
   */
  private async handleSend(record: ConsumedRecord): Promise<void> {
    const { id, ...fields } = (record.value ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || !UUID.test(id)) {
      throw new NonRetriableError('sms.send.v1 record without a UUID id: cannot be answered');
    }
    let validated;
    try {
      validated = await this.messages.resolveAndCheck(this.messages.validate(fields), id);
    } catch (error) {
      if (error instanceof ApiError) {
        if (!(await this.messages.exists(id))) {
          await this.refuse(id, error);
        }

        return;
      }
      throw error;
    }
    try {
      await this.messages.acceptFromTopic(id, validated);
    } catch (error) {
      if (!(error instanceof DuplicateMessageError)) {
        throw error;
      }
    }
  }

  private async refuse(id: string, error: ApiError): Promise<void> {
    this.logger.warn(`refused sms.send.v1 ${id}: ${error.code}`);
    const event: StatusChangedV1 = {
      eventId: randomUUID(),
      messageId: id,
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
    await this.bus.publish([statusRecord(event)]);
  }
}
