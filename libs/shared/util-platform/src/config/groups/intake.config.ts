import type { SettingsReader } from '@sms/config-kit';
import type { RunMode } from '../run-mode';

/** Defaults of an account without its own limits (docs/limits.md); 0 = no limit. */
export interface LimitsSettings {
  /** Admission limits on; off only for benchmarks of the bare intake path. */
  readonly enabled: boolean;
  readonly messagesPerSecond: number;
  /** Per UTC day. */
  readonly messagesPerDay: number;
  /** Per UTC day. */
  readonly segmentsPerDay: number;
  /** Spend per UTC day in `currency`, a decimal such as `250.00` (kept as text: money is never a float). */
  readonly spendPerDay: string;
  /** Spend per UTC calendar month in `currency`. */
  readonly spendPerMonth: string;
  /** ISO 4217 currency of spend caps; the router's rates in other currencies do not price messages. */
  readonly currency: string;
  /** Price per segment of a country the price book has no rate for (decimal text). */
  readonly defaultPricePerSegment: string;
  /** How long a replica uses an account's limits read from the database before reading them again. */
  readonly cacheMs: number;
}

/** The pumping guard (docs/limits.md): blocks an account from a range or country its traffic looks pumped to. */
export interface PumpingSettings {
  /** The window over which distinct recipients are counted. */
  readonly windowSeconds: number;
  /** Distinct recipients sharing all but the last `prefixDigits` digits that trip it. */
  readonly sequentialRecipients: number;
  /** How many trailing digits may differ between "sequential" numbers (2 or 3). */
  readonly prefixDigits: number;
  /** A country whose highest price per segment is at least this (decimal text) is high-cost. */
  readonly highCostPrice: string;
  /** Distinct recipients in one high-cost country within the window that trip it. */
  readonly highCostRecipients: number;
  /** How long an account stays blocked from a flagged prefix or country. */
  readonly blockSeconds: number;
}

/** Sending, retries and receipt deadlines of intake's ledger (docs/reconciliation.md). */
export interface DeliverySettings {
  /** Provider calls per message before it ends `failed`. */
  readonly maxSendAttempts: number;
  /** Base of the exponential retry backoff. */
  readonly retryBaseDelayMs: number;
  /** A `queued` message with no progress for this long is re-published (lost dispatch, crash). */
  readonly staleMessageAfterMs: number;
  /** A `sent` message with no final receipt this long after it was sent is looked up at its provider. */
  readonly reconcileAfterSeconds: number;
  /** Per-provider overrides of `reconcileAfterSeconds`: `smpp=7200,aws=86400` (validated at boot). */
  readonly reconcileAfterSecondsByProvider: string;
  /** Message classes whose overdue receipt earns one re-send through another provider; empty = never. */
  readonly resendOnReceiptTimeout: readonly string[];
}

/** Account webhooks (docs/webhooks.md). */
export interface WebhookSettings {
  /**
   * Key that seals account webhook secrets at rest (AES-256-GCM), at least 32 characters. Embedded: generated
   * into DATA_DIR when unset. Distributed: unset means the webhook routes answer 503.
   */
  readonly secretsKey: string;
  /** Deliveries are retried with backoff for this long after the event (or a replay). */
  readonly retryHours: number;
}

/** `config.intake`: the intake service's admission limits, pumping guard, delivery and account webhooks. */
export interface IntakeGroup {
  /**
   * Distributed mode: false makes this intake serve the REST API only and leave `sms.send.v1` and `sms.status.v1`
   * to an intake deployed with it on (ADR 0014). The embedded gateway always consumes.
   */
  readonly consumersEnabled: boolean;
  readonly limits: LimitsSettings;
  readonly pumping: PumpingSettings;
  readonly delivery: DeliverySettings;
  readonly webhooks: WebhookSettings;
}

const NO_MAX = Number.MAX_SAFE_INTEGER;
const MONEY = /^\d{1,9}(\.\d{1,6})?$/;
const PRICE = /^\d{1,6}(\.\d{1,6})?$/;
/** The shortest webhook secrets key: the key is its SHA-256, so it needs the entropy itself. */
const MIN_SECRETS_KEY_LENGTH = 32;

