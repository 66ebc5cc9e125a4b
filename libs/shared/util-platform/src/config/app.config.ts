import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';
import type { KafkaSecurity } from '@sms/bus';
import { ConfigError, type KnownSettings, SettingsReader, unknownSettings } from '@sms/config-kit';
import { CPU_NICE_RANGE, CPU_POLICIES, type CpuPolicy } from '../runtime/cpu-priority';
import { type ConfigGroups, readConfigGroups } from './groups/config-groups';
import { InvalidConfigError } from './invalid-config.error';
import type { RunMode } from './run-mode';
import { loadRegionConfig, type RegionConfig } from '../region/region.config';
import { PROVIDER_SETTING_KEYS, type ProvidersConfig, providersConfigOf, SIMULATOR_PREFIX } from './providers.config';

export type { RunMode } from './run-mode';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value !== '' ? Number(value) : value;
const toBool = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
/**
 * Every setting the gateway reads, validated once at boot (a bad value stops the process with a list
 * of every bad key). Only this folder reads `process.env`. The flat keys below are the ones not yet moved into
 * a typed group (groups/config-groups.ts, where a new setting goes). Secrets are marked `sensitive` in
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

  /**
   * Interface the HTTP server binds. Loopback by default: the embedded gateway serves its operator API and the
   * simulator on this port, so nothing outside the machine reaches it unless a deployment says so (docker-compose,
   * k8s and the Dockerfile set 0.0.0.0, where the container's own network is the boundary).
   */
  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  /** Base URL providers use to reach our webhooks (status callbacks are built from it). */
  @ValidateIf((c: AppConfig) => c.PUBLIC_BASE_URL !== '')
  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_BASE_URL = '';

  /** The web console's static build, served at /console (empty: not served). */
  @IsString()
  CONSOLE_DIR = 'dist/apps/console';

  /** Embedded mode: an API key to install at start (otherwise one is generated and printed). */
  @ValidateIf((c: AppConfig) => c.SMS_GATEWAY_API_KEY !== '')
  @IsString()
  @MinLength(24)
  SMS_GATEWAY_API_KEY = '';

  /**
   * Port of a listener that serves only GET /metrics (0: none). Deployments set it (k8s and compose use
   * 9464) and scrape it there; the API port serves /metrics only with METRICS_TOKEN.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT = 0;

  /** Address the metrics listener binds: loopback unless the deployment's scraper needs more. */
  @IsString()
  METRICS_HOST = '127.0.0.1';

  /**
   * Bearer token for /metrics. Set: the API port serves /metrics to `Authorization: Bearer <token>` and
   * the metrics listener requires it too. Empty: the API port does not serve /metrics at all.
   */
  @ValidateIf((c: AppConfig) => c.METRICS_TOKEN !== '')
  @IsString()
  @MinLength(16)
  METRICS_TOKEN = '';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * Extra structured-log keys whose values are censored, comma-separated, on top of the built-in set
   * (body, text, to, from, sender, recipient, msisdn, ...; redact.ts), at any depth and in any case. The
   * built-in keys cannot be switched off. Free text is not rewritten (docs/exposure.md).
   */
  @Matches(/^[A-Za-z0-9_]*(,[A-Za-z0-9_]+)*$/, { message: 'LOG_REDACT_KEYS must be a comma-separated list of keys' })
  LOG_REDACT_KEYS = '';

  /** Runs the provider simulator inside this process (embedded default) under /sim. */
  @Transform(toBool)
  @IsBoolean()
  SIMULATOR_ENABLED = true;

  /** Port of the simulated SMSC when SIMULATOR_ENABLED (0 = any free port). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  SMPP_SIM_PORT = 2775;

  /**
   * CPU priority of this process as a Linux nice value, 0 (default) to 19; applied to every thread at boot.
   * For services that drain work others have acknowledged (dlr-processor), when they share cores with
   * dlr-ingest on one host: a receipt storm's answers then never wait for a core behind its processing,
   * which runs on what is left (ADR 0014). Across containers the scheduler weighs cgroups instead (k8s CPU
   * requests, compose `cpu_shares`), so there the deployment says it.
   */
  @Transform(toInt)
  @IsInt()
  @Min(CPU_NICE_RANGE.min)
  @Max(CPU_NICE_RANGE.max)
  CPU_NICE = 0;

  /**
   * Linux scheduling policy of this process, applied to every thread at boot: `other` (default) or `idle`
   * (SCHED_IDLE: runs only on CPU nothing else wants, and gives a core up as soon as another thread wakes on
   * it). `idle` is the processing tier's setting on a host it shares with dlr-ingest: a storm's answers then
   * wait for no part of its processing, where nice 19 still made them wait out the tier's turn (ADR 0016).
   */
  @IsIn(CPU_POLICIES, { message: `CPU_POLICY must be one of ${CPU_POLICIES.join(', ')}` })
  CPU_POLICY: CpuPolicy = 'other';

  /** `config.providers.twilio` …: each adapter's slice, parsed by its own definition (set by {@link loadConfig}). */
  readonly providers!: ProvidersConfig;

  /** The typed groups (groups/config-groups.ts), each read by its slice (set by {@link loadConfig}). */
  readonly database!: ConfigGroups['database'];
  readonly kafka!: ConfigGroups['kafka'];
  readonly redis!: ConfigGroups['redis'];
  /** This deployment's region and the others' (docs/regions.md); single-region when REGION is unset. */
  readonly region!: RegionConfig;
  readonly privacy!: ConfigGroups['privacy'];
  readonly dlrProcessor!: ConfigGroups['dlrProcessor'];
  readonly dlrIngest!: ConfigGroups['dlrIngest'];
  readonly callbacks!: ConfigGroups['callbacks'];
  readonly outbox!: ConfigGroups['outbox'];
  readonly masking!: ConfigGroups['masking'];
  readonly optOut!: ConfigGroups['optOut'];
  readonly keywords!: ConfigGroups['keywords'];
  readonly router!: ConfigGroups['router'];
  readonly intake!: ConfigGroups['intake'];
  readonly services!: ConfigGroups['services'];
  readonly retention!: ConfigGroups['retention'];
}

