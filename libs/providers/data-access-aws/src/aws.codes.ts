import { DeliveryStatus, ErrorClass } from '@sms/provider-port';

/**
 * AWS errors we know how to treat (providers.md §4). EUM answers with an exception type plus a `Reason`, and
 * the class depends on both, so codes are written `Type:Reason` (or a bare type/reason). SNS query errors come
 * under their wire code (`InvalidParameter`) or the SDK's class name (`InvalidParameterException`).
 */
const BY_REASON: Record<string, ErrorClass> = {
  // The recipient opted out (STOP, or the account's opt-out list): never send again from here.
  DESTINATION_PHONE_NUMBER_OPTED_OUT: ErrorClass.OptedOut,
  // Sandbox / identity / protect-configuration refusals: our account setup, not the message.
  DESTINATION_PHONE_NUMBER_NOT_VERIFIED: ErrorClass.Configuration,
  NO_ORIGINATION_IDENTITIES_FOUND: ErrorClass.Configuration,
  DESTINATION_COUNTRY_BLOCKED: ErrorClass.Configuration,
  INVALID_IDENTITY_FOR_DESTINATION_COUNTRY: ErrorClass.Configuration,
  SENDER_ID_NOT_REGISTERED: ErrorClass.Configuration,
  SENDER_ID_NOT_SUPPORTED: ErrorClass.Configuration,
  PRICE_OVER_THRESHOLD: ErrorClass.Configuration,
  ACCOUNT_DISABLED: ErrorClass.Configuration,
  INSUFFICIENT_ACCOUNT_REPUTATION: ErrorClass.Configuration,
  // Monthly spend cap: this account cannot send until next month or a raise; fail over elsewhere.
  MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT: ErrorClass.Configuration,
  // The message itself is malformed (bad number, too long, bad keyword...).
  INVALID_PARAMETER: ErrorClass.Permanent,
  INVALID_ARN: ErrorClass.Permanent,
  INVALID_REQUEST: ErrorClass.Permanent,
  PARAMETER_MISSING: ErrorClass.Permanent,
  INVALID_PHONE_NUMBER: ErrorClass.Permanent,
  MESSAGE_TOO_LONG: ErrorClass.Permanent,
};

const BY_TYPE: Record<string, ErrorClass> = {
  // EUM SMS v2 (pinpoint-sms-voice-v2).
  ThrottlingException: ErrorClass.Transient,
  InternalServerException: ErrorClass.Transient,
  ServiceUnavailableException: ErrorClass.Transient,
  ValidationException: ErrorClass.Permanent,
  ConflictException: ErrorClass.Permanent,
  AccessDeniedException: ErrorClass.Configuration,
  ResourceNotFoundException: ErrorClass.Configuration,
  ServiceQuotaExceededException: ErrorClass.Configuration,
  // Auth failures the service front door answers for every AWS API.
  UnrecognizedClientException: ErrorClass.Configuration,
  InvalidSignatureException: ErrorClass.Configuration,
  IncompleteSignatureException: ErrorClass.Configuration,
  SignatureDoesNotMatch: ErrorClass.Configuration,
  ExpiredTokenException: ErrorClass.Configuration,
  InvalidClientTokenId: ErrorClass.Configuration,
  // SNS Publish (wire codes and SDK class names).
  InvalidParameter: ErrorClass.Permanent,
  InvalidParameterException: ErrorClass.Permanent,
  ParameterValueInvalid: ErrorClass.Permanent,
  InvalidParameterValueException: ErrorClass.Permanent,
  AuthorizationError: ErrorClass.Configuration,
  AuthorizationErrorException: ErrorClass.Configuration,
  InvalidSecurity: ErrorClass.Configuration,
  InvalidSecurityException: ErrorClass.Configuration,
  NotFound: ErrorClass.Configuration,
  NotFoundException: ErrorClass.Configuration,
  Throttled: ErrorClass.Transient,
  ThrottledException: ErrorClass.Transient,
  Throttling: ErrorClass.Transient,
  InternalError: ErrorClass.Transient,
  InternalErrorException: ErrorClass.Transient,
};

/** Every EUM `Reason` and exception/SNS code in the tables above (used by the contract spec). */
export const AWS_KNOWN_REASONS = Object.keys(BY_REASON);
export const AWS_KNOWN_TYPES = Object.keys(BY_TYPE);

/** Our error code for an AWS error: `Type:Reason` when a reason came with it, so both survive in the history. */
export function awsErrorCode(type: string, reason?: string): string {
  return reason ? `${type}:${reason}` : type;
}

/**
 * Reason first (it is the more specific: an opted-out `ConflictException` is not like other conflicts), then
 * the type, then the HTTP status. 429 and 5xx are transient whatever the body said. An unknown 401/403 is a
 * credentials problem; anything else unknown is permanent so a new refusal never becomes a retry storm.
 */
