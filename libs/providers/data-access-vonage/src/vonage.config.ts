import { type RawSettings, SettingsReader } from '@sms/config-kit';
import { type VonageSignatureMethod, VONAGE_SIGNATURE_METHODS } from './vonage.signature';

/** Typed, validated settings for one Vonage account. Built once at boot (style rule 7). */
export interface VonageConfig {
  readonly apiKey: string;
  /** Secret: authenticates API calls in the body. Never log it. Absent when requests are signed instead. */
  readonly apiSecret?: string;
  /**
   * Secret: signs requests (when there is no api secret) and verifies signed webhooks. Without it webhooks
   * cannot be authenticated and are refused. Never log it.
   */
  readonly signatureSecret?: string;
  readonly signatureMethod: VonageSignatureMethod;
  /** Without a trailing slash. Points at the simulator in local runs and tests. */
  readonly baseUrl: string;
  readonly requestTimeoutMs: number;
}

/** The variables {@link parseVonageConfig} reads. */
export const VONAGE_CONFIG_KEYS = {
  apiKey: 'VONAGE_API_KEY',
  apiSecret: 'VONAGE_API_SECRET',
  signatureSecret: 'VONAGE_SIGNATURE_SECRET',
  signatureMethod: 'VONAGE_SIGNATURE_METHOD',
  baseUrl: 'VONAGE_BASE_URL',
  requestTimeoutMs: 'VONAGE_REQUEST_TIMEOUT_MS',
} as const satisfies Record<keyof VonageConfig, string>;

export const VONAGE_CONFIG_DEFAULTS = {
  baseUrl: 'https://rest.nexmo.com',
  signatureMethod: 'md5hash',
  requestTimeoutMs: 10_000,
} as const satisfies Partial<VonageConfig>;

/** The Vonage slice of the configuration; throws one ConfigError naming every bad variable. */
export function parseVonageConfig(raw: RawSettings): VonageConfig {
  const K = VONAGE_CONFIG_KEYS;
  const read = new SettingsReader(raw, 'Vonage');
  const apiKey = read.string(K.apiKey, {
    pattern: /^[0-9A-Za-z_-]{1,64}$/,
    problem: 'is required (letters, digits, "-" or "_")',
  });
  const apiSecret = read.text(K.apiSecret);
  const signatureSecret = read.text(K.signatureSecret);
  // One of the two authenticates the API calls (the api secret in the body, or a signature with the other).
  read.require(
    apiSecret !== undefined || signatureSecret !== undefined,
    K.apiSecret,
    `or ${K.signatureSecret} is required`,
  );

  return read.done({
    apiKey,
    ...(apiSecret !== undefined && { apiSecret }),
    ...(signatureSecret !== undefined && { signatureSecret }),
    signatureMethod: read.oneOf(K.signatureMethod, VONAGE_SIGNATURE_METHODS, {
      default: VONAGE_CONFIG_DEFAULTS.signatureMethod,
    }),
    baseUrl: read.url(K.baseUrl, { default: VONAGE_CONFIG_DEFAULTS.baseUrl }),
    requestTimeoutMs: read.int(K.requestTimeoutMs, {
      default: VONAGE_CONFIG_DEFAULTS.requestTimeoutMs,
      min: 1,
      max: 120_000,
      unit: 'ms',
    }),
  });
}