/** Variables whose values never appear in a message (the provider slices never quote any value). */
export const SENSITIVE_KEYS: readonly string[] = [
  'SMS_GATEWAY_API_KEY',
  'TWILIO_AUTH_TOKEN',
  'VONAGE_API_SECRET',
  'VONAGE_SIGNATURE_SECRET',
  'SINCH_API_TOKEN',
  'SINCH_CALLBACK_SECRET',
  'AWS_SECRET_ACCESS_KEY',
  'CALLBACK_SECRET',
  'WEBHOOK_SECRETS_KEY',
  'PRIVACY_SALT',
  'METRICS_TOKEN',
  'INTERNAL_API_TOKEN',
  'SMPP_PASSWORD',
  'MYSQL_URL',
  'REDIS_URL',
  'KAFKA_SASL_PASSWORD',
];

export { InvalidConfigError } from './invalid-config.error';

/**
 * The secrets dlr-ingest verifies provider webhooks with. Whoever knows one can forge that provider's receipts
 * and MO (a STOPALL that blocks a customer's every send), so a process that verifies webhooks starts only with
 * each set to a private value. AWS has none here: SNS deliveries are checked against AWS's signing certificate.
 */
export const WEBHOOK_SECRET_KEYS = ['TWILIO_AUTH_TOKEN', 'VONAGE_SIGNATURE_SECRET', 'SINCH_CALLBACK_SECRET'] as const;

/**
 * Values that are public: this project's former defaults and simulator values, and the placeholders of its
 * manifests. Compared case-insensitively.
 */
export const PUBLIC_SECRET_VALUES: readonly string[] = [
  'sim-auth-token',
  'sim-vonage-secret',
  'sim-vonage-signature-secret',
  'sim-sinch-api-token',
  'sim-sinch-callback-secret',
  'sim-secret-access-key',
  'simpass',
  'change_me',
  'changeme',
];

/** Shorter than any provider issues (Twilio's auth token is 32 hex digits): a guessable value. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

export type WebhookSecrets = Readonly<Record<(typeof WEBHOOK_SECRET_KEYS)[number], string | undefined>>;

/** The webhook secrets of the provider slices, by the variable each comes from. */
export const webhookSecretsOf = ({ providers }: Pick<AppConfig, 'providers'>): WebhookSecrets => ({
  TWILIO_AUTH_TOKEN: providers.twilio.authToken,
  VONAGE_SIGNATURE_SECRET: providers.vonage.signatureSecret,
  SINCH_CALLBACK_SECRET: providers.sinch.callbackSecret,
});

/** Each webhook secret that is missing, public or too short, as `VARIABLE problem` (never the value). */
export function webhookSecretProblems(secrets: WebhookSecrets): string[] {
  return WEBHOOK_SECRET_KEYS.flatMap((key) => {
    const value = (secrets[key] ?? '').trim();
    if (value === '') {
      return [`${key} is missing`];
    }
    if (PUBLIC_SECRET_VALUES.includes(value.toLowerCase())) {
      return [`${key} is a public default or placeholder value`];
    }
    if (value.length < MIN_WEBHOOK_SECRET_LENGTH) {
      return [`${key} is shorter than ${MIN_WEBHOOK_SECRET_LENGTH} characters`];
    }

    return [];
  });
}

