export { isAlphanumericSenderId, isSupportedCountryCode, parsePhone, redactPhone } from './phone';
export type { PhoneNumberType, PhoneParseFailure, PhoneParseResult } from './phone';
