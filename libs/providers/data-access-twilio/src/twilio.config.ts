import { type RawSettings, SettingsReader } from '@sms/config-kit';

/** Typed, validated settings for one Twilio account. Built once at boot (style rule 7). */
export interface TwilioConfig {
  readonly accountSid: string;
  /** Secret: signs webhooks and authenticates API calls. Never log it. */
  readonly authToken: string;
  /** Without a trailing slash. Points at the simulator in local runs and tests. */
  readonly baseUrl: string;
  readonly requestTimeoutMs: number;
}

/** The variables {@link parseTwilioConfig} reads. */
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

// Real SIDs are `AC` + 32 lowercase hex; letters are accepted too so local setups can use a readable fake
// SID such as `ACsimulator…` that can never be mistaken for a real account.
const ACCOUNT_SID = /^AC[0-9A-Za-z]{32}$/;

/** The Twilio slice of the configuration; throws one ConfigError naming every bad variable. */
export function parseTwilioConfig(raw: RawSettings): TwilioConfig {
  const K = TWILIO_CONFIG_KEYS;
  const read = new SettingsReader(raw, 'Twilio');

  return read.done({
    accountSid: read.string(K.accountSid, {
      pattern: ACCOUNT_SID,
      problem: 'must be "AC" followed by 32 letters or digits',
    }),
    authToken: read.secret(K.authToken),
    baseUrl: read.url(K.baseUrl, { default: TWILIO_CONFIG_DEFAULTS.baseUrl }),
    requestTimeoutMs: read.int(K.requestTimeoutMs, {
      default: TWILIO_CONFIG_DEFAULTS.requestTimeoutMs,
      min: 1,
      max: 120_000,
      unit: 'ms',
    }),
  });
}