/** Refuses to go on (at boot) when {@link webhookSecretProblems} finds any, naming every variable. */
export function assertWebhookSecrets(config: Pick<AppConfig, 'providers'>): void {
  const problems = webhookSecretProblems(webhookSecretsOf(config));
  if (problems.length > 0) {
    throw new InvalidConfigError(
      `Refusing to verify provider webhooks with unsafe secrets: ${problems.join('; ')}. ` +
        'Set each to the value in the provider console (docs/security.md).',
    );
  }
}

/**
 * Reads and validates the environment once, at boot: the flat settings, then each provider's slice, then the
 * settings that contradict one another, then variables that look like settings but are none. Throws one
 * {@link InvalidConfigError} listing every problem by variable (never a secret's value). The result is frozen.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Omit<AppConfig, 'providers' | 'region' | keyof ConfigGroups>> = {},
): AppConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(AppConfig, { ...defined, ...overrides }, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false });
  const invalid = errors.map((e) => {
    const shown = SENSITIVE_KEYS.includes(e.property) ? '<redacted>' : String(e.value);

    return `${e.property}=${shown} (${Object.values(e.constraints ?? {}).join(', ')})`;
  });
  const groups = configGroupsOf(env, overrides, config);
  // The provider slices need a valid port and simulator switch; with those wrong they would only echo the error.
  const providerInputs: readonly string[] = ['PORT', 'SIMULATOR_ENABLED', 'SMPP_SIM_PORT'];
  const providers = errors.some((e) => providerInputs.includes(e.property))
    ? { problems: [] }
    : providerSlices(env, config);
  const region = regionOf({ ...env, ...variablesOf(overrides) });
  const unknown = unknownSettings(env, { ...KNOWN_SETTINGS, keys: new Set([...KNOWN_SETTINGS.keys, ...groups.keys]) });
  // Settings that contradict one another are judged only on values that are each valid.
  const contradictions =
    invalid.length === 0 && groups.config && region.config
      ? settingContradictions(config, groups.config, region.config)
      : [];
  const problems = [
    ...invalid,
    ...groups.problems,
    ...region.problems,
    ...contradictions,
    ...providers.problems,
    ...unknown,
  ];
  if (problems.length > 0 || !providers.config || !groups.config || !region.config) {
    throw new InvalidConfigError(`Invalid environment variables: ${problems.join('; ')}`);
  }

  return Object.freeze(Object.assign(config, groups.config, { region: region.config, providers: providers.config }));
}

/**
 * The typed groups (groups/config-groups.ts) read from the environment, with the flat overrides a caller settles
 * (a service's default port, its run mode) in place of the variables they stand for.
 */
function configGroupsOf(
  env: Record<string, string | undefined>,
  overrides: Partial<Omit<AppConfig, 'providers' | 'region' | keyof ConfigGroups>>,
  config: AppConfig,
): { config?: ConfigGroups; keys: ReadonlySet<string>; problems: readonly string[] } {
  const read = new SettingsReader({ ...env, ...variablesOf(overrides) }, 'environment');
  const groups = readConfigGroups(read, { mode: config.MODE });
  try {
    return { config: read.done(groups), keys: read.keys, problems: [] };
  } catch (error) {
    if (error instanceof ConfigError) {
      return { keys: read.keys, problems: error.problems };
    }
    throw error;
  }
}

/** The provider slices (providers.config.ts), or the problems their definitions found. */
function providerSlices(
  env: Record<string, string | undefined>,
  config: AppConfig,
): { config?: ProvidersConfig; problems: readonly string[] } {
  try {
    return {
      config: providersConfigOf(env, {
        simulatorBaseUrl: config.SIMULATOR_ENABLED ? `http://127.0.0.1:${config.PORT}${SIMULATOR_PREFIX}` : null,
        smppSimPort: config.SMPP_SIM_PORT,
      }),
      problems: [],
    };
  } catch (error) {
    if (error instanceof ConfigError) {
      return { problems: error.problems };
    }
    throw error;
  }
}

/** Flat overrides a caller settles (a service's default port, its run mode), as the variables they stand for. */
const variablesOf = (overrides: object): Record<string, string> =>
  Object.fromEntries(
    Object.entries(overrides).flatMap(([key, value]: [string, unknown]) =>
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? [[key, String(value)]]
        : [],
    ),
  );

