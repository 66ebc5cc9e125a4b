export { parseSinchConfig, SINCH_CONFIG_DEFAULTS, SINCH_CONFIG_KEYS, type SinchConfig } from './sinch.config';
export { SinchSmsProvider } from './sinch.provider';
export { computeSinchSignature, SINCH_SIGNATURE_ALGORITHM } from './sinch.signature';
