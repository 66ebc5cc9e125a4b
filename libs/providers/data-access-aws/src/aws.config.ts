import { type RawSettings, SettingsReader } from '@sms/config-kit';

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

/** The variables {@link parseAwsConfig} reads. */
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
  configurationSet: 'gw-events',
  snsCertUrlAllow: DEFAULT_SNS_CERT_URL_ALLOW,
  requestTimeoutMs: 10_000,
} as const;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/;

/** The AWS slice of the configuration; throws one ConfigError naming every bad variable. */
export function parseAwsConfig(raw: RawSettings): AwsConfig {
  const K = AWS_CONFIG_KEYS;
  const read = new SettingsReader(raw, 'AWS');
  const region = read.string(K.region, {
    default: AWS_CONFIG_DEFAULTS.region,
    pattern: REGION,
    problem: 'must be an AWS region such as us-east-1',
  });
  const accessKeyId = read.text(K.accessKeyId) ?? '';
  const secretAccessKey = read.secret(K.secretAccessKey, { default: '' });
  read.require(
    (accessKeyId === '') === (secretAccessKey === ''),
    accessKeyId === '' ? K.accessKeyId : K.secretAccessKey,
    'must be set together with its pair (or neither)',
  );
  const endpoint = read.text(K.endpoint) === undefined ? undefined : read.url(K.endpoint);
  const mode = read.oneOf(K.mode, ['eum', 'sns'] as const, { default: AWS_CONFIG_DEFAULTS.mode });
  const messageType = read.oneOf(K.messageType, ['TRANSACTIONAL', 'PROMOTIONAL'] as const, {
    default: AWS_CONFIG_DEFAULTS.messageType,
  });
  const snsCertUrlAllow = read.regex(K.snsCertUrlAllow, { default: DEFAULT_SNS_CERT_URL_ALLOW });
  const snsTopicArns = read.list(K.snsTopicArns, {
    item: TOPIC_ARN,
    problem: 'must be a comma-separated list of SNS topic ARNs',
  });
  const requestTimeoutMs = read.int(K.requestTimeoutMs, {
    default: AWS_CONFIG_DEFAULTS.requestTimeoutMs,
    min: 1,
    max: 120_000,
    unit: 'ms',
  });
  const configurationSet = read.text(K.configurationSet) ?? AWS_CONFIG_DEFAULTS.configurationSet;
  const originationIdentity = read.text(K.originationIdentity);

  return read.done({
    region,
    accessKeyId,
    secretAccessKey,
    ...(endpoint !== undefined && { endpoint }),
    mode,
    ...(configurationSet !== undefined && { configurationSet }),
    ...(originationIdentity !== undefined && { originationIdentity }),
    messageType,
    snsCertUrlAllow,
    snsTopicArns,
    requestTimeoutMs,
  });
}
