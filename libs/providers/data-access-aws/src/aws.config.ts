/** Which AWS API sends: End User Messaging SMS v2 (`SendTextMessage`, with event webhooks) or SNS `Publish`. */
export type AwsSendMode = 'eum' | 'sns';

/** Typed, validated settings for one AWS account. Built once at boot (style rule 7). */
export interface AwsConfig {
  readonly region: string;
  /** Empty pair = the SDK's default credential chain (instance role, env, profile). */
  readonly accessKeyId: string;
  /** Secret: signs every API call. Never log it. */
  readonly secretAccessKey: string;
  /** Overrides the regional endpoint (the simulator in local runs and tests); undefined = real AWS. */
  readonly endpoint?: string;
  readonly mode: AwsSendMode;
  /** EUM configuration set whose event destination is the SNS topic subscribed to our status webhook. */
  readonly configurationSet?: string;
  /** Phone number / pool / sender id (or ARN); undefined lets AWS pick, and the routed sender is used when set. */
  readonly originationIdentity?: string;
  readonly messageType: 'TRANSACTIONAL' | 'PROMOTIONAL';
  /** `SigningCertURL` and `SubscribeURL` must match this; the simulator's own URL is allowed only by config. */
  readonly snsCertUrlAllow: RegExp;
  /** Topic ARNs we accept envelopes from; empty = any topic (signature still required). */
  readonly snsTopicArns: readonly string[];
  readonly requestTimeoutMs: number;
}

/** The raw keys {@link parseAwsConfig} reads (environment variable names). */
export const AWS_CONFIG_KEYS = {
  region: 'AWS_REGION',
  accessKeyId: 'AWS_ACCESS_KEY_ID',
  secretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  endpoint: 'AWS_SMS_ENDPOINT',
  mode: 'AWS_SMS_MODE',
  configurationSet: 'AWS_CONFIGURATION_SET',
  originationIdentity: 'AWS_ORIGINATION_IDENTITY',
  messageType: 'AWS_SMS_MESSAGE_TYPE',
  snsCertUrlAllow: 'AWS_SNS_CERT_URL_ALLOW',
  snsTopicArns: 'AWS_SNS_TOPIC_ARNS',
  requestTimeoutMs: 'AWS_REQUEST_TIMEOUT_MS',
} as const satisfies Record<keyof AwsConfig, string>;

/**
 * Real SNS signing certificates (and SubscribeURLs) live on `sns.<region>.amazonaws.com[.cn]` over https, as
 * aws-js-sns-message-validator checks; anchored on the whole origin so `sns.x.amazonaws.com.evil.example` fails.
 */
export const DEFAULT_SNS_CERT_URL_ALLOW = '^https://sns\\.[a-zA-Z0-9-]{3,}\\.amazonaws\\.com(\\.cn)?/';

export const AWS_CONFIG_DEFAULTS = {
  region: 'us-east-1',
  mode: 'eum',
  messageType: 'TRANSACTIONAL',
  snsCertUrlAllow: DEFAULT_SNS_CERT_URL_ALLOW,
  requestTimeoutMs: 10_000,
} as const;

/** Thrown at boot when the AWS settings are unusable; lists every bad key at once. */
export class AwsConfigException extends Error {
  override readonly name = 'AwsConfigException';
  constructor(
    readonly invalidKeys: readonly string[],
    problems: readonly string[],
  ) {
    super(`Invalid AWS configuration: ${problems.join('; ')}`);
  }
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const MAX_TIMEOUT_MS = 120_000;

export function parseAwsConfig(raw: Record<string, string | undefined>): AwsConfig {
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
  const K = AWS_CONFIG_KEYS;

  const region = read(K.region) ?? AWS_CONFIG_DEFAULTS.region;
  if (!REGION.test(region)) {
    fail(K.region, 'must be an AWS region such as us-east-1');
  }
  const accessKeyId = read(K.accessKeyId) ?? '';
  const secretAccessKey = read(K.secretAccessKey) ?? '';
  if ((accessKeyId === '') !== (secretAccessKey === '')) {
    fail(accessKeyId === '' ? K.accessKeyId : K.secretAccessKey, 'must be set together with its pair (or neither)');
  }
  const endpoint = read(K.endpoint)?.replace(/\/+$/, '');
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    fail(K.endpoint, 'must be an absolute http(s) URL');
  }
  const mode = read(K.mode) ?? AWS_CONFIG_DEFAULTS.mode;
  if (mode !== 'eum' && mode !== 'sns') {
    fail(K.mode, 'must be eum or sns');
  }
  const messageType = (read(K.messageType) ?? AWS_CONFIG_DEFAULTS.messageType).toUpperCase();
  if (messageType !== 'TRANSACTIONAL' && messageType !== 'PROMOTIONAL') {
    fail(K.messageType, 'must be TRANSACTIONAL or PROMOTIONAL');
  }
  let snsCertUrlAllow = new RegExp(DEFAULT_SNS_CERT_URL_ALLOW);
  try {
    snsCertUrlAllow = new RegExp(read(K.snsCertUrlAllow) ?? DEFAULT_SNS_CERT_URL_ALLOW);
  } catch {
    fail(K.snsCertUrlAllow, 'must be a valid regular expression');
  }
  const snsTopicArns = (read(K.snsTopicArns) ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter((arn) => arn !== '');
  if (snsTopicArns.some((arn) => !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(arn))) {
    fail(K.snsTopicArns, 'must be a comma-separated list of SNS topic ARNs');
  }
  const timeoutRaw = read(K.requestTimeoutMs);
  const requestTimeoutMs = timeoutRaw === undefined ? AWS_CONFIG_DEFAULTS.requestTimeoutMs : Number(timeoutRaw);
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 1 || requestTimeoutMs > MAX_TIMEOUT_MS) {
    fail(K.requestTimeoutMs, `must be an integer between 1 and ${MAX_TIMEOUT_MS} (ms)`);
  }

  if (invalidKeys.length > 0) {
    throw new AwsConfigException(invalidKeys, problems);
  }
  const configurationSet = read(K.configurationSet);
  const originationIdentity = read(K.originationIdentity);

  return {
    region,
    accessKeyId,
    secretAccessKey,
    ...(endpoint !== undefined && { endpoint }),
    mode: mode as AwsSendMode,
    ...(configurationSet !== undefined && { configurationSet }),
    ...(originationIdentity !== undefined && { originationIdentity }),
    messageType: messageType as AwsConfig['messageType'],
    snsCertUrlAllow,
    snsTopicArns,
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
