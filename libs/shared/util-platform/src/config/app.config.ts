import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';

export type RunMode = 'embedded' | 'distributed';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value !== '' ? Number(value) : value;
const toBool = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;

/**
 * Every setting the gateway reads, validated once at boot (a bad value stops the process with a list
 * of every bad key). Only this folder reads `process.env`. Secrets are marked `sensitive` in
 * {@link SENSITIVE_KEYS} so they never reach a log.
 */
export class AppConfig {
  @IsIn(['embedded', 'distributed'])
  MODE: RunMode = 'embedded';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** Embedded mode: SQLite files live here; the folder survives restarts. */
  @IsString()
  DATA_DIR = './data';

  @ValidateIf((c: AppConfig) => c.MODE === 'distributed')
  @Matches(/^mysql:\/\//, { message: 'MYSQL_URL must be a mysql:// URL' })
  MYSQL_URL = '';

  @ValidateIf((c: AppConfig) => c.MODE === 'distributed')
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = '';

  /** Comma-separated host:port list. */
  @ValidateIf((c: AppConfig) => c.MODE === 'distributed')
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port]' })
  KAFKA_BROKERS = '';

  /** Base URL providers use to reach our webhooks (status callbacks are built from it). */
  @ValidateIf((c: AppConfig) => c.PUBLIC_BASE_URL !== '')
  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_BASE_URL = '';

  /** Embedded mode: an API key to install at start (otherwise one is generated and printed). */
  @ValidateIf((c: AppConfig) => c.SMS_GATEWAY_API_KEY !== '')
  @IsString()
  @MinLength(24)
  SMS_GATEWAY_API_KEY = '';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Provider calls per message before it ends `failed`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  MAX_SEND_ATTEMPTS = 4;

  /** Base of the exponential retry backoff. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  RETRY_BASE_DELAY_MS = 2000;

  /** A `queued` message with no progress for this long is re-published (lost dispatch, crash). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  STALE_MESSAGE_AFTER_MS = 60_000;

  /** Publishes outbox rows; off only to reproduce a crash between commit and publish. */
  @Transform(toBool)
  @IsBoolean()
  OUTBOX_RELAY_ENABLED = true;

  /** Runs the provider simulator inside this process (embedded default) under /sim. */
  @Transform(toBool)
  @IsBoolean()
  SIMULATOR_ENABLED = true;

  @IsOptional()
  @IsString()
  TWILIO_ACCOUNT_SID = 'ACsimulator00000000000000000000000';

  @IsOptional()
  @IsString()
  TWILIO_AUTH_TOKEN = 'sim-auth-token';

  /** Twilio API base; empty means the in-process simulator in embedded mode. */
  @IsOptional()
  @IsString()
  TWILIO_BASE_URL = '';

  /** SMPP SMSC host; empty means the in-process simulated SMSC when SIMULATOR_ENABLED, else no SMPP adapter. */
  @IsOptional()
  @IsString()
  SMPP_HOST = '';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  SMPP_PORT = 2775;

  /** Bind credentials (the simulated SMSC accepts these defaults). */
  @IsOptional()
  @IsString()
  SMPP_SYSTEM_ID = 'smppsim';

  @IsOptional()
  @IsString()
  SMPP_PASSWORD = 'simpass';

  /** Binds (TCP connections) in the pool and outstanding submit_sm per bind. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(32)
  SMPP_BINDS = 2;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  SMPP_WINDOW = 20;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  SMPP_ENQUIRE_LINK_MS = 30_000;

  /** How the SMSC prints the receipt text `id:` (hex, decimal or text); submit_sm_resp ids are read as hex. */
  @IsIn(['hex', 'decimal', 'text'])
  SMPP_DLR_ID_BASE = 'hex';

  /** Port of the simulated SMSC when SIMULATOR_ENABLED (0 = any free port). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  SMPP_SIM_PORT = 2775;

  /** Database pool size per service in the distributed mode. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;
}

export const SENSITIVE_KEYS: readonly (keyof AppConfig)[] = [
  'SMS_GATEWAY_API_KEY',
  'TWILIO_AUTH_TOKEN',
  'SMPP_PASSWORD',
  'MYSQL_URL',
  'REDIS_URL',
];

export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

/** Reads and validates the environment; throws listing every bad key. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<AppConfig> = {},
): AppConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(AppConfig, { ...defined, ...overrides }, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false });
  if (errors.length > 0) {
    const detail = errors
      .map((e) => {
        const shown = SENSITIVE_KEYS.includes(e.property as keyof AppConfig) ? '<redacted>' : String(e.value);

        return `${e.property}=${shown} (${Object.values(e.constraints ?? {}).join(', ')})`;
      })
      .join('; ');
    throw new InvalidConfigError(`Invalid environment variables: ${detail}`);
  }

  return config;
}

/** The base URL providers should call back; defaults to this process's own address. */
export const publicBaseUrlOf = (config: AppConfig): string =>
  (config.PUBLIC_BASE_URL || `http://127.0.0.1:${config.PORT}`).replace(/\/$/, '');
