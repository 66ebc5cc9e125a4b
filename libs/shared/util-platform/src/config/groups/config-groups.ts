import type { SettingsReader } from '@sms/config-kit';
import type { RunMode } from '../run-mode';
import {
  type AuthGroup,
  type CpuGroup,
  type HttpGroup,
  type LoggingGroup,
  type MetricsGroup,
  readAuthGroup,
  readCpuGroup,
  readHttpGroup,
  readLoggingGroup,
  readMetricsGroup,
  readSimulatorGroup,
  type SimulatorGroup,
} from './host.config';
import {
  type DatabaseGroup,
  type KafkaGroup,
  readDatabaseGroup,
  readKafkaGroup,
  readRedisGroup,
  type RedisGroup,
} from './infrastructure.config';
import { type PrivacyGroup, readPrivacyGroup } from './privacy.config';
import { type DlrProcessorGroup, readDlrProcessorGroup } from './receipts.config';
import { type DlrIngestGroup, readDlrIngestGroup } from './receipts.config';
import { type CallbacksGroup, readCallbacksGroup } from './receipts.config';
import { type OutboxGroup, readOutboxGroup } from './receipts.config';
import { type MaskingGroup, readMaskingGroup } from './masking.config';
import { type OptOutGroup, readOptOutGroup } from './opt-out.config';
import { type KeywordsGroup, readKeywordsGroup } from './opt-out.config';
import { readRouterGroup, type RouterGroup } from './router.config';
import { type IntakeGroup, readIntakeGroup } from './intake.config';
import { readServicesGroup, type ServicesGroup } from './services.config';
import { readRetentionGroup, type RetentionGroup } from './retention.config';

/**
 * The typed groups of the configuration (`config.database`, `config.kafka`, one per service ...), each read by
 * its slice from one {@link SettingsReader}: defaults and rules live in the slice only, every problem of every
 * group is reported at once, and a module is handed its own group (CONFIG_GROUP_TOKENS) rather than all of it.
 */
export interface ConfigGroups {
  readonly http: HttpGroup;
  readonly metrics: MetricsGroup;
  readonly logging: LoggingGroup;
  readonly simulator: SimulatorGroup;
  readonly cpu: CpuGroup;
  readonly auth: AuthGroup;
  readonly database: DatabaseGroup;
  readonly kafka: KafkaGroup;
  readonly redis: RedisGroup;
  readonly privacy: PrivacyGroup;
  readonly keywords: KeywordsGroup;
  readonly optOut: OptOutGroup;
  readonly masking: MaskingGroup;
  readonly outbox: OutboxGroup;
  readonly callbacks: CallbacksGroup;
  readonly dlrIngest: DlrIngestGroup;
  readonly dlrProcessor: DlrProcessorGroup;
  readonly router: RouterGroup;
  readonly intake: IntakeGroup;
  readonly services: ServicesGroup;
  readonly retention: RetentionGroup;
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
  const database = Object.freeze(readDatabaseGroup(read, context.mode));

  return {
    http: Object.freeze(readHttpGroup(read)),
    metrics: Object.freeze(readMetricsGroup(read)),
    logging: Object.freeze(readLoggingGroup(read)),
    simulator: Object.freeze(readSimulatorGroup(read)),
    cpu: Object.freeze(readCpuGroup(read)),
    auth: Object.freeze(readAuthGroup(read)),
    database,
    kafka: Object.freeze(readKafkaGroup(read, context.mode)),
    redis: Object.freeze(readRedisGroup(read, context.mode)),
    privacy: Object.freeze(readPrivacyGroup(read)),
    keywords: Object.freeze(readKeywordsGroup(read)),
    optOut: Object.freeze(readOptOutGroup(read)),
    masking: Object.freeze(readMaskingGroup(read)),
    outbox: Object.freeze(readOutboxGroup(read)),
    callbacks: Object.freeze(readCallbacksGroup(read)),
    dlrIngest: Object.freeze(readDlrIngestGroup(read, database)),
    dlrProcessor: Object.freeze(readDlrProcessorGroup(read)),
    router: Object.freeze(readRouterGroup(read)),
    intake: Object.freeze(readIntakeGroup(read, context.mode)),
    services: Object.freeze(readServicesGroup(read)),
    retention: Object.freeze(readRetentionGroup(read)),
  };
}

/** `config.http` (HttpGroup). */
export const HTTP_CONFIG = Symbol('config.http');
/** `config.metrics` (MetricsGroup). */
export const METRICS_CONFIG = Symbol('config.metrics');
/** `config.logging` (LoggingGroup). */
export const LOGGING_CONFIG = Symbol('config.logging');
/** `config.simulator` (SimulatorGroup). */
export const SIMULATOR_CONFIG = Symbol('config.simulator');
/** `config.cpu` (CpuGroup). */
export const CPU_CONFIG = Symbol('config.cpu');
/** `config.auth` (AuthGroup). */
export const AUTH_CONFIG = Symbol('config.auth');
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
/** `config.outbox` (OutboxGroup). */
export const OUTBOX_CONFIG = Symbol('config.outbox');
/** `config.callbacks` (CallbacksGroup). */
export const CALLBACKS_CONFIG = Symbol('config.callbacks');
/** `config.dlrIngest` (DlrIngestGroup). */
export const DLR_INGEST_CONFIG = Symbol('config.dlrIngest');
/** `config.dlrProcessor` (DlrProcessorGroup). */
export const DLR_PROCESSOR_CONFIG = Symbol('config.dlrProcessor');
/** `config.router` (RouterGroup). */
export const ROUTER_CONFIG = Symbol('config.router');
/** `config.intake` (IntakeGroup). */
export const INTAKE_CONFIG = Symbol('config.intake');
/** `config.services` (ServicesGroup). */
export const SERVICES_CONFIG = Symbol('config.services');
/** `config.retention` (RetentionGroup). */
export const RETENTION_CONFIG = Symbol('config.retention');

/** The injection token of each group: PlatformModule provides them all, a module injects the one it reads. */
export const CONFIG_GROUP_TOKENS: { readonly [K in keyof ConfigGroups]: symbol } = {
  http: HTTP_CONFIG,
  metrics: METRICS_CONFIG,
  logging: LOGGING_CONFIG,
  simulator: SIMULATOR_CONFIG,
  cpu: CPU_CONFIG,
  auth: AUTH_CONFIG,
  database: DATABASE_CONFIG,
  kafka: KAFKA_CONFIG,
  redis: REDIS_CONFIG,
  privacy: PRIVACY_CONFIG,
  keywords: KEYWORDS_CONFIG,
  optOut: OPT_OUT_CONFIG,
  masking: MASKING_CONFIG,
  outbox: OUTBOX_CONFIG,
  callbacks: CALLBACKS_CONFIG,
  dlrIngest: DLR_INGEST_CONFIG,
  dlrProcessor: DLR_PROCESSOR_CONFIG,
  router: ROUTER_CONFIG,
  intake: INTAKE_CONFIG,
  services: SERVICES_CONFIG,
  retention: RETENTION_CONFIG,
};