export function classifyAwsError(code: string, httpStatus?: number): ErrorClass {
  const [type = '', reason = ''] = code.trim().split(':');
  if (BY_REASON[reason] !== undefined) {
    return BY_REASON[reason];
  }
  if (BY_REASON[type] !== undefined) {
    return BY_REASON[type];
  }
  if (/_BLOCKED_BY_PROTECT_/.test(reason || type)) {
    // A protect configuration (our own country/number rules) refused it: an account setting, not transient.
    return ErrorClass.Configuration;
  }
  if (httpStatus === 429 || (httpStatus !== undefined && httpStatus >= 500)) {
    return ErrorClass.Transient;
  }
  if (BY_TYPE[type] !== undefined) {
    return BY_TYPE[type];
  }

  return httpStatus === 401 || httpStatus === 403 ? ErrorClass.Configuration : ErrorClass.Permanent;
}

/** Every EUM SMS event type the configuration set can emit for text messages (providers.md §4b "Events"). */
export const AWS_SMS_EVENT_TYPES = [
  'TEXT_QUEUED',
  'TEXT_PENDING',
  'TEXT_SENT',
  'TEXT_SUCCESSFUL',
  'TEXT_DELIVERED',
  'TEXT_INVALID',
  'TEXT_INVALID_MESSAGE',
  'TEXT_PROTECT_BLOCKED',
  'TEXT_UNREACHABLE',
  'TEXT_CARRIER_UNREACHABLE',
  'TEXT_BLOCKED',
  'TEXT_CARRIER_BLOCKED',
  'TEXT_SPAM',
  'TEXT_TTL_EXPIRED',
  'TEXT_UNKNOWN',
] as const;

export type AwsSmsEventType = (typeof AWS_SMS_EVENT_TYPES)[number];

export function isAwsSmsEventType(value: unknown): value is AwsSmsEventType {
  return typeof value === 'string' && (AWS_SMS_EVENT_TYPES as readonly string[]).includes(value);
}

/** Maps an event onto our statuses; `isFinal` matters only for TEXT_SUCCESSFUL (carrier accepted). */
export function mapAwsEvent(type: AwsSmsEventType, isFinal: boolean): DeliveryStatus {
  switch (type) {
    case 'TEXT_QUEUED':
      return DeliveryStatus.Queued;
    case 'TEXT_PENDING':
      return DeliveryStatus.Sending;
    case 'TEXT_SENT':
      return DeliveryStatus.Sent;
    case 'TEXT_SUCCESSFUL':
      // AWS: interchangeable with DELIVERED in countries without handset receipts, and then it is final.
      return isFinal ? DeliveryStatus.Delivered : DeliveryStatus.Sent;
    case 'TEXT_DELIVERED':
      return DeliveryStatus.Delivered;
    case 'TEXT_INVALID':
    case 'TEXT_INVALID_MESSAGE':
    case 'TEXT_PROTECT_BLOCKED':
      // Refused before any carrier attempt.
      return DeliveryStatus.Failed;
    case 'TEXT_UNREACHABLE':
    case 'TEXT_CARRIER_UNREACHABLE':
    case 'TEXT_BLOCKED':
    case 'TEXT_CARRIER_BLOCKED':
    case 'TEXT_SPAM':
    case 'TEXT_TTL_EXPIRED':
    case 'TEXT_UNKNOWN':
      return DeliveryStatus.Undelivered;
    default:
      return assertNever(type);
  }
}

/** How a non-delivery event should be treated when it is re-tried (the event type doubles as its error code). */
export function classifyAwsEvent(type: AwsSmsEventType): ErrorClass | undefined {
  switch (type) {
    case 'TEXT_CARRIER_UNREACHABLE': // the carrier was down: another attempt later may work
    case 'TEXT_UNREACHABLE': // handset off / out of coverage
    case 'TEXT_TTL_EXPIRED':
    case 'TEXT_UNKNOWN':
      return ErrorClass.Transient;
    case 'TEXT_INVALID':
    case 'TEXT_INVALID_MESSAGE':
    case 'TEXT_BLOCKED':
    case 'TEXT_CARRIER_BLOCKED':
    case 'TEXT_SPAM':
      return ErrorClass.Permanent;
    case 'TEXT_PROTECT_BLOCKED':
      return ErrorClass.Configuration;
    case 'TEXT_QUEUED':
    case 'TEXT_PENDING':
    case 'TEXT_SENT':
    case 'TEXT_SUCCESSFUL':
    case 'TEXT_DELIVERED':
      return undefined; // progress or success: no error to classify
    default:
      return assertNever(type);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled AWS event ${String(value)}`);
}
