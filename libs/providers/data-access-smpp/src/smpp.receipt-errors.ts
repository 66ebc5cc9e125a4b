import { DeliveryStatus, ErrorClass } from '@sms/provider-port';

/**
 * Classes of the `err:` value of an SMPP delivery receipt (and of the network_error_code TLV), per SMSC family
 * (docs/receipt-errors.md §SMPP). SMPP 3.4 Appendix B leaves `err` "network or SMSC specific", so one fixed
 * reading cannot be right for every SMSC: the operator names the family its SMSC follows and may override
 * single codes. A transient class is what lets a receipt failure re-send through another route (the DLR
 * fallback), exactly as an HTTP provider's transient receipt code does.
 */
export type SmppSmscFamily = 'gsm-map' | 'vonage' | 'none';

export const SMPP_SMSC_FAMILIES: readonly SmppSmscFamily[] = ['gsm-map', 'vonage', 'none'];

const T = ErrorClass.Transient;
const P = ErrorClass.Permanent;

/**
 * GSM MAP error codes (3GPP TS 29.002, MAP-Errors), which most SMSCs in front of a GSM/UMTS/LTE network
 * report in `err` (3 decimal digits) and which the network_error_code TLV carries for network type 3 (GSM).
 * The subscriber being away, busy or full, and the network failing, are transient: another route or a later
 * try can reach the phone. An unknown, barred or unprovisioned subscriber is permanent.
 */
const GSM_MAP: ReadonlyMap<number, ErrorClass> = new Map([
  [1, P], // unknownSubscriber
  [5, P], // unidentifiedSubscriber
  [6, T], // absentSubscriberSM
  [8, P], // roamingNotAllowed
  [9, P], // illegalSubscriber
  [10, P], // bearerServiceNotProvisioned
  [11, P], // teleserviceNotProvisioned
  [12, P], // illegalEquipment
  [13, P], // callBarred
  [21, P], // facilityNotSupported
  [27, T], // absentSubscriber
  [31, T], // subscriberBusyForMT-SMS
  [32, T], // sm-DeliveryFailure (memory capacity exceeded, equipment protocol error)
  [33, T], // messageWaitingListFull
  [34, T], // systemFailure
  [35, T], // dataMissing
  [36, T], // unexpectedDataValue
]);

/**
 * Vonage's SMPP receipts (its "SMPP DLR format" help page) carry the same err-codes as its HTTP receipts, so
 * they get the classes of the Vonage adapter's DLR table (libs/providers/data-access-vonage, vonage.codes.ts):
 * a receipt fails the same way whichever of Vonage's interfaces it came through.
 */
const VONAGE: ReadonlyMap<number, ErrorClass> = new Map([
  [1, T], // unknown: retryable once
  [2, T], // absent subscriber, temporary
  [3, P], // absent subscriber, permanent (invalid, blacklisted or inactive number)
  [4, P], // call barred
  [5, P], // portability error
  [6, P], // anti-spam rejection
  [7, T], // handset busy
  [8, T], // network error, temporary
  [9, ErrorClass.OptedOut], // illegal number: how Vonage reports an opted-out or barred recipient
  [10, P], // illegal message
  [11, T], // unroutable at Vonage: another provider may route it
  [12, P], // destination unreachable
  [13, P], // age restriction
  [14, P], // blocked by carrier
  [15, P], // pre-paid insufficient funds (the subscriber's)
  [99, P], // general error
]);

const FAMILY_TABLES: Readonly<Record<SmppSmscFamily, ReadonlyMap<number, ErrorClass>>> = {
  'gsm-map': GSM_MAP,
  vonage: VONAGE,
  none: new Map(),
};

/** The class of a code no table names: permanent, as SMPP receipts were classed before families existed. */
const UNLISTED = ErrorClass.Permanent;

const CLASS_NAMES: ReadonlyMap<string, ErrorClass> = new Map(Object.values(ErrorClass).map((value) => [value, value]));

/** The key of an `err` value: a decimal code without leading zeros, or `type-code` for a network_error_code. */
export function receiptErrorKey(err: string): string | null {
  const value = err.trim().toLowerCase().replace(/^err:/, '');
  const network = /^(\d{1,3})-(\d{1,5})$/.exec(value);
  if (network) {
    return `${Number(network[1])}-${Number(network[2])}`;
  }
  if (/^\d{1,6}$/.test(value)) {
    return String(Number(value));
  }
  if (/^0x[0-9a-f]{1,8}$/.test(value)) {
    return String(Number.parseInt(value.slice(2), 16));
  }

  return null;
}

/**
 * Parses the operator's override map, `code=class` pairs separated by commas, e.g. `27=permanent,3-34=transient`.
 * Codes as {@link receiptErrorKey} reads them; classes as {@link ErrorClass} values. Throws on a malformed pair
 * so a typo fails the boot instead of silently classing nothing.
 */
export function parseReceiptErrorOverrides(text: string | undefined): Readonly<Record<string, ErrorClass>> {
  const overrides: Record<string, ErrorClass> = {};
  for (const pair of (text ?? '').split(',').map((p) => p.trim())) {
    if (pair === '') {
      continue;
    }
    const [code = '', name = ''] = pair.split('=').map((p) => p.trim());
    const key = receiptErrorKey(code);
    const errorClass = CLASS_NAMES.get(name.toLowerCase());
    if (key === null || errorClass === undefined) {
      throw new Error(`'${pair}' is not code=class (class one of ${[...CLASS_NAMES.keys()].join(', ')})`);
    }
    overrides[key] = errorClass;
  }

  return overrides;
}

/** Classes receipt `err` values for one SMSC: the operator's overrides, then its family's table, then permanent. */
export class SmppReceiptErrorClassifier {
  constructor(
    readonly family: SmppSmscFamily = 'gsm-map',
    private readonly overrides: Readonly<Record<string, ErrorClass>> = {},
  ) {}

  /** The class of one code, whatever the receipt's state (used for `err:` codes the gateway stored). */
  classOf(err: string): ErrorClass {
    const key = receiptErrorKey(err);
    if (key === null) {
      return UNLISTED;
    }
    const override = this.overrides[key];
    if (override !== undefined) {
      return override;
    }
    const network = /^(\d+)-(\d+)$/.exec(key);
    if (network) {
      // network_error_code TLV: type 3 is GSM, whose codes are MAP errors whatever the SMSC's `err` convention.
      return network[1] === '3' ? (GSM_MAP.get(Number(network[2])) ?? UNLISTED) : UNLISTED;
    }

    return FAMILY_TABLES[this.family].get(Number(key)) ?? UNLISTED;
  }

  /**
   * The class a receipt carries: none for `err` 000, nor while the message is delivered or still moving (an
   * intermediate receipt's `err` says nothing about the outcome).
   */
  classify(err: string, status: DeliveryStatus): ErrorClass | undefined {
    if (/^0*$/.test(err) || status === DeliveryStatus.Delivered || status === DeliveryStatus.Sent) {
      return undefined;
    }

    return this.classOf(err);
  }
}

/** Every (family, code, class) of the built-in tables: what docs/receipt-errors.md lists and its test checks. */
export function receiptErrorTable(family: SmppSmscFamily): readonly [code: number, errorClass: ErrorClass][] {
  return [...FAMILY_TABLES[family].entries()];
}
