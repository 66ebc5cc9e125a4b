import type { Gsm7Packing } from './smpp.encoding';
import type { ErrorClass } from '@sms/provider-port';
import type { SmppIdBase } from './smpp.receipt';
import { parseReceiptErrorOverrides, SMPP_SMSC_FAMILIES, type SmppSmscFamily } from './smpp.receipt-errors';

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
  /** Outstanding submit_sm per bind. Throughput ≈ binds × window / SMSC latency (performance.md §1). */
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

export class SmppConfigException extends Error {
  override readonly name = 'SmppConfigException';
  constructor(
    readonly invalidKeys: readonly string[],
    problems: readonly string[],
  ) {
    super(`Invalid SMPP configuration: ${problems.join('; ')}`);
  }
}

const INT_RANGES: Partial<Record<keyof SmppConfig, readonly [number, number]>> = {
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

export function parseSmppConfig(raw: Record<string, string | undefined>): SmppConfig {
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
  const int = (field: keyof typeof INT_RANGES & keyof typeof SMPP_CONFIG_DEFAULTS): number => {
    const key = SMPP_CONFIG_KEYS[field];
    const text = read(key);
    const value = text === undefined ? (SMPP_CONFIG_DEFAULTS[field] as number) : Number(text);
    const [min, max] = INT_RANGES[field] ?? [0, Number.MAX_SAFE_INTEGER];
    if (!Number.isInteger(value) || value < min || value > max) {
      fail(key, `must be an integer between ${min} and ${max}`);
    }

    return value;
  };

  const host = read(SMPP_CONFIG_KEYS.host);
  if (host === undefined) {
    fail(SMPP_CONFIG_KEYS.host, 'is required');
  }
  const systemId = read(SMPP_CONFIG_KEYS.systemId);
  // SMPP 3.4 §5.2.1: system_id is a C-Octet String of at most 16 octets, password at most 9.
  if (systemId === undefined || systemId.length > 15) {
    fail(SMPP_CONFIG_KEYS.systemId, 'is required and at most 15 characters');
  }
  const password = raw[SMPP_CONFIG_KEYS.password] ?? '';
  if (password.length > 8) {
    fail(SMPP_CONFIG_KEYS.password, 'must be at most 8 characters');
  }
  const dlrIdBase = read(SMPP_CONFIG_KEYS.dlrIdBase) ?? SMPP_CONFIG_DEFAULTS.dlrIdBase;
  if (!['hex', 'decimal', 'text'].includes(dlrIdBase)) {
    fail(SMPP_CONFIG_KEYS.dlrIdBase, 'must be hex, decimal or text');
  }
  const gsm7Packing = read(SMPP_CONFIG_KEYS.gsm7Packing) ?? SMPP_CONFIG_DEFAULTS.gsm7Packing;
  if (!['unpacked', 'packed'].includes(gsm7Packing)) {
    fail(SMPP_CONFIG_KEYS.gsm7Packing, 'must be unpacked or packed');
  }
  const smscFamily = read(SMPP_CONFIG_KEYS.smscFamily) ?? SMPP_CONFIG_DEFAULTS.smscFamily;
  if (!(SMPP_SMSC_FAMILIES as readonly string[]).includes(smscFamily)) {
    fail(SMPP_CONFIG_KEYS.smscFamily, `must be one of ${SMPP_SMSC_FAMILIES.join(', ')}`);
  }
  let receiptErrorClasses: Readonly<Record<string, ErrorClass>> = {};
  try {
    receiptErrorClasses = parseReceiptErrorOverrides(read(SMPP_CONFIG_KEYS.receiptErrorClasses));
  } catch (error) {
    fail(SMPP_CONFIG_KEYS.receiptErrorClasses, error instanceof Error ? error.message : 'is malformed');
  }
  const config = {
    host: host ?? '',
    port: int('port'),
    systemId: systemId ?? '',
    password,
    systemType: read(SMPP_CONFIG_KEYS.systemType) ?? SMPP_CONFIG_DEFAULTS.systemType,
    binds: int('binds'),
    window: int('window'),
    enquireLinkMs: int('enquireLinkMs'),
    enquireLinkTimeoutMs: int('enquireLinkTimeoutMs'),
    responseTimeoutMs: int('responseTimeoutMs'),
    acquireTimeoutMs: int('acquireTimeoutMs'),
    reconnectBaseMs: int('reconnectBaseMs'),
    reconnectMaxMs: int('reconnectMaxMs'),
    throttleBackoffMs: int('throttleBackoffMs'),
    dlrIdBase: dlrIdBase as SmppIdBase,
    gsm7Packing: gsm7Packing as Gsm7Packing,
    smscFamily: smscFamily as SmppSmscFamily,
    receiptErrorClasses,
  };
  if (invalidKeys.length > 0) {
    throw new SmppConfigException(invalidKeys, problems);
  }

  return config;
}
