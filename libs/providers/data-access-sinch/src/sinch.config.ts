import { type RawSettings, SettingsReader } from '@sms/config-kit';

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

/** The variables {@link parseSinchConfig} reads. */
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

/** The Sinch slice of the configuration; throws one ConfigError naming every bad variable. */
export function parseSinchConfig(raw: RawSettings): SinchConfig {
  const K = SINCH_CONFIG_KEYS;
  const read = new SettingsReader(raw, 'Sinch');
  const servicePlanId = read.string(K.servicePlanId, {
    pattern: /^[0-9A-Za-z_-]{1,64}$/,
    problem: 'is required (letters, digits, "-" or "_")',
  });
  const apiToken = read.secret(K.apiToken);
  const callbackSecret = read.text(K.callbackSecret);

  return read.done({
    servicePlanId,
    apiToken,
    ...(callbackSecret !== undefined && { callbackSecret }),
    baseUrl: read.url(K.baseUrl, { default: SINCH_CONFIG_DEFAULTS.baseUrl }),
    requestTimeoutMs: read.int(K.requestTimeoutMs, {
      default: SINCH_CONFIG_DEFAULTS.requestTimeoutMs,
      min: 1,
      max: 120_000,
      unit: 'ms',
    }),
  });
}