/** `config.region` (region/region.config.ts), or the problems it names. */
function regionOf(env: Record<string, string | undefined>): { config?: RegionConfig; problems: readonly string[] } {
  try {
    return { config: loadRegionConfig(env), problems: [] };
  } catch (error) {
    if (error instanceof InvalidConfigError) {
      return { problems: [error.message.replace(/^Invalid environment variables: /, '')] };
    }
    throw error;
  }
}

/**
 * Settings of different groups that are each valid but contradict one another, each problem naming both
 * variables. (Contradictions within one group are the group's slice's to find.)
 */
function settingContradictions(config: AppConfig, groups: ConfigGroups, region: RegionConfig): string[] {
  const problems: string[] = [];
  const contradict = (holds: boolean, keys: string, problem: string): void => {
    if (!holds) {
      problems.push(`${keys} contradict: ${problem}`);
    }
  };
  // Two listeners cannot bind one port: the second would fail at boot with a bare EADDRINUSE.
  contradict(
    config.METRICS_PORT === 0 || config.METRICS_PORT !== config.PORT,
    'METRICS_PORT and PORT',
    'the metrics listener needs a port of its own',
  );
  contradict(
    !config.SIMULATOR_ENABLED || config.SMPP_SIM_PORT === 0 || config.SMPP_SIM_PORT !== config.PORT,
    'SMPP_SIM_PORT and PORT',
    'the simulated SMSC needs a port of its own',
  );
  // The embedded gateway keeps its global slices in its own files; a global database it would never use
  // would let an operator believe accounts and opt-outs are shared between regions (docs/regions.md).
  contradict(
    config.MODE === 'distributed' || region.globalMysqlUrl === '',
    'GLOBAL_MYSQL_URL and MODE',
    'GLOBAL_MYSQL_URL is for the distributed mode; the embedded gateway keeps its global slices in DATA_DIR',
  );
  // Under one prefix a region's own topics (sms.send.v1 ...) would be every region's: each would send the others' messages.
  contradict(
    region.region === null || groups.kafka.topicPrefix !== region.globalTopicPrefix,
    'KAFKA_TOPIC_PREFIX and KAFKA_GLOBAL_TOPIC_PREFIX',
    "a region's topics need a prefix other than the global topics'",
  );

  return problems;
}

/**
 * What {@link unknownSettings} compares the environment with: every flat setting (a key added to {@link AppConfig}
 * is known at once), every provider slice's variable, and the variables other tools of the repository read.
 */
const KNOWN_SETTINGS: KnownSettings = {
  keys: new Set([...Object.keys(new AppConfig()), ...PROVIDER_SETTING_KEYS, 'EXIT_WITH_PARENT']),
  prefixes: [
    'TWILIO_',
    'VONAGE_',
    'SINCH_',
    'SMPP_',
    'AWS_SMS_',
    'AWS_SNS_',
    'MYSQL_',
    'REDIS_',
    'DLR_',
    'OPT_OUT_',
    'MASK_',
    'LIMITS_',
    'PUMPING_',
    'RETENTION_',
    'PARTITION_',
    'ARCHIVE_',
    'CALLBACK_',
    'WEBHOOK_',
    'ROUTER_',
    'INTAKE_',
    'METRICS_',
    'SMS_GATEWAY_',
  ],
  // Benchmarks and test tooling read their own knobs from the same environment (bench/, scripts/test.sh).
  foreign: [/_BENCH_/, /^BENCH_/],
};

/**
 * The configuration with some values settled after boot (the embedded gateway's generated secrets and simulator
 * accounts), frozen like the one {@link loadConfig} returned.
 */
export const withSettings = (config: AppConfig, settled: Partial<AppConfig>): AppConfig =>
  Object.freeze(Object.assign(Object.create(Object.getPrototypeOf(config) as object) as AppConfig, config, settled));

/** The base URL providers should call back; defaults to this process's own address. */
export const publicBaseUrlOf = (config: AppConfig): string =>
  (config.PUBLIC_BASE_URL || `http://127.0.0.1:${config.PORT}`).replace(/\/$/, '');

/** TLS and SASL of every Kafka client of the process, from the settings {@link loadConfig} checked. */
export const kafkaSecurityOfConfig = (config: Pick<AppConfig, 'kafka'>): KafkaSecurity => config.kafka.security;

/** The structured-log keys LOG_REDACT_KEYS adds to the built-in censored set. */
export const redactKeysOf = (config: AppConfig): readonly string[] =>
  config.LOG_REDACT_KEYS.split(',').filter((key) => key !== '');

/** The ports CALLBACK_ALLOWED_PORTS adds to 443 for callback URLs (validated at boot). */
export const callbackAllowedPortsOf = (config: Pick<AppConfig, 'callbacks'>): readonly number[] =>
  config.callbacks.allowedPorts;
