import { DeliveryStatus, ErrorClass } from '@sms/provider-port';

/**
 * `messages[].status` of the SMS API's send response (providers.md §2 "Send status classification"). The
 * response is HTTP 200 whatever happened, so this per-part code is the only verdict.
 */
export const VONAGE_SEND_STATUS_CLASSES = {
  // Over the account's rate, Vonage internal error, too many concurrent binds: retry with backoff.
  '1': ErrorClass.Transient,
  '5': ErrorClass.Transient,
  '10': ErrorClass.Transient,

  // Missing / invalid params, unrecognised prefix, too long, unauthorised sender, bad network code, bad callback.
  '2': ErrorClass.Permanent,
  '3': ErrorClass.Permanent,
  '6': ErrorClass.Permanent,
  '12': ErrorClass.Permanent,
  '15': ErrorClass.Permanent,
  '22': ErrorClass.Permanent,
  '23': ErrorClass.Permanent,
  // Number barred / de-activated: never deliverable again, so the recipient goes on the suppression
  // (opt-out) ledger rather than being retried on every future message.
  '7': ErrorClass.OptedOut,
  '33': ErrorClass.OptedOut,

  // Credentials, barred account, no credit, HTTP not enabled, bad request signature, demo-account
  // whitelist, signature and secret both sent: our account is wrong, page someone.
  '4': ErrorClass.Configuration,
  '8': ErrorClass.Configuration,
  '9': ErrorClass.Configuration,
  '11': ErrorClass.Configuration,
  '14': ErrorClass.Configuration,
  '29': ErrorClass.Configuration,
  '32': ErrorClass.Configuration,
} as const satisfies Record<string, ErrorClass>;

/**
 * A send status first by the HTTP status (429 / 5xx never carry a useful body), then the table. Unknown
 * non-zero codes are permanent so an unrecognised refusal never turns into a retry storm; an unknown code on a
 * 401 is a credentials problem.
 */
export function classifyVonageSendStatus(code: string, httpStatus?: number): ErrorClass {
  if (httpStatus === 429 || (httpStatus !== undefined && httpStatus >= 500)) {
    return ErrorClass.Transient;
  }
  const known = (VONAGE_SEND_STATUS_CLASSES as Record<string, ErrorClass | undefined>)[code.trim()];
  if (known !== undefined) {
    return known;
  }

  return httpStatus === 401 ? ErrorClass.Configuration : ErrorClass.Permanent;
}

/**
 * DLR `err-code` (providers.md §2 "DLR webhook"). Numerically they overlap the send statuses (9 is "no credit"
 * on send but "opted out" in a DLR), which is why they get their own table and are classified while parsing.
 */
export const VONAGE_DLR_ERROR_CLASSES = {
  '1': ErrorClass.Transient, // unknown: retryable once
  '2': ErrorClass.Transient, // absent subscriber, temporary
  '3': ErrorClass.Permanent, // absent subscriber, permanent
  '4': ErrorClass.Permanent, // call barred by user
  '5': ErrorClass.Permanent, // portability error
  '6': ErrorClass.Permanent, // anti-spam rejection
  '7': ErrorClass.Transient, // handset busy
  '8': ErrorClass.Transient, // network error
  '9': ErrorClass.OptedOut, // "illegal number": how Vonage reports an opted-out recipient
  '10': ErrorClass.Permanent, // illegal message
  '11': ErrorClass.Transient, // unroutable at Vonage: another provider may route it (failover)
  '12': ErrorClass.Permanent, // destination unreachable
  '13': ErrorClass.Permanent, // age restriction
  '14': ErrorClass.Permanent, // blocked by carrier
  '15': ErrorClass.Permanent, // pre-paid insufficient funds (the subscriber's)
  '99': ErrorClass.Permanent, // general error
} as const satisfies Record<string, ErrorClass>;

/** Null for `0` (delivered, no error); unknown non-zero codes are permanent. */
export function classifyVonageDlrError(code: string): ErrorClass | null {
  const trimmed = code.trim();
  if (trimmed === '0' || trimmed === '') {
    return null;
  }

  return (VONAGE_DLR_ERROR_CLASSES as Record<string, ErrorClass | undefined>)[trimmed] ?? ErrorClass.Permanent;
}

/** Every DLR `status` Vonage documents. */
export const VONAGE_DLR_STATUSES = [
  'accepted',
  'buffered',
  'delivered',
  'expired',
  'failed',
  'rejected',
  'unknown',
] as const;

export type VonageDlrStatus = (typeof VONAGE_DLR_STATUSES)[number];

export function isVonageDlrStatus(value: string): value is VonageDlrStatus {
  return (VONAGE_DLR_STATUSES as readonly string[]).includes(value);
}

export function mapVonageDlrStatus(status: VonageDlrStatus): DeliveryStatus {
  switch (status) {
    case 'accepted': // the carrier accepted it, no handset verdict yet
    case 'buffered': // carrier is still trying (handset off, retries)
      return DeliveryStatus.Sent;
    case 'delivered':
      return DeliveryStatus.Delivered;
    case 'expired': // carrier validity ran out, or Vonage's own 72 h limit
    case 'failed':
    case 'unknown':
      return DeliveryStatus.Undelivered;
    case 'rejected': // refused before any carrier attempt
      return DeliveryStatus.Failed;
    default:
      return assertNever(status);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled Vonage status ${String(value)}`);
}
