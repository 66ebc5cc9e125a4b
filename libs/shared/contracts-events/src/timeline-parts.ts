/**
 * Parts of a message's timeline (`GET /v1/messages/:id/timeline`) that live outside intake: the raw receipts
 * dlr-ingest stored and the caller callbacks dlr-processor made. In the embedded mode those modules provide
 * the readers under these tokens and intake looks them up on first use (it does not import them).
 */
export const RAW_RECEIPT_READER = 'RAW_RECEIPT_READER';
export const CALLBACK_LOG_READER = 'CALLBACK_LOG_READER';

/** A stored provider webhook as the provider sent it; credentials among its headers are redacted. */
export interface RawReceiptView {
  readonly id: string;
  readonly provider: string;
  readonly receivedAt: string;
  readonly verified: boolean;
  readonly contentType: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface RawReceiptReader {
  /** The stored webhooks of these ids that still exist (purged ones are left out), in any order. */
  read(ids: readonly string[]): Promise<RawReceiptView[]>;
}

/** One delivery to a message's callback URL. */
export interface CallbackLogView {
  readonly id: string;
  readonly url: string;
  readonly state: string;
  readonly attempts: number;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly settledAt: string | null;
}

export interface CallbackLogReader {
  /** The message's callback deliveries, oldest first. */
  read(messageId: string): Promise<CallbackLogView[]>;
}

/** Most receipts a timeline shows: a message has one per part and status, so more is a misbehaving provider. */
export const TIMELINE_MAX_RECEIPTS = 100;

/** Headers that authenticate a caller rather than sign a payload: never shown. */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

/** The headers with credentials replaced by `[redacted]` (signature headers are kept: they prove the payload). */
export function redactCredentialHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      CREDENTIAL_HEADERS.includes(name.toLowerCase()) ? '[redacted]' : value,
    ]),
  );
}
