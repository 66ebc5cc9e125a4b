import { isVonageSignatureMethod, type VonageSignatureMethod, VONAGE_SIGNATURE_METHODS } from './vonage.signature';

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

/** The raw keys {@link parseVonageConfig} reads (environment variable names). */
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
  // The dashboard's default signing method.
  signatureMethod: 'md5hash',
  requestTimeoutMs: 10_000,
} as const satisfies Partial<VonageConfig>;

/** Thrown at boot when the Vonage settings are unusable; lists every bad key at once. */
export class VonageConfigException extends Error {
  override readonly name = 'VonageConfigException';
  constructor(
    readonly invalidKeys: readonly string[],
    problems: readonly string[],
  ) {
    super(`Invalid Vonage configuration: ${problems.join('; ')}`);
  }
}

const MAX_TIMEOUT_MS = 120_000;

export function parseVonageConfig(raw: Record<string, string | undefined>): VonageConfig {
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

  const apiKey = read(VONAGE_CONFIG_KEYS.apiKey);
  if (apiKey === undefined || !/^[0-9A-Za-z_-]{1,64}$/.test(apiKey)) {
    fail(VONAGE_CONFIG_KEYS.apiKey, 'is required (letters, digits, "-" or "_")');
  }
  const apiSecret = read(VONAGE_CONFIG_KEYS.apiSecret);
  const signatureSecret = read(VONAGE_CONFIG_KEYS.signatureSecret);
  if (apiSecret === undefined && signatureSecret === undefined) {
    fail(VONAGE_CONFIG_KEYS.apiSecret, `or ${VONAGE_CONFIG_KEYS.signatureSecret} is required`);
  }
  const method = read(VONAGE_CONFIG_KEYS.signatureMethod) ?? VONAGE_CONFIG_DEFAULTS.signatureMethod;
  if (!isVonageSignatureMethod(method)) {
    fail(VONAGE_CONFIG_KEYS.signatureMethod, `must be one of ${VONAGE_SIGNATURE_METHODS.join(', ')}`);
  }
  const baseUrl = (read(VONAGE_CONFIG_KEYS.baseUrl) ?? VONAGE_CONFIG_DEFAULTS.baseUrl).replace(/\/+$/, '');
  if (!isHttpUrl(baseUrl)) {
    fail(VONAGE_CONFIG_KEYS.baseUrl, 'must be an absolute http(s) URL');
  }
  const timeoutRaw = read(VONAGE_CONFIG_KEYS.requestTimeoutMs);
  const requestTimeoutMs = timeoutRaw === undefined ? VONAGE_CONFIG_DEFAULTS.requestTimeoutMs : Number(timeoutRaw);
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 1 || requestTimeoutMs > MAX_TIMEOUT_MS) {
    fail(VONAGE_CONFIG_KEYS.requestTimeoutMs, `must be an integer between 1 and ${MAX_TIMEOUT_MS} (ms)`);
  }

  if (invalidKeys.length > 0 || apiKey === undefined || !isVonageSignatureMethod(method)) {
    throw new VonageConfigException(invalidKeys, problems);
  }

  return {
    apiKey,
    ...(apiSecret !== undefined && { apiSecret }),
    ...(signatureSecret !== undefined && { signatureSecret }),
    signatureMethod: method,
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
