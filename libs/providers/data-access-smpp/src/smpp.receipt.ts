/**
 * Delivery receipt text of SMPP 3.4 Appendix B, and message id normalisation (providers.md §5 "DLR").
 *
 * Hand-written rather than borrowed: node-smpp does not parse receipts, and the format is a dozen `key:value`
 * pairs whose only difficulty is tolerance (jasmin's rules: any case, `submit date` with a space, `text` last
 * and free-form, dates with or without seconds).
 */
export interface ReceiptText {
  readonly id: string;
  readonly sub?: string;
  readonly dlvrd?: string;
  readonly submitDate?: Date;
  readonly doneDate?: Date;
  readonly stat: string;
  readonly err?: string;
  readonly text?: string;
}

// Keys as they appear; `text` swallows the rest of the message (it may contain colons and spaces).
const FIELD = /(id|sub|dlvrd|submit date|done date|stat|err|text):/gi;

/** Parses a receipt's short_message; null when there is no `id:` or no `stat:`. */
export function parseReceiptText(message: string): ReceiptText | null {
  const fields = new Map<string, string>();
  const matches = [...message.matchAll(FIELD)];
  matches.forEach((match, index) => {
    const key = (match[1] ?? '').toLowerCase();
    const start = (match.index ?? 0) + match[0].length;
    const end = key === 'text' ? message.length : (matches[index + 1]?.index ?? message.length);
    if (!fields.has(key)) {
      fields.set(key, message.slice(start, end).trim());
    }
  });
  const id = fields.get('id');
  const stat = fields.get('stat');
  if (!id || !stat) {
    return null;
  }
  const submitDate = parseReceiptDate(fields.get('submit date'));
  const doneDate = parseReceiptDate(fields.get('done date'));

  return {
    id,
    stat,
    ...optional('sub', fields.get('sub')),
    ...optional('dlvrd', fields.get('dlvrd')),
    ...(submitDate && { submitDate }),
    ...(doneDate && { doneDate }),
    ...optional('err', fields.get('err')),
    ...(fields.has('text') && { text: fields.get('text') ?? '' }),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** `YYMMDDhhmm` or `YYMMDDhhmmss`, read as UTC (the appendix names no zone; SMSCs we know of use UTC). */
export function parseReceiptDate(value: string | undefined): Date | undefined {
  const match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(value ?? '');
  if (!match) {
    return undefined;
  }
  const [, yy, mo, dd, hh, mi, ss] = match.map((part) => (part === undefined ? 0 : Number(part)));
  const date = new Date(Date.UTC(2000 + (yy ?? 0), (mo ?? 1) - 1, dd ?? 1, hh ?? 0, mi ?? 0, ss ?? 0));

  return Number.isNaN(date.getTime()) || date.getUTCMonth() !== (mo ?? 1) - 1 ? undefined : date;
}

export function formatReceiptDate(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');

  return (
    two(date.getUTCFullYear() % 100) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds())
  );
}

/** How an SMSC writes message ids in one place (submit_sm_resp, receipt text, receipted_message_id TLV). */
export type SmppIdBase = 'hex' | 'decimal' | 'text';

/**
 * One canonical form for an SMSC message id, so the id from submit_sm_resp and the one in its receipt compare
 * equal although SMSCs differ in base, padding and case (providers.md §5): numeric ids (hex or decimal, as
 * configured for the place the id came from) become lowercase hex without leading zeros; anything else (UUIDs,
 * opaque strings) is only trimmed and lowercased. dlr-processor may apply it again: it is idempotent for hex.
 */
export function normaliseSmppMessageId(raw: string, base: SmppIdBase = 'hex'): string {
  const id = raw.trim().toLowerCase();
  if (base === 'decimal' && /^\d{1,40}$/.test(id)) {
    return BigInt(id).toString(16);
  }
  if (base === 'hex' && /^(0x)?[0-9a-f]{1,40}$/.test(id)) {
    return BigInt(id.startsWith('0x') ? id : `0x${id}`).toString(16);
  }

  return id;
}
