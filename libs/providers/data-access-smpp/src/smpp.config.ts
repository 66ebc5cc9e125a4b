import { type RawSettings, SettingsReader } from '@sms/config-kit';
import type { Gsm7Packing } from './smpp.encoding';
import type { ErrorClass } from '@sms/provider-port';
import type { SmppIdBase } from './smpp.receipt';
import { parseReceiptErrorOverrides, SMPP_SMSC_FAMILIES, type SmppSmscFamily } from './smpp.receipt-errors';

const SMPP_ID_BASES: readonly SmppIdBase[] = ['hex', 'decimal', 'text'];
const GSM7_PACKINGS: readonly Gsm7Packing[] = ['unpacked', 'packed'];

/** Typed, validated settings for one SMPP account (one SMSC, one system_id). Built once at boot. */
export interface SmppConfig {
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  /** Secret. Never log it. */
  readonly password: string;
  readonly systemType: string;
  /** Parallel binds (TCP connections) in the pool. */
  readonly binds: number;
  /** Outstanding submit_sm per bind. Throughput ≈ binds × window / SMSC latency (docs/performance.md, "Reference figures"). */
  readonly window: number;
  readonly enquireLinkMs: number;
  readonly enquireLinkTimeoutMs: number;
  readonly responseTimeoutMs: number;
  /** How long a send may wait for a bound bind with a free window slot before failing transient. */
  readonly acquireTimeoutMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  readonly throttleBackoffMs: number;
  /** How this SMSC prints the `id:` of receipt text (submit_sm_resp and the TLV are read as hex). */
  readonly dlrIdBase: SmppIdBase;
  readonly gsm7Packing: Gsm7Packing;
  /** Whose convention the receipts' `err:` follows: picks the table of transient and permanent codes. */
  readonly smscFamily: SmppSmscFamily;
  /** Operator overrides of single receipt error codes (`err` key → class), applied before the family's table. */
  readonly receiptErrorClasses: Readonly<Record<string, ErrorClass>>;
}

/** The variables {@link parseSmppConfig} reads. */
export const SMPP_CONFIG_KEYS = {
  host: 'SMPP_HOST',
  port: 'SMPP_PORT',
  systemId: 'SMPP_SYSTEM_ID',
  password: 'SMPP_PASSWORD',
  systemType: 'SMPP_SYSTEM_TYPE',
  binds: 'SMPP_BINDS',
  window: 'SMPP_WINDOW',
  enquireLinkMs: 'SMPP_ENQUIRE_LINK_MS',
  enquireLinkTimeoutMs: 'SMPP_ENQUIRE_LINK_TIMEOUT_MS',
  responseTimeoutMs: 'SMPP_RESPONSE_TIMEOUT_MS',
  acquireTimeoutMs: 'SMPP_ACQUIRE_TIMEOUT_MS',
  reconnectBaseMs: 'SMPP_RECONNECT_BASE_MS',
  reconnectMaxMs: 'SMPP_RECONNECT_MAX_MS',
  throttleBackoffMs: 'SMPP_THROTTLE_BACKOFF_MS',
  dlrIdBase: 'SMPP_DLR_ID_BASE',
  gsm7Packing: 'SMPP_GSM7_PACKING',
  smscFamily: 'SMPP_SMSC_FAMILY',
  receiptErrorClasses: 'SMPP_RECEIPT_ERROR_CLASSES',
} as const satisfies Record<keyof SmppConfig, string>;

export const SMPP_CONFIG_DEFAULTS = {
  port: 2775,
  systemType: '',
  binds: 2,
  window: 20,
  enquireLinkMs: 30_000,
  enquireLinkTimeoutMs: 10_000,
  responseTimeoutMs: 10_000,
  acquireTimeoutMs: 5_000,
  reconnectBaseMs: 500,
  reconnectMaxMs: 30_000,
  throttleBackoffMs: 1_000,
  dlrIdBase: 'hex',
  gsm7Packing: 'unpacked',
  smscFamily: 'gsm-map',
} as const satisfies Partial<SmppConfig>;

