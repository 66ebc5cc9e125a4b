export { parseTwilioConfig, TWILIO_CONFIG_DEFAULTS, TWILIO_CONFIG_KEYS, type TwilioConfig } from './twilio.config';
export { TwilioSmsProvider } from './twilio.provider';
