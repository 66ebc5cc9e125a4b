import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * What erasure writes in place of a person's number (docs/privacy.md): `e:` and 14 base64url characters of
 * HMAC-SHA256(PRIVACY_SALT, number), 84 bits. Irreversible without the salt (a phone number has too few
 * digits for an unsalted hash to hide it), the same for the same number, so the opt-out ledger still matches
 * an erased person, and 16 characters: it fits the narrowest number column (`sms_messages.to_number`).
 * It cannot be mistaken for a number: no E.164 number starts with a letter.
 */
export const ERASED_PREFIX = 'e:';
const TOKEN_CHARS = 14;
/** The shortest PRIVACY_SALT accepted: the token hides the number only as well as the salt is unguessable. */
export const MIN_PRIVACY_SALT_LENGTH = 32;

export const isErasureToken = (value: string): boolean => value.startsWith(ERASED_PREFIX);

export function erasureTokenOf(salt: string, number: string): string {
  assertSalt(salt);

  return ERASED_PREFIX + createHmac('sha256', salt).update(number).digest('base64url').slice(0, TOKEN_CHARS);
}

/**
 * Seals a number for the erasure command (AES-256-GCM under a key derived from the salt, a fresh IV each), so
 * `sms.privacy.v1`, its DLQ and a copy of either never hold the number in clear.
 */
export function sealNumber(salt: string, number: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKeyOf(salt), iv);
  const body = Buffer.concat([cipher.update(number, 'utf8'), cipher.final()]);

  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The number sealed by {@link sealNumber}; throws when it was sealed under another salt or altered. */
export function openSealedNumber(salt: string, sealed: string): string {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < 29) {
    throw new Error('sealed number is too short');
  }
  const decipher = createDecipheriv('aes-256-gcm', sealKeyOf(salt), bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(12, 28));

  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}

/** Domain-separated from the token's HMAC, so the seal key and the tokens never share a key. */
const sealKeyOf = (salt: string): Buffer => {
  assertSalt(salt);

  return createHmac('sha256', salt).update('sms-gateway privacy seal v1').digest();
};

function assertSalt(salt: string): void {
  if (salt.length < MIN_PRIVACY_SALT_LENGTH) {
    throw new Error(`PRIVACY_SALT must be at least ${MIN_PRIVACY_SALT_LENGTH} characters`);
  }
}
