/** Typed, validated settings for one Sinch SMS service plan. Built once at boot (style rule 7). */
export interface SinchConfig {
  readonly servicePlanId: string;
  /** Secret: the plan's API token (Bearer). Never log it. */
  readonly apiToken: string;
  /** Secret: verifies HMAC-signed callbacks. Without it callbacks cannot be authenticated and are refused. */
  readonly callbackSecret?: string;
  /** Regional API host without a trailing slash, e.g. `https://eu.sms.api.sinch.com`; the simulator locally. */
  readonly baseUrl: string;
  readonly requestTimeoutMs: number;
}

/** The raw keys {@link parseSinchConfig} reads (environment variable names). */
export const SINCH_CONFIG_KEYS = {
  servicePlanId: 'SINCH_SERVICE_PLAN_ID',
  apiToken: 'SINCH_API_TOKEN',
  callbackSecret: 'SINCH_CALLBACK_SECRET',
  baseUrl: 'SINCH_BASE_URL',
  requestTimeoutMs: 'SINCH_REQUEST_TIMEOUT_MS',
} as const satisfies Record<keyof SinchConfig, string>;

export const SINCH_CONFIG_DEFAULTS = {
  baseUrl: 'https://us.sms.api.sinch.com',
  requestTimeoutMs: 10_000,
} as const satisfies Partial<SinchConfig>;

/** Thrown at boot when the Sinch settings are unusable; lists every bad key at once. */
export class SinchConfigException extends Error {
  override readonly name = 'SinchConfigException';
  constructor(
    readonly invalidKeys: readonly string[],
    problems: readonly string[],
  ) {
    super(`Invalid Sinch configuration: ${problems.join('; ')}`);
  }
}

const MAX_TIMEOUT_MS = 120_000;

export function parseSinchConfig(raw: Record<string, string | undefined>): SinchConfig {
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

  const servicePlanId = read(SINCH_CONFIG_KEYS.servicePlanId);
  // Real plan ids are 32 hex characters; any URL-safe id is accepted so local setups can use a readable fake.
  if (servicePlanId === undefined || !/^[0-9A-Za-z_-]{1,64}$/.test(servicePlanId)) {
    fail(SINCH_CONFIG_KEYS.servicePlanId, 'is required (letters, digits, "-" or "_")');
  }
  const apiToken = read(SINCH_CONFIG_KEYS.apiToken);
  if (apiToken === undefined) {
    fail(SINCH_CONFIG_KEYS.apiToken, 'is required');
  }
  const callbackSecret = read(SINCH_CONFIG_KEYS.callbackSecret);
  const baseUrl = (read(SINCH_CONFIG_KEYS.baseUrl) ?? SINCH_CONFIG_DEFAULTS.baseUrl).replace(/\/+$/, '');
  if (!isHttpUrl(baseUrl)) {
    fail(SINCH_CONFIG_KEYS.baseUrl, 'must be an absolute http(s) URL');
  }
  const timeoutRaw = read(SINCH_CONFIG_KEYS.requestTimeoutMs);
  const requestTimeoutMs = timeoutRaw === undefined ? SINCH_CONFIG_DEFAULTS.requestTimeoutMs : Number(timeoutRaw);
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 1 || requestTimeoutMs > MAX_TIMEOUT_MS) {
    fail(SINCH_CONFIG_KEYS.requestTimeoutMs, `must be an integer between 1 and ${MAX_TIMEOUT_MS} (ms)`);
  }

  if (invalidKeys.length > 0 || servicePlanId === undefined || apiToken === undefined) {
    throw new SinchConfigException(invalidKeys, problems);
  }

  return {
    servicePlanId,
    apiToken,
    ...(callbackSecret !== undefined && { callbackSecret }),
    baseUrl,
    requestTimeoutMs,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);

    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
