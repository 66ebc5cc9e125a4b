import { isDatabaseUnavailableError } from '@sms/persistence';
import { ApiError, ApiErrorFilter } from '@sms/platform';

/** Twilio's error body: `{code, message, more_info, status}`, plus our own code in `details` where one exists. */
export interface TwilioErrorBody {
  readonly code: number;
  readonly message: string;
  readonly more_info: string;
  readonly status: number;
  readonly details?: { readonly gateway_code: string; readonly field?: string };
}

/** An error the Twilio-compatible routes answer in Twilio's shape, with Twilio's numeric code. */
export class TwilioError extends Error {
  override readonly name = 'TwilioError';

  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly gatewayCode?: string,
    readonly field?: string,
  ) {
    super(message);
  }

  toBody(): TwilioErrorBody {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
      ...(this.gatewayCode && {
        details: { gateway_code: this.gatewayCode, ...(this.field && { field: this.field }) },
      }),
    };
  }
}

/** Twilio's codes used here (docs/twilio-compat.md lists each with the case that raises it). */
export const TWILIO_CODES = {
  /** An invalid or unsupported parameter (the gateway's choice of code; Twilio's own varies by case). */
  invalidParameter: 20001,
  authenticate: 20003,
  forbidden: 20403,
  notFound: 20404,
  tooManyRequests: 20429,
  internal: 20500,
  unavailable: 20503,
  invalidTo: 21211,
  invalidFrom: 21212,
  countryNotPermitted: 21408,
  bodyRequired: 21602,
  toRequired: 21604,
  invalidStatusCallback: 21609,
  unsubscribedRecipient: 21610,
  notReachable: 21612,
  bodyTooLong: 21617,
} as const;

export const authenticateError = (): TwilioError =>
  new TwilioError(401, TWILIO_CODES.authenticate, 'Authenticate', {
    'www-authenticate': 'Basic realm="Twilio API"',
  });

export const notFoundError = (path: string): TwilioError =>
  new TwilioError(404, TWILIO_CODES.notFound, `The requested resource ${path} was not found`);

export const invalidParameter = (message: string, field?: string): TwilioError =>
  new TwilioError(400, TWILIO_CODES.invalidParameter, message, {}, 'INVALID_PARAMETER', field);

/** Our stable codes (api.md) that have a Twilio equivalent, with the HTTP status Twilio answers them with. */
const FROM_GATEWAY: Readonly<Record<string, { readonly status: number; readonly code: number }>> = {
  INVALID_PHONE_NUMBER: { status: 400, code: TWILIO_CODES.invalidTo },
  BODY_EMPTY: { status: 400, code: TWILIO_CODES.bodyRequired },
  BODY_TOO_LONG: { status: 400, code: TWILIO_CODES.bodyTooLong },
  BODY_NOT_WELL_FORMED: { status: 400, code: TWILIO_CODES.invalidParameter },
  INVALID_SENDER: { status: 400, code: TWILIO_CODES.invalidFrom },
  INVALID_CALLBACK_URL: { status: 400, code: TWILIO_CODES.invalidStatusCallback },
  RECIPIENT_OPTED_OUT: { status: 400, code: TWILIO_CODES.unsubscribedRecipient },
  MASKED_DESTINATION_UNRESOLVED: { status: 400, code: TWILIO_CODES.invalidTo },
  COUNTRY_NOT_PERMITTED: { status: 400, code: TWILIO_CODES.countryNotPermitted },
  NUMBER_TYPE_NOT_PERMITTED: { status: 400, code: TWILIO_CODES.notReachable },
};

/** Our request field names as Twilio's parameters name them, for error messages. */
const PARAMETER_OF: Readonly<Record<string, string>> = {
  to: 'To',
  from: 'From',
  body: 'Body',
  callbackUrl: 'StatusCallback',
};

/** The house mapping of errors that are not ours (Fastify's, a database outage → 503, the rest a logged 500). */
const HOUSE = new ApiErrorFilter(isDatabaseUnavailableError);

/**
 * Any error as a TwilioError: ours keep their message (fields renamed to Twilio's parameters) and their
 * stable code in `details.gateway_code`; limits and outages keep their status and Retry-After; the rest
 * goes through the house mapping first (a dependency outage is 503, never 500; a 500 says nothing).
 */
export function toTwilioError(error: unknown): TwilioError {
  if (error instanceof TwilioError) {
    return error;
  }
  const api = error instanceof ApiError ? error : HOUSE.toApiError(error);
  const field = api.field ? (PARAMETER_OF[api.field] ?? api.field) : undefined;
  const message =
    api.code === 'UNSUPPORTED_CONTENT_TYPE'
      ? 'Content-Type must be application/x-www-form-urlencoded'
      : api.message.replace(/\bcallbackUrl\b/g, 'StatusCallback');
  const known = FROM_GATEWAY[api.code];
  if (known) {
    return new TwilioError(known.status, known.code, message, api.headers, api.code, field);
  }
  // Twilio answers a broken rule with 400 where api.md says 422.
  const status = api.status === 422 ? 400 : api.status;

  return new TwilioError(status, twilioCodeOfStatus(status), message, api.headers, api.code, field);
}

function twilioCodeOfStatus(status: number): number {
  switch (status) {
    case 401:
      return TWILIO_CODES.authenticate;
    case 403:
      return TWILIO_CODES.forbidden;
    case 404:
      return TWILIO_CODES.notFound;
    case 429:
      return TWILIO_CODES.tooManyRequests;
    case 500:
      return TWILIO_CODES.internal;
    default:
      return status >= 500 ? TWILIO_CODES.unavailable : TWILIO_CODES.invalidParameter;
  }
}
