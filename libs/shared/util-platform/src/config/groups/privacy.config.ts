import type { SettingsReader } from '@sms/config-kit';

/** `config.privacy`: what every service needs to honour an erasure (docs/privacy.md). */
export interface PrivacyGroup {
  /**
   * Secret salt of the erasure tokens that replace an erased person's number (HMAC-SHA256), the same in every
   * process and never changed once an erasure used it (the opt-out ledger matches erased people by it).
   * Empty: erasure is off (`/v1/privacy/erasures` answers 503; the embedded gateway generates one instead).
   */
  readonly salt: string;
}

/** The token hides the number only as well as the salt is unguessable. */
const MIN_SALT_LENGTH = 32;

export function readPrivacyGroup(read: SettingsReader): PrivacyGroup {
  const salt = read.secret('PRIVACY_SALT', { default: '' });
  if (salt !== '' && salt.length < MIN_SALT_LENGTH) {
    read.fail('PRIVACY_SALT', `must be at least ${MIN_SALT_LENGTH} characters`);
  }

  return { salt };
}