function readLimits(read: SettingsReader): LimitsSettings {
  return Object.freeze({
    enabled: read.bool('LIMITS_ENABLED', { default: true }),
    messagesPerSecond: read.int('LIMITS_MESSAGES_PER_SECOND', { default: 200, min: 0, max: NO_MAX }),
    messagesPerDay: read.int('LIMITS_MESSAGES_PER_DAY', { default: 100_000, min: 0, max: NO_MAX }),
    segmentsPerDay: read.int('LIMITS_SEGMENTS_PER_DAY', { default: 200_000, min: 0, max: NO_MAX }),
    spendPerDay: read.string('LIMITS_SPEND_PER_DAY', {
      default: '250',
      pattern: MONEY,
      problem: 'must be a decimal such as 250.00',
    }),
    spendPerMonth: read.string('LIMITS_SPEND_PER_MONTH', {
      default: '5000',
      pattern: MONEY,
      problem: 'must be a decimal such as 5000.00',
    }),
    currency: read.string('LIMITS_CURRENCY', {
      default: 'USD',
      pattern: /^[A-Z]{3}$/,
      problem: 'must be an ISO 4217 code such as USD',
    }),
    defaultPricePerSegment: read.string('LIMITS_DEFAULT_PRICE_PER_SEGMENT', {
      default: '0.10',
      pattern: PRICE,
      problem: 'must be a decimal such as 0.10',
    }),
    cacheMs: read.int('LIMITS_CACHE_MS', { default: 5_000, min: 0, max: 300_000, unit: 'ms' }),
  });
}

function readPumping(read: SettingsReader): PumpingSettings {
  return Object.freeze({
    windowSeconds: read.int('PUMPING_WINDOW_SECONDS', { default: 600, min: 1, max: 86_400 }),
    sequentialRecipients: read.int('PUMPING_SEQUENTIAL_RECIPIENTS', { default: 50, min: 2, max: NO_MAX }),
    prefixDigits: read.int('PUMPING_PREFIX_DIGITS', { default: 3, min: 2, max: 3 }),
    highCostPrice: read.string('PUMPING_HIGH_COST_PRICE', {
      default: '0.10',
      pattern: PRICE,
      problem: 'must be a decimal such as 0.10',
    }),
    highCostRecipients: read.int('PUMPING_HIGH_COST_RECIPIENTS', { default: 10, min: 2, max: NO_MAX }),
    blockSeconds: read.int('PUMPING_BLOCK_SECONDS', { default: 3_600, min: 1, max: NO_MAX }),
  });
}

function readDelivery(read: SettingsReader): DeliverySettings {
  return Object.freeze({
    maxSendAttempts: read.int('MAX_SEND_ATTEMPTS', { default: 4, min: 1, max: 20 }),
    retryBaseDelayMs: read.int('RETRY_BASE_DELAY_MS', { default: 2_000, min: 10, max: NO_MAX, unit: 'ms' }),
    staleMessageAfterMs: read.int('STALE_MESSAGE_AFTER_MS', { default: 60_000, min: 1_000, max: NO_MAX, unit: 'ms' }),
    reconcileAfterSeconds: read.int('RECONCILE_AFTER_SECONDS', { default: 3_600, min: 1, max: NO_MAX }),
    reconcileAfterSecondsByProvider: read.string('RECONCILE_AFTER_SECONDS_BY_PROVIDER', {
      default: '',
      pattern: /^([a-z0-9_-]{1,64}=\d{1,9})?(,[a-z0-9_-]{1,64}=\d{1,9})*$/,
      problem: 'must be provider=seconds pairs separated by commas',
    }),
    resendOnReceiptTimeout: Object.freeze(
      read.list('RESEND_ON_RECEIPT_TIMEOUT', {
        item: /^(transactional|marketing)$/,
        problem: 'must be empty or message classes (transactional, marketing) separated by commas',
      }),
    ),
  });
}

function readWebhooks(read: SettingsReader): WebhookSettings {
  const secretsKey = read.secret('WEBHOOK_SECRETS_KEY', { default: '' });
  read.require(
    secretsKey === '' || secretsKey.length >= MIN_SECRETS_KEY_LENGTH,
    'WEBHOOK_SECRETS_KEY',
    `must be at least ${MIN_SECRETS_KEY_LENGTH} characters`,
  );

  return Object.freeze({
    secretsKey,
    retryHours: read.int('WEBHOOK_RETRY_HOURS', { default: 24, min: 1, max: 72 }),
  });
}

export function readIntakeGroup(read: SettingsReader, mode: RunMode): IntakeGroup {
  const consumersEnabled = read.bool('INTAKE_CONSUMERS_ENABLED', { default: true });
  // In the embedded gateway no other intake would apply statuses: every message would stay `queued`.
  if (!consumersEnabled && mode !== 'distributed') {
    read.report(
      'INTAKE_CONSUMERS_ENABLED',
      'INTAKE_CONSUMERS_ENABLED=false needs MODE=distributed: nothing else would apply statuses',
    );
  }

  return {
    consumersEnabled,
    limits: readLimits(read),
    pumping: readPumping(read),
    delivery: readDelivery(read),
    webhooks: readWebhooks(read),
  };
}
