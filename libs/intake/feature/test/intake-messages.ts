/**
 * Test support (not part of the service): the messages and status events intake's ledger specs start from.
 * A message is written the way intake writes it (LedgerWriter), so a spec tests the ledger it will really
 * meet; an event carries only what every status event has, and a spec overrides what it is about.
 */
import { randomUUID } from 'node:crypto';
import { type StatusChangedV1, StatusEventKind } from '@sms/contracts';
import { statusEvent } from '@sms/testing';
import type { LedgerWriter } from '../src/ledger/ledger.writer';
import { validateMessageRequest } from '../src/messages/message-request.validator';

/** The specs' account: not the default one, so a write that fell back to the default would show. */
export const SEED_ACCOUNT = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';

export interface SeedMessage {
  readonly id?: string;
  /** Request fields over a GB number and a one-segment body. */
  readonly request?: Record<string, unknown>;
  readonly accountId?: string;
  readonly createdAt?: Date;
}

/** Writes one accepted message (status `queued`) and returns its id. */
export async function seedMessage(writer: LedgerWriter, seed: SeedMessage = {}): Promise<string> {
  const id = seed.id ?? randomUUID();
  await writer.write({
    id,
    message: validateMessageRequest({ to: '+447400123456', body: 'Your code is 123456', ...seed.request }),
    apiKeyId: null,
    accountId: seed.accountId ?? SEED_ACCOUNT,
    createdAt: seed.createdAt ?? new Date(),
  });

  return id;
}

/** The send-worker's event of attempt 1 through Twilio: the shared test kit's. */
export { statusEvent };

/** A retryable failure of `attempt` (the send-worker's `retry`), with an error code that names the attempt. */
export const retryEvent = (
  messageId: string,
  attempt: number,
  overrides: Partial<StatusChangedV1> = {},
): StatusChangedV1 =>
  statusEvent(messageId, StatusEventKind.Retry, {
    attempt,
    errorCode: `E${attempt}`,
    errorMessage: `attempt ${attempt} timed out`,
    errorClass: 'transient',
    ambiguous: false,
    ...overrides,
  });
