import { randomUUID } from 'node:crypto';
import type { ErrorRates } from './simulator.knobs';
import { pickOne, type Rng } from './simulator.rng';

/** One AWS error answer: HTTP status, exception type (`__type` / SNS `Code`) and EUM `Reason` when it has one. */
export interface AwsApiError {
  readonly status: number;
  readonly type: string;
  readonly message: string;
  readonly reason?: string;
  /** SNS only: `Sender` (client's fault) or `Receiver` (ours). */
  readonly fault?: 'Sender' | 'Receiver';
}

export const EUM_TARGET = 'PinpointSMSVoiceV2.SendTextMessage';
export const SNS_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** AWS JSON 1.0 error body; the SDK reads `__type` (and the `x-amzn-ErrorType` header) to pick the exception. */
export function eumErrorBody(error: AwsApiError): Record<string, unknown> {
  return {
    __type: error.type,
    Message: error.message,
    ...(error.reason !== undefined && { Reason: error.reason }),
  };
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** awsQuery error body (providers.md §4a). */
export function snsErrorXml(error: AwsApiError): string {
  return (
    `<ErrorResponse xmlns="${SNS_NAMESPACE}"><Error><Type>${error.fault ?? 'Sender'}</Type>` +
    `<Code>${xmlEscape(error.type)}</Code><Message>${xmlEscape(error.message)}</Message></Error>` +
    `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}

export function snsPublishXml(messageId: string): string {
  return (
    `<PublishResponse xmlns="${SNS_NAMESPACE}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`
  );
}

export const EUM_THROTTLE: AwsApiError = { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };
export const SNS_THROTTLE: AwsApiError = { status: 400, type: 'Throttling', message: 'Rate exceeded' };

const E164 = /^\+[1-9]\d{6,14}$/;

/** The model's own checks for `SendTextMessage`, as a ValidationException with the reason AWS uses. */
export function validateSendText(input: Record<string, unknown>): AwsApiError | null {
  const invalid = (message: string, reason = 'INVALID_PARAMETER'): AwsApiError => ({
    status: 400,
    type: 'ValidationException',
    message,
    reason,
  });
  const destination = input['DestinationPhoneNumber'];
  if (destination === undefined) {
    return invalid('1 validation error detected: DestinationPhoneNumber must not be null', 'FIELD_VALIDATION_FAILED');
  }
  if (typeof destination !== 'string' || !E164.test(destination)) {
    return invalid('DestinationPhoneNumber must be in E.164 format');
  }
  const body = input['MessageBody'];
  if (body !== undefined && (typeof body !== 'string' || body.length > 1600)) {
    return invalid('MessageBody must be a string of at most 1600 characters');
  }
  const context = input['Context'];
  if (context !== undefined) {
    const entries = typeof context === 'object' && context !== null ? Object.entries(context) : null;
    if (entries === null || entries.length > 5 || entries.some(([, value]) => typeof value !== 'string')) {
      return invalid('Context must be a map of at most 5 string values');
    }
  }
  const ttl = input['TimeToLive'];
  if (ttl !== undefined && (!Number.isInteger(ttl) || (ttl as number) < 5 || (ttl as number) > 259_200)) {
    return invalid('TimeToLive must be between 5 and 259200');
  }
  const type = input['MessageType'];
  if (type !== undefined && type !== 'TRANSACTIONAL' && type !== 'PROMOTIONAL') {
    return invalid('MessageType must be TRANSACTIONAL or PROMOTIONAL');
  }

  return null;
}

export function validatePublish(params: URLSearchParams): AwsApiError | null {
  const phone = params.get('PhoneNumber');
  const message = params.get('Message');
  if (!message) {
    return { status: 400, type: 'ValidationError', message: 'Message must not be empty', fault: 'Sender' };
  }
  if (phone === null || !E164.test(phone)) {
    return {
      status: 400,
      type: 'InvalidParameter',
      message: 'Invalid parameter: PhoneNumber Reason: input incorrectly formatted',
      fault: 'Sender',
    };
  }

  return null;
}

/** One roll against the error knobs, answered with the types and reasons EUM really uses for each class. */
export function injectedEumError(rng: Rng, rates: ErrorRates): AwsApiError | null {
  const roll = rng();
  let threshold = rates.transient;
  if (roll < threshold) {
    return pickOne<AwsApiError>(rng, [
      EUM_THROTTLE,
      { status: 500, type: 'InternalServerException', message: 'Internal server error' },
    ]);
  }
  threshold += rates.permanent;
  if (roll < threshold) {
    return { status: 400, type: 'ValidationException', message: 'Invalid parameter', reason: 'INVALID_PARAMETER' };
  }
  threshold += rates.optedOut;
  if (roll < threshold) {
    return {
      status: 400,
      type: 'ConflictException',
      message: 'The destination phone number is opted out',
      reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
    };
  }
  threshold += rates.configuration;
  if (roll < threshold) {
    return pickOne<AwsApiError>(rng, [
      { status: 400, type: 'AccessDeniedException', message: 'Account is disabled', reason: 'ACCOUNT_DISABLED' },
      {
        status: 400,
        type: 'ServiceQuotaExceededException',
        message: 'Monthly spend limit reached',
        reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
      },
      {
        status: 400,
        type: 'ValidationException',
        message: 'Destination country is blocked',
        reason: 'DESTINATION_COUNTRY_BLOCKED',
      },
    ]);
  }

  return null;
}

/**
 * SNS Publish has no opted-out error (providers.md §4a): the opted-out share is accepted and never delivered,
 * so this returns null for it and the caller marks the message undelivered.
 */
export function injectedSnsError(rng: Rng, rates: ErrorRates): AwsApiError | 'opted-out' | null {
  const roll = rng();
  let threshold = rates.transient;
  if (roll < threshold) {
    return pickOne<AwsApiError>(rng, [
      { status: 429, type: 'Throttled', message: 'Rate exceeded', fault: 'Sender' },
      { status: 500, type: 'InternalError', message: 'Internal error', fault: 'Receiver' },
    ]);
  }
  threshold += rates.permanent;
  if (roll < threshold) {
    return { status: 400, type: 'InvalidParameter', message: 'Invalid parameter: PhoneNumber', fault: 'Sender' };
  }
  threshold += rates.optedOut;
  if (roll < threshold) {
    return 'opted-out';
  }
  threshold += rates.configuration;
  if (roll < threshold) {
    return { status: 403, type: 'AuthorizationError', message: 'Not authorized to publish', fault: 'Sender' };
  }

  return null;
}