type IntField = Exclude<keyof typeof SMPP_CONFIG_DEFAULTS, 'systemType' | 'dlrIdBase' | 'gsm7Packing' | 'smscFamily'>;

const INT_RANGES: Record<IntField, readonly [number, number]> = {
  port: [1, 65_535],
  binds: [1, 32],
  window: [1, 1_000],
  enquireLinkMs: [100, 600_000],
  enquireLinkTimeoutMs: [50, 120_000],
  responseTimeoutMs: [50, 120_000],
  acquireTimeoutMs: [0, 120_000],
  reconnectBaseMs: [10, 600_000],
  reconnectMaxMs: [10, 3_600_000],
  throttleBackoffMs: [1, 600_000],
};

/** The SMPP slice of the configuration; throws one ConfigError naming every bad variable. */
export function parseSmppConfig(raw: RawSettings): SmppConfig {
  const K = SMPP_CONFIG_KEYS;
  const read = new SettingsReader(raw, 'SMPP');
  const int = (field: IntField): number => {
    const [min, max] = INT_RANGES[field];

    return read.int(K[field], { default: SMPP_CONFIG_DEFAULTS[field], min, max });
  };
  let receiptErrorClasses: Readonly<Record<string, ErrorClass>> = {};
  try {
    receiptErrorClasses = parseReceiptErrorOverrides(read.text(K.receiptErrorClasses));
  } catch (error) {
    read.fail(K.receiptErrorClasses, error instanceof Error ? error.message : 'is malformed');
  }
  const config = {
    host: read.string(K.host),
    port: int('port'),
    // SMPP 3.4 §5.2.1: system_id is a C-Octet String of at most 16 octets, password at most 9.
    systemId: read.string(K.systemId, { pattern: /^.{1,15}$/, problem: 'is required and at most 15 characters' }),
    password: read.secret(K.password, { default: '', maxLength: 8, exact: true }),
    systemType: read.text(K.systemType) ?? SMPP_CONFIG_DEFAULTS.systemType,
    binds: int('binds'),
    window: int('window'),
    enquireLinkMs: int('enquireLinkMs'),
    enquireLinkTimeoutMs: int('enquireLinkTimeoutMs'),
    responseTimeoutMs: int('responseTimeoutMs'),
    acquireTimeoutMs: int('acquireTimeoutMs'),
    reconnectBaseMs: int('reconnectBaseMs'),
    reconnectMaxMs: int('reconnectMaxMs'),
    throttleBackoffMs: int('throttleBackoffMs'),
    dlrIdBase: read.oneOf(K.dlrIdBase, SMPP_ID_BASES, { default: SMPP_CONFIG_DEFAULTS.dlrIdBase }),
    gsm7Packing: read.oneOf(K.gsm7Packing, GSM7_PACKINGS, { default: SMPP_CONFIG_DEFAULTS.gsm7Packing }),
    smscFamily: read.oneOf(K.smscFamily, SMPP_SMSC_FAMILIES, { default: SMPP_CONFIG_DEFAULTS.smscFamily }),
    receiptErrorClasses,
  };
  // Each valid alone, contradictory together: the backoff would start above its ceiling, and a bind would
  // send its next enquire_link while the previous one may still be waiting for its answer.
  read.require(
    config.reconnectBaseMs <= config.reconnectMaxMs,
    [K.reconnectBaseMs, K.reconnectMaxMs],
    'contradict: the first reconnect delay must not exceed the longest',
  );
  read.require(
    config.enquireLinkTimeoutMs <= config.enquireLinkMs,
    [K.enquireLinkTimeoutMs, K.enquireLinkMs],
    'contradict: an enquire_link must time out no later than the next is due',
  );

  return read.done(config);
}
