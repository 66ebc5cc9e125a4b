import { invalidParameter, TWILIO_CODES, TwilioError } from './twilio-error';

/** Parameters of Twilio's Messages create that the gateway carries out (docs/twilio-compat.md). */
const SUPPORTED = new Set(['To', 'From', 'Body', 'StatusCallback', 'ValidityPeriod']);

/**
 * Twilio's parameters the gateway does not carry out. Refused rather than ignored: an application that
 * sets one (MMS media, a Messaging Service's sender pool, a scheduled send) relies on it, and a message
 * sent without it would do something else than asked.
 */
const UNSUPPORTED = new Set([
  'MediaUrl',
  'MessagingServiceSid',
  'ContentSid',
  'ContentVariables',
  'SendAt',
  'ScheduleType',
  'SendAsMms',
  'ApplicationSid',
  'MaxPrice',
  'ProvideFeedback',
  'Attempt',
  'ForceDelivery',
  'ContentRetention',
  'AddressRetention',
  'SmartEncoded',
  'PersistentAction',
  'ShortenUrls',
  'RiskCheck',
  'TrafficType',
]);

/** The range of ValidityPeriod Twilio accepts (seconds) intersected with ours (validitySeconds ≥ 60). */
const MIN_VALIDITY = 60;
const MAX_VALIDITY = 36_000;

/** Parsed form or query parameters: every value of each name, in order. */
export type Params = ReadonlyMap<string, readonly string[]>;

export const paramsOfForm = (body: string): Params => paramsOf(new URLSearchParams(body));

export function paramsOfQuery(query: unknown): Params {
  const params = new Map<string, string[]>();
  if (typeof query === 'object' && query !== null) {
    for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
      params.set(name, (Array.isArray(value) ? value : [value]).map(String));
    }
  }

  return params;
}

function paramsOf(search: URLSearchParams): Params {
  const params = new Map<string, string[]>();
  for (const [name, value] of search) {
    params.set(name, [...(params.get(name) ?? []), value]);
  }

  return params;
}

/** The one value of `name`, null when absent; a repeated parameter is refused (one message, one value). */
export function single(params: Params, name: string): string | null {
  const values = params.get(name);
  if (!values || values.length === 0) {
    return null;
  }
  if (values.length > 1) {
    throw invalidParameter(`${name} may be given once`, name);
  }

  return values[0] ?? null;
}

/** Refuses parameters outside `allowed`, naming the unsupported ones as such. */
export function refuseOthers(params: Params, allowed: ReadonlySet<string>): void {
  for (const name of params.keys()) {
    if (allowed.has(name)) {
      continue;
    }
    const shown = name.slice(0, 64);
    throw UNSUPPORTED.has(name)
      ? invalidParameter(`${shown} is not supported by this gateway (docs/twilio-compat.md)`, shown)
      : invalidParameter(`Unknown parameter ${shown}`, shown);
  }
}

/**
 * Twilio's Messages create parameters as our send request (api.md): To → to, From → from, Body → body,
 * StatusCallback → callbackUrl, ValidityPeriod → validitySeconds. The request then passes api.md's rules
 * like any other; only what has no counterpart there is checked here.
 */
export function sendRequestOf(params: Params): Record<string, unknown> {
  refuseOthers(params, SUPPORTED);
  const to = single(params, 'To');
  if (to === null || to.trim() === '') {
    throw new TwilioError(400, TWILIO_CODES.toRequired, "A 'To' phone number is required.", {}, undefined, 'To');
  }
  const body = single(params, 'Body');
  if (body === null || body === '') {
    throw new TwilioError(400, TWILIO_CODES.bodyRequired, 'Message body is required.', {}, undefined, 'Body');
  }
  const from = single(params, 'From');
  const callback = single(params, 'StatusCallback');
  const validity = single(params, 'ValidityPeriod');
  let validitySeconds: number | null = null;
  if (validity !== null) {
    validitySeconds = /^\d{1,6}$/.test(validity) ? Number(validity) : Number.NaN;
    if (!(validitySeconds >= MIN_VALIDITY && validitySeconds <= MAX_VALIDITY)) {
      throw invalidParameter(
        `ValidityPeriod must be a whole number of seconds from ${MIN_VALIDITY} to ${MAX_VALIDITY}`,
        'ValidityPeriod',
      );
    }
  }

  return {
    to,
    body,
    ...(from !== null && from !== '' && { from }),
    ...(callback !== null && callback !== '' && { callbackUrl: callback }),
    ...(validitySeconds !== null && { validitySeconds }),
  };
}
