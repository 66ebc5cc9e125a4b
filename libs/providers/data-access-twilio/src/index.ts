export { parseTwilioConfig, TWILIO_CONFIG_DEFAULTS, TWILIO_CONFIG_KEYS, type TwilioConfig } from './twilio.config';
export { TwilioSmsProvider } from './twilio.provider';
export {
  parseTwilioLookup,
  TWILIO_LOOKUP_DEFAULT_BASE_URL,
  TWILIO_LOOKUP_SOURCE,
  TwilioNumberLookup,
  type TwilioNumberLookupConfig,
} from './twilio.number-lookup';
