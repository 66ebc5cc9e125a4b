import { randomUUID } from 'node:crypto';
import { type StatusChangedV1, type StatusEventKind, StatusEventSource } from '@sms/contracts';

/**
 * A status event as specs start from one: the send-worker's event of attempt 1 through Twilio, occurring
 * now, with no provider answer in it. A spec overrides what it is about.
 */
export const statusEvent = (
  messageId: string,
  kind: StatusEventKind,
  overrides: Partial<StatusChangedV1> = {},
): StatusChangedV1 => ({
  eventId: randomUUID(),
  messageId,
  kind,
  source: StatusEventSource.SendWorker,
  attempt: 1,
  provider: 'twilio',
  providerMessageId: null,
  errorCode: null,
  errorMessage: null,
  errorClass: null,
  ambiguous: null,
  cost: null,
  currency: null,
  detail: null,
  occurredAt: new Date().toISOString(),
  ...overrides,
});
