import type { ArchivedRow } from './archive-format';

/** What an erased number becomes: a constant, so nothing in the archive can be traced back to it. */
export const ERASED_NUMBER = 'erased';

/** Columns holding a message's text (sent, received, or the raw provider payload carrying it). */
const BODY_COLUMNS: ReadonlySet<string> = new Set(['body']);

export class InvalidNumberError extends Error {}

/**
 * Finds and masks one person's number in archived rows. A row holds the number when any text value
 * contains its digits, in any of the forms providers and our payloads write it (`+4474…`, `4474…`,
 * `%2B4474…`, `004474…`). In such a row every occurrence becomes {@link ERASED_NUMBER} and the body columns
 * become empty: the message was to or from that person.
 */
export class NumberMask {
  private readonly digits: string;
  private readonly pattern: RegExp;

  constructor(number: string) {
    if (!/^\+[1-9]\d{7,14}$/.test(number)) {
      throw new InvalidNumberError('number must be E.164 (+ and 8 to 15 digits)');
    }
    this.digits = number.slice(1);
    this.pattern = new RegExp(`(?:\\+|%2B|00)?${this.digits}`, 'gi');
  }

  holds(row: ArchivedRow): boolean {
    return Object.values(row).some((value) => typeof value === 'string' && value.includes(this.digits));
  }

  /** The row with the number and the bodies masked (a new object). */
  mask(row: ArchivedRow): ArchivedRow {
    const masked: ArchivedRow = {};
    for (const [column, value] of Object.entries(row)) {
      if (typeof value !== 'string') {
        masked[column] = value;
      } else if (BODY_COLUMNS.has(column)) {
        masked[column] = '';
      } else {
        masked[column] = value.replace(this.pattern, ERASED_NUMBER);
      }
    }

    return masked;
  }
}
