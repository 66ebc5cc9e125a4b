import type { SettingsReader } from '@sms/config-kit';
import type { RunMode } from '../app.config';
import {
  type DatabaseGroup,
  type KafkaGroup,
  readDatabaseGroup,
  readKafkaGroup,
  readRedisGroup,
  type RedisGroup,
} from './infrastructure.config';
import { type PrivacyGroup, readPrivacyGroup } from './privacy.config';
import { type MaskingGroup, readMaskingGroup } from './masking.config';
import { type OptOutGroup, readOptOutGroup } from './opt-out.config';
import { type KeywordsGroup, readKeywordsGroup } from './opt-out.config';

/**
 * The typed groups of the configuration (`config.database`, `config.kafka`, one per service ...), each read by
 * its slice from one {@link SettingsReader}: defaults and rules live in the slice only, every problem of every
 * group is reported at once, and a module is handed its own group (CONFIG_GROUP_TOKENS) rather than all of it.
 */
export interface ConfigGroups {
  readonly database: DatabaseGroup;
  readonly kafka: KafkaGroup;
  readonly redis: RedisGroup;
  readonly privacy: PrivacyGroup;
  readonly keywords: KeywordsGroup;
  readonly optOut: OptOutGroup;
  readonly masking: MaskingGroup;
}

/** What every slice may depend on besides its own variables. */
export interface GroupContext {
  readonly mode: RunMode;
}

/**
 * Reads every group. A slice reads each of its variables whatever the others hold (so the reader's `keys` lists
 * every setting), and records problems instead of throwing; the caller ends with `read.done`.
 */
export function readConfigGroups(read: SettingsReader, context: GroupContext): ConfigGroups {
  return {
    database: Object.freeze(readDatabaseGroup(read, context.mode)),
    kafka: Object.freeze(readKafkaGroup(read, context.mode)),
    redis: Object.freeze(readRedisGroup(read, context.mode)),
    privacy: Object.freeze(readPrivacyGroup(read)),
    keywords: Object.freeze(readKeywordsGroup(read)),
    optOut: Object.freeze(readOptOutGroup(read)),
    masking: Object.freeze(readMaskingGroup(read)),
  };
}

/** `config.database` (DatabaseGroup). */
export const DATABASE_CONFIG = Symbol('config.database');
/** `config.kafka` (KafkaGroup). */
export const KAFKA_CONFIG = Symbol('config.kafka');
/** `config.redis` (RedisGroup). */
export const REDIS_CONFIG = Symbol('config.redis');
/** `config.privacy` (PrivacyGroup). */
export const PRIVACY_CONFIG = Symbol('config.privacy');
/** `config.keywords` (KeywordsGroup). */
export const KEYWORDS_CONFIG = Symbol('config.keywords');
/** `config.optOut` (OptOutGroup). */
export const OPT_OUT_CONFIG = Symbol('config.optOut');
/** `config.masking` (MaskingGroup). */
export const MASKING_CONFIG = Symbol('config.masking');

/** The injection token of each group: PlatformModule provides them all, a module injects the one it reads. */
export const CONFIG_GROUP_TOKENS: { readonly [K in keyof ConfigGroups]: symbol } = {
  database: DATABASE_CONFIG,
  kafka: KAFKA_CONFIG,
  redis: REDIS_CONFIG,
  privacy: PRIVACY_CONFIG,
  keywords: KEYWORDS_CONFIG,
  optOut: OPT_OUT_CONFIG,
  masking: MASKING_CONFIG,
};
