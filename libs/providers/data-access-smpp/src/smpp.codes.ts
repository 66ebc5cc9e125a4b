import { DeliveryStatus, ErrorClass } from '@sms/provider-port';

/** SMPP 3.4 command_status values the adapter acts on (providers.md §5 "command_status"). */
export const SMPP_STATUS = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVBNDSTS: 0x04,
  ESME_RSYSERR: 0x08,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RINVSYSID: 0x0f,
  ESME_RMSGQFUL: 0x14,
  ESME_RSUBMITFAIL: 0x45,
  ESME_RTHROTTLED: 0x58,
  ESME_RX_T_APPN: 0x64,
  ESME_RX_P_APPN: 0x65,
  ESME_RX_R_APPN: 0x66,
} as const;

export type SmppStatusName = keyof typeof SMPP_STATUS;

/**
 * The classification table of providers.md §5. Codes outside it are permanent: resubmitting a PDU the SMSC
 * refused for a reason we do not understand risks a loop, and failover (not retry) is what a human would pick.
 */
const CLASS_BY_STATUS: ReadonlyMap<number, ErrorClass> = new Map([
  [SMPP_STATUS.ESME_RTHROTTLED, ErrorClass.Transient],
  [SMPP_STATUS.ESME_RMSGQFUL, ErrorClass.Transient],
  [SMPP_STATUS.ESME_RSYSERR, ErrorClass.Transient],
  [SMPP_STATUS.ESME_RX_T_APPN, ErrorClass.Transient],
  [SMPP_STATUS.ESME_RSUBMITFAIL, ErrorClass.Transient],
  [SMPP_STATUS.ESME_RINVBNDSTS, ErrorClass.Transient],
  [SMPP_STATUS.ESME_RINVDSTADR, ErrorClass.Permanent],
  [SMPP_STATUS.ESME_RINVMSGLEN, ErrorClass.Permanent],
  [SMPP_STATUS.ESME_RX_P_APPN, ErrorClass.Permanent],
  [SMPP_STATUS.ESME_RX_R_APPN, ErrorClass.Permanent],
  [SMPP_STATUS.ESME_RINVSRCADR, ErrorClass.Configuration],
  [SMPP_STATUS.ESME_RBINDFAIL, ErrorClass.Configuration],
  [SMPP_STATUS.ESME_RINVPASWD, ErrorClass.Configuration],
  [SMPP_STATUS.ESME_RINVSYSID, ErrorClass.Configuration],
]);

const NAME_BY_STATUS: ReadonlyMap<number, string> = new Map(
  Object.entries(SMPP_STATUS).map(([name, value]) => [value, name]),
);

/** The wire form of a command_status in our error codes: `0x` and 8 hex digits, e.g. `0x00000058`. */
export function statusCode(status: number): string {
  return `0x${status.toString(16).padStart(8, '0')}`;
}

export function statusName(status: number): string {
  return NAME_BY_STATUS.get(status) ?? `command_status ${statusCode(status)}`;
}

/** Accepts `0x58`, `0x00000058`, `88` or a name such as `ESME_RTHROTTLED`; NaN when unreadable. */
export function parseStatusCode(code: string): number {
  const trimmed = code.trim();
  if (trimmed in SMPP_STATUS) {
    return SMPP_STATUS[trimmed as SmppStatusName];
  }
  if (/^0x[0-9a-f]+$/i.test(trimmed)) {
    return Number.parseInt(trimmed.slice(2), 16);
  }

  return /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

export function classifyCommandStatus(status: number): ErrorClass {
  return CLASS_BY_STATUS.get(status) ?? ErrorClass.Permanent;
}

/** A bind refused with one of these will keep being refused: stop reconnecting fast and say so loudly. */
export function isBindConfigurationError(status: number): boolean {
  return classifyCommandStatus(status) === ErrorClass.Configuration;
}

/** Receipt `stat:` words (SMPP 3.4 Appendix B) and `message_state` values (§5.2.28), with their canonical status. */
export const RECEIPT_STATES: readonly { word: string; state: number; status: DeliveryStatus }[] = [
  { word: 'ENROUTE', state: 1, status: DeliveryStatus.Sent },
  { word: 'DELIVRD', state: 2, status: DeliveryStatus.Delivered },
  { word: 'EXPIRED', state: 3, status: DeliveryStatus.Undelivered },
  { word: 'DELETED', state: 4, status: DeliveryStatus.Undelivered },
  { word: 'UNDELIV', state: 5, status: DeliveryStatus.Undelivered },
  // Aggregators use ACCEPTD as an intermediate "taken by the next hop".
  { word: 'ACCEPTD', state: 6, status: DeliveryStatus.Sent },
  { word: 'UNKNOWN', state: 7, status: DeliveryStatus.Undelivered },
  { word: 'REJECTD', state: 8, status: DeliveryStatus.Failed },
];

/** Full spellings some SMSCs print instead of the appendix's seven-letter words. */
const STAT_ALIASES: ReadonlyMap<string, string> = new Map([
  ['DELIVERED', 'DELIVRD'],
  ['UNDELIVERABLE', 'UNDELIV'],
  ['UNDELIVERED', 'UNDELIV'],
  ['ACCEPTED', 'ACCEPTD'],
  ['REJECTED', 'REJECTD'],
]);

export function statusOfStat(word: string): { word: string; status: DeliveryStatus } | null {
  const upper = word.trim().toUpperCase();
  const key = STAT_ALIASES.get(upper) ?? upper;
  const found = RECEIPT_STATES.find((entry) => entry.word === key);

  return found ? { word: found.word, status: found.status } : null;
}

export function statusOfMessageState(state: number): { word: string; status: DeliveryStatus } | null {
  const found = RECEIPT_STATES.find((entry) => entry.state === state);

  return found ? { word: found.word, status: found.status } : null;
}
