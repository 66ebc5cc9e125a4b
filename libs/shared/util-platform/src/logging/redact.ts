/**
 * Phone numbers and message bodies never reach a log unredacted (DEVELOPERS.md). Log lines go
 * through {@link redactText}, which masks anything that looks like a phone number, and CR/LF are
 * escaped so user data cannot forge log lines (CWE-117).
 */
const PHONE_LIKE = /\+?\d[\d\s().-]{6,}\d/g;

export const redactText = (text: string): string =>
  text
    .replace(PHONE_LIKE, (match) => {
      const digits = match.replace(/\D/g, '');

      return `${match.startsWith('+') ? '+' : ''}${'*'.repeat(Math.max(digits.length - 2, 0))}${digits.slice(-2)}`;
    })
    .replace(/[\r\n]/g, (c) => (c === '\r' ? '\\r' : '\\n'));

/** Keys whose values are always removed from structured log objects. */
export const REDACTED_KEYS = new Set(['body', 'to', 'from', 'number', 'partyA', 'partyB', 'authorization', 'text']);
