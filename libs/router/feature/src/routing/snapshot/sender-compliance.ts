import type { PhoneNumberEntity } from '../../database/entities/phone-number.entity';
import type { CountryRule } from './country-rule';

/**
 * May this pool number send ordinary traffic to `country` under its rule? The decision filters each
 * provider's senders with it, and the per-country loader uses it to tell whether a provider needs its
 * numbers of other countries at all (it does only when it has no compliant local sender), so both
 * must read the rule the same way.
 */
export function isCompliantSender(
  number: Pick<PhoneNumberEntity, 'type' | 'country'>,
  rule: CountryRule,
  country: string,
): boolean {
  return (
    number.type !== 'alphanumeric' &&
    (rule.allowedSenderTypes.length === 0 || rule.allowedSenderTypes.includes(number.type)) &&
    // Short codes send only domestically.
    (number.type !== 'shortcode' || number.country === country) &&
    (!rule.localNumberRequired || number.country === country)
  );
}

/** Masking numbers are kept for the masking service: never picked for ordinary traffic. */
export const isMaskingNumber = (number: Pick<PhoneNumberEntity, 'capabilities'>): boolean =>
  number.capabilities.includes('masking');
