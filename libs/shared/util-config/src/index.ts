export { ConfigError, type RawSettings, SettingsReader } from './settings-reader';
export { type KnownSettings, unknownSettings } from './unknown-settings';
