import { DeliveryStatus, ErrorClass } from '@sms/provider-port';

/** Error `code`s of the batches API's 400/403 bodies (providers.md §3 "Errors"). */
export const SINCH_API_ERROR_CLASSES = {
  // Our request is malformed: a bug on our side, resending the same request cannot help.
  syntax_invalid_json: ErrorClass.Permanent,
  syntax_invalid_parameter_format: ErrorClass.Permanent,
  syntax_constraint_violation: ErrorClass.Permanent,
  unknown_group: ErrorClass.Permanent,
  unknown_campaign: ErrorClass.Permanent,
  missing_callback_url: ErrorClass.Permanent,
} as const satisfies Record<string, ErrorClass>;

/**
 * Numeric `code`s of delivery reports that mean a failure (providers.md §3). 0 (delivered), 400 (queued) and
 * 401 (dispatched) are not failures and never reach this table; other numbers are SMPP network codes.
 */
export const SINCH_DLR_ERROR_CLASSES = {
  '402': ErrorClass.Permanent, // unroutable
  '403': ErrorClass.Transient, // Sinch internal error
  '404': ErrorClass.Transient, // temporary delivery failure: retryable
  '405': ErrorClass.Permanent, // unmatched parameter
  '406': ErrorClass.Transient, // internal expiry
  '407': ErrorClass.Permanent, // cancelled
  '408': ErrorClass.Permanent, // internal reject
  '410': ErrorClass.Configuration, // no default originator for the service plan
  '411': ErrorClass.Permanent, // exceeded the parts limit
  '412': ErrorClass.Configuration, // unprovisioned region
  '413': ErrorClass.Configuration, // account blocked
  // 414-418 are MMS-only; an SMS never gets them, and if one did it would not succeed on retry.
  '414': ErrorClass.Permanent,
  '415': ErrorClass.Permanent,
  '416': ErrorClass.Permanent,
  '417': ErrorClass.Permanent,
  '418': ErrorClass.Permanent,
} as const satisfies Record<string, ErrorClass>;

/**
 * With an HTTP status (a refused API call): 429 / 5xx transient whatever the body says, 401 configuration
 * (token not valid for the plan), known API codes per the table, anything else permanent (404/405/415 are
 * our bugs). Without one, `code` is a delivery report code. Unknown codes are permanent so an unrecognised
 * refusal never turns into a retry storm.
 */
export function classifySinchError(code: string, httpStatus?: number): ErrorClass {
  const trimmed = code.trim();
  if (httpStatus !== undefined) {
    if (httpStatus === 429 || httpStatus >= 500) {
      return ErrorClass.Transient;
    }
    if (httpStatus === 401) {
      return ErrorClass.Configuration;
    }

    return (SINCH_API_ERROR_CLASSES as Record<string, ErrorClass | undefined>)[trimmed] ?? ErrorClass.Permanent;
  }

  return (
    (SINCH_DLR_ERROR_CLASSES as Record<string, ErrorClass | undefined>)[trimmed] ??
    (SINCH_API_ERROR_CLASSES as Record<string, ErrorClass | undefined>)[trimmed] ??
    ErrorClass.Permanent
  );
}

/** Every delivery report `status` Sinch documents. */
export const SINCH_DLR_STATUSES = [
  'Queued',
  'Dispatched',
  'Delivered',
  'Aborted',
  'Cancelled',
  'Rejected',
  'Failed',
  'Expired',
  'Deleted',
  'Unknown',
] as const;

export type SinchDlrStatus = (typeof SINCH_DLR_STATUSES)[number];

export function isSinchDlrStatus(value: string): value is SinchDlrStatus {
  return (SINCH_DLR_STATUSES as readonly string[]).includes(value);
}

export function mapSinchDlrStatus(status: SinchDlrStatus): DeliveryStatus {
  switch (status) {
    case 'Queued':
      return DeliveryStatus.Queued;
    case 'Dispatched': // the SMSC accepted it
      return DeliveryStatus.Sent;
    case 'Delivered':
      return DeliveryStatus.Delivered;
    case 'Aborted':
    case 'Cancelled':
    case 'Rejected': // never reached, or refused by, the SMSC
      return DeliveryStatus.Failed;
    case 'Failed':
    case 'Expired':
    case 'Deleted':
      return DeliveryStatus.Undelivered;
    case 'Unknown': // at the SMSC with no (readable) DLR: final but unconfirmed, like a soft-final `sent`
      return DeliveryStatus.Sent;
    default:
      return assertNever(status);
  }
}

/** Statuses whose `code` explains a non-delivery (the others carry 0, 400 or 401). */
export function isSinchFailure(status: SinchDlrStatus): boolean {
  const mapped = mapSinchDlrStatus(status);

  return mapped === DeliveryStatus.Failed || mapped === DeliveryStatus.Undelivered;
}

function assertNever(value: never): never {
  throw new Error(`Unhandled Sinch status ${String(value)}`);
}
