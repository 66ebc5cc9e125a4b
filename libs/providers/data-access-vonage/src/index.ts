export { parseVonageConfig, VONAGE_CONFIG_DEFAULTS, VONAGE_CONFIG_KEYS, type VonageConfig } from './vonage.config';
export { VonageSmsProvider } from './vonage.provider';
export { computeVonageSignature, type VonageSignatureMethod } from './vonage.signature';
