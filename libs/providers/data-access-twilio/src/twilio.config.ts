/** Typed, validated settings for one Twilio account. Built once at boot (style rule 7). */
export interface TwilioConfig {
  readonly accountSid: string;
  /** Secret: signs webhooks and authenticates API calls. Never log it. */
  readonly authToken: string;
  /** Without a trailing slash. Points at the simulator in local runs and tests. */
  readonly baseUrl: string;
  readonly requestTimeoutMs: number;
}

/** The raw keys {@link parseTwilioConfig} reads (environment variable names). */
export const TWILIO_CONFIG_KEYS = {
  accountSid: 'TWILIO_ACCOUNT_SID',
  authToken: 'TWILIO_AUTH_TOKEN',
  baseUrl: 'TWILIO_BASE_URL',
  requestTimeoutMs: 'TWILIO_REQUEST_TIMEOUT_MS',
} as const satisfies Record<keyof TwilioConfig, string>;

export const TWILIO_CONFIG_DEFAULTS = {
  baseUrl: 'https://api.twilio.com',
  requestTimeoutMs: 10_000,
} as const satisfies Partial<TwilioConfig>;

/** Thrown at boot when the Twilio settings are unusable; lists every bad key at once. */
export class TwilioConfigException extends Error {
  override readonly name = 'TwilioConfigException';
  constructor(
    readonly invalidKeys: readonly string[],
    problems: readonly string[],
  ) {
    super(`Invalid Twilio configuration: ${problems.join('; ')}`);
  }
}

// Real SIDs are `AC` + 32 lowercase hex; letters are accepted too so local setups can use a readable fake
// SID such as `ACsimulator…` that can never be mistaken for a real account.
const ACCOUNT_SID = /^AC[0-9A-Za-z]{32}$/;
const MAX_TIMEOUT_MS = 120_000;

export function parseTwilioConfig(raw: Record<string, string | undefined>): TwilioConfig {
  const problems: string[] = [];
  const invalidKeys: string[] = [];
  const fail = (key: string, problem: string): void => {
    invalidKeys.push(key);
    problems.push(`${key} ${problem}`);
  };
  const read = (key: string): string | undefined => {
    const value = raw[key]?.trim();

    return value === '' ? undefined : value;
  };

  const accountSid = read(TWILIO_CONFIG_KEYS.accountSid);
  if (accountSid === undefined || !ACCOUNT_SID.test(accountSid)) {
    fail(TWILIO_CONFIG_KEYS.accountSid, 'must be "AC" followed by 32 letters or digits');
  }
  const authToken = read(TWILIO_CONFIG_KEYS.authToken);
  if (authToken === undefined) {
    fail(TWILIO_CONFIG_KEYS.authToken, 'is required');
  }
  const baseUrl = (read(TWILIO_CONFIG_KEYS.baseUrl) ?? TWILIO_CONFIG_DEFAULTS.baseUrl).replace(/\/+$/, '');
  if (!isHttpUrl(baseUrl)) {
    fail(TWILIO_CONFIG_KEYS.baseUrl, 'must be an absolute http(s) URL');
  }
  const timeoutRaw = read(TWILIO_CONFIG_KEYS.requestTimeoutMs);
  const requestTimeoutMs = timeoutRaw === undefined ? TWILIO_CONFIG_DEFAULTS.requestTimeoutMs : Number(timeoutRaw);
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 1 || requestTimeoutMs > MAX_TIMEOUT_MS) {
    fail(TWILIO_CONFIG_KEYS.requestTimeoutMs, `must be an integer between 1 and ${MAX_TIMEOUT_MS} (ms)`);
  }

  if (invalidKeys.length > 0 || accountSid === undefined || authToken === undefined) {
    throw new TwilioConfigException(invalidKeys, problems);
  }

  return { accountSid, authToken, baseUrl, requestTimeoutMs };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);

    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
