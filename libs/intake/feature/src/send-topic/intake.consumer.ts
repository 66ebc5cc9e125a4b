import { Logger } from '@nestjs/common';
import { NonRetriableError, type Bus, type ConsumedRecord } from '@sms/bus';
import {
  ContractViolationError,
  decodeEvent,
  SendRequestedV1,
  StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
  TOPICS,
} from '@sms/contracts';
import { ApiError } from '@sms/platform';
import { randomUUID } from 'node:crypto';
import { DuplicateMessageError } from '../ledger/ledger.writer';
import { validateMessageRequest } from '../messages/message-request.validator';
import type { MessagesService } from '../messages/messages.service';
import type { StatusApplier } from '../status/status-applier.service';

/**
 * Intake's two topics, handled thinly: validate against the contract, deduplicate, delegate.
 * `sms.send.v1` requests get the REST API's rules; a refusal is answered on `sms.status.v1` with the
 * same error code, keyed by the producer's id. Invalid records go to the DLQ, never silently away.
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
      await this.applier.apply(decode(StatusChangedV1, record.value));
    } else {
      throw new NonRetriableError(`intake does not consume ${record.topic}`);
    }
  };

  private async handleSend(record: ConsumedRecord): Promise<void> {
    const request = decode(SendRequestedV1, record.value);
    if (await this.messages.exists(request.id)) {
      return;
    }
    const { id, ...fields } = record.value as Record<string, unknown>;
    let validated;
    try {
      validated = validateMessageRequest(fields);
    } catch (error) {
      if (error instanceof ApiError) {
        await this.refuse(String(id), error);

        return;
      }
      throw error;
    }
    try {
      await this.messages.acceptFromTopic(request.id, validated);
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
    await this.bus.publish([{ topic: TOPICS.status, key: id, value: event }]);
  }
}

function decode<T extends object>(cls: new () => T, value: unknown): T {
  try {
    return decodeEvent(cls, value);
  } catch (error) {
    if (error instanceof ContractViolationError) {
      throw new NonRetriableError(error.message);
    }
    throw error;
  }
}
