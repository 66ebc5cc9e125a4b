import path from 'node:path';
import type { SettingsReader } from '@sms/config-kit';
import type { DatabaseGroup } from './infrastructure.config';

/** `config.outbox`: the transactional outbox of intake and dlr-ingest. */
export interface OutboxGroup {
  /** Publishes outbox rows; off only to reproduce a crash between commit and publish. */
  readonly relayEnabled: boolean;
}

/** `config.callbacks`: the callers' status callbacks (dlr-processor sends them, intake signs Twilio-style ones). */
export interface CallbacksGroup {
  /** Key of the HMAC-SHA256 signature on caller callbacks; empty = one random key per process (embedded). */
  readonly secret: string;
  /** Callbacks are retried with backoff for this long before they are given up. */
  readonly retryHours: number;
  /** Tests only: allow http:// and private/loopback callback addresses (SSRF protection off). */
  readonly allowInsecure: boolean;
  /**
   * https ports a callback URL may name besides 443. Empty: 443 only, so a caller cannot aim callbacks at other
   * services on a public host (mail, databases, admin consoles).
   */
  readonly allowedPorts: readonly number[];
}

/** `config.dlrIngest`: the receipt webhooks' limits, retention and spool. */
export interface DlrIngestGroup {
  /** Raw webhooks are kept this long (the replay window), then purged. */
  readonly rawRetentionHours: number;
  /**
   * Webhook requests one source address may make a second (token bucket, per process; 0 = no limit); past it
   * 429 before the body is read. The address is the connection's peer (behind a proxy, the proxy's).
   */
  readonly webhookRatePerSecond: number;
  /** The bucket's size: the burst a source may send at once before the rate applies. */
  readonly webhookRateBurst: number;
  /** Refused (unsigned, forged, expired) webhooks stored a minute per process; the rest are counted. */
  readonly rejectedSamplePerMinute: number;
  /**
   * A webhook whose signed time is further than this from now is refused as a replay (403 WEBHOOK_EXPIRED).
   * Shorter than the retention: within it a replay is caught as a duplicate anyway.
   */
  readonly webhookMaxAgeSeconds: number;
  /** Where accepted receipts wait while the database cannot store them (default `<DATA_DIR>/dlr-spool`). */
  readonly spoolDir: string;
  /** Bytes the spool may hold; a receipt beyond that is answered 503 (the provider retries). 0 = no spool. */
  readonly spoolMaxBytes: number;
  readonly spoolDrainIntervalMs: number;
}

/** `config.dlrProcessor`: the receipt processing tier. */
export interface DlrProcessorGroup {
  /** Most receipts parsed per second per process (0 = unlimited); a storm drains at this rate. */
  readonly maxPerSecond: number;
}

const NO_MAX = Number.MAX_SAFE_INTEGER;

export function readOutboxGroup(read: SettingsReader): OutboxGroup {
  return { relayEnabled: read.bool('OUTBOX_RELAY_ENABLED', { default: true }) };
}

export function readCallbacksGroup(read: SettingsReader): CallbacksGroup {
  const ports = read.list('CALLBACK_ALLOWED_PORTS', {
    item: /^\d{1,5}$/,
    problem: 'must be a comma-separated list of ports from 1 to 65535',
  });
  if (ports.some((port) => Number(port) < 1 || Number(port) > 65_535)) {
    read.fail('CALLBACK_ALLOWED_PORTS', 'must be a comma-separated list of ports from 1 to 65535');
  }

  return {
    secret: read.secret('CALLBACK_SECRET', { default: '' }),
    retryHours: read.int('CALLBACK_RETRY_HOURS', { default: 25, min: 1, max: NO_MAX }),
    allowInsecure: read.bool('CALLBACK_ALLOW_INSECURE', { default: false }),
    allowedPorts: ports.map(Number),
  };
}

export function readDlrIngestGroup(read: SettingsReader, database: DatabaseGroup): DlrIngestGroup {
  const group = {
    rawRetentionHours: read.int('DLR_RAW_RETENTION_HOURS', { default: 168, min: 1, max: NO_MAX }),
    webhookRatePerSecond: read.int('DLR_WEBHOOK_RATE_PER_SECOND', { default: 1000, min: 0, max: NO_MAX }),
    webhookRateBurst: read.int('DLR_WEBHOOK_RATE_BURST', { default: 2000, min: 1, max: NO_MAX }),
    rejectedSamplePerMinute: read.int('DLR_REJECTED_SAMPLE_PER_MINUTE', { default: 60, min: 0, max: NO_MAX }),
    webhookMaxAgeSeconds: read.int('DLR_WEBHOOK_MAX_AGE_SECONDS', { default: 600, min: 30, max: 86_400 }),
    spoolDir: read.string('DLR_SPOOL_DIR', { default: '' }) || path.join(database.dataDir, 'dlr-spool'),
    spoolMaxBytes: read.int('DLR_SPOOL_MAX_BYTES', { default: 256 * 1024 * 1024, min: 0, max: NO_MAX }),
    spoolDrainIntervalMs: read.int('DLR_SPOOL_DRAIN_INTERVAL_MS', { default: 1_000, min: 50, max: NO_MAX }),
  };
  // A replay older than the raw-webhook retention is no longer caught as a duplicate.
  read.require(
    group.webhookMaxAgeSeconds < group.rawRetentionHours * 3600,
    ['DLR_WEBHOOK_MAX_AGE_SECONDS', 'DLR_RAW_RETENTION_HOURS'],
    'contradict: the webhook age limit must be shorter than the retention',
  );
  // A bucket smaller than one second's rate could never let that rate through.
  read.require(
    group.webhookRatePerSecond <= group.webhookRateBurst,
    ['DLR_WEBHOOK_RATE_PER_SECOND', 'DLR_WEBHOOK_RATE_BURST'],
    'contradict: the burst must be at least the rate per second',
  );

  return group;
}

export function readDlrProcessorGroup(read: SettingsReader): DlrProcessorGroup {
  return { maxPerSecond: read.int('DLR_PROCESS_MAX_PER_SECOND', { default: 0, min: 0, max: NO_MAX }) };
}
