import type { KafkaSecurity } from '@sms/bus';
import { ConfigError, type KnownSettings, SettingsReader, unknownSettings } from '@sms/config-kit';
import { type ConfigGroups, readConfigGroups } from './groups/config-groups';
import { readRunMode } from './groups/host.config';
import { InvalidConfigError } from './invalid-config.error';
import type { RunMode } from './run-mode';
import { loadRegionConfig, type RegionConfig } from '../region/region.config';
import { PROVIDER_SETTING_KEYS, type ProvidersConfig, providersConfigOf, SIMULATOR_PREFIX } from './providers.config';

export type { RunMode } from './run-mode';

/**
 * Every setting the gateway reads, validated once at boot by {@link loadConfig} (a bad value stops the process
 * with a list of every bad variable). Only this folder reads `process.env`. Each setting belongs to a typed group
 * (groups/config-groups.ts, where a new setting goes), handed to a module by its token (CONFIG_GROUP_TOKENS).
 * Secrets are marked in {@link SENSITIVE_KEYS} and never reach a message or a log.
 */
export interface AppConfig extends ConfigGroups {
  /** MODE: `embedded` (default) or `distributed`; every group's rules may depend on it. */
  readonly mode: RunMode;
  /** `config.providers.twilio` …: each adapter's slice, parsed by its own definition. */
  readonly providers: ProvidersConfig;
  /** This deployment's region and the others' (docs/regions.md); single-region when REGION is unset. */
  readonly region: RegionConfig;
}

/**
 * Variables that hold secrets. Their slices read them as secrets (`SettingsReader.secret`) and no problem quotes a
 * value, so none appears in a message; the deployment manifests keep them out of plain configuration.
 */
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
 * Reads and validates the environment once, at boot: the run mode and every group, then each provider's slice,
 * then the settings that contradict one another, then variables that look like settings but are none. Throws one
 * {@link InvalidConfigError} listing every problem by variable (never a secret's value). The result is frozen.
 * A caller that settles a variable itself (a service's default port) spreads it into `env`.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const groups = configGroupsOf(env);
  // The provider slices need a valid port and simulator switch; with those wrong they would only echo the error.
  const providerInputs: readonly string[] = ['PORT', 'SIMULATOR_ENABLED', 'SMPP_SIM_PORT'];
  const providers = groups.invalidKeys.some((key) => providerInputs.includes(key))
    ? { problems: [] }
    : providerSlices(env, groups.read);
  const region = regionOf(env);
  const unknown = unknownSettings(env, { ...KNOWN_SETTINGS, keys: new Set([...KNOWN_SETTINGS.keys, ...groups.keys]) });
  // Settings that contradict one another are judged only on values that are each valid.
  const contradictions = groups.config && region.config ? settingContradictions(groups.config, region.config) : [];
  const problems = [...groups.problems, ...region.problems, ...contradictions, ...providers.problems, ...unknown];
  if (problems.length > 0 || !providers.config || !groups.config || !region.config) {
    throw new InvalidConfigError(`Invalid environment variables: ${problems.join('; ')}`);
  }

  return Object.freeze({ ...groups.config, region: region.config, providers: providers.config });
}

type HostSettings = ConfigGroups & { readonly mode: RunMode };

/**
 * The run mode and the typed groups (groups/config-groups.ts) read from the environment. `read` holds what was
 * read even when some values are invalid; `invalidKeys` names the variables whose values are not to be used.
 */
function configGroupsOf(env: Record<string, string | undefined>): {
  config?: HostSettings;
  read: HostSettings;
  keys: ReadonlySet<string>;
  invalidKeys: readonly string[];
  problems: readonly string[];
} {
  const reader = new SettingsReader(env, 'environment');
  const mode = readRunMode(reader);
  const read = { mode, ...readConfigGroups(reader, { mode }) };
  try {
    return { config: reader.done(read), read, keys: reader.keys, invalidKeys: [], problems: [] };
  } catch (error) {
    if (error instanceof ConfigError) {
      return { read, keys: reader.keys, invalidKeys: error.invalidKeys, problems: error.problems };
    }
    throw error;
  }
}

/** The provider slices (providers.config.ts), or the problems their definitions found. */
function providerSlices(
  env: Record<string, string | undefined>,
  { http, simulator }: Pick<ConfigGroups, 'http' | 'simulator'>,
): { config?: ProvidersConfig; problems: readonly string[] } {
  try {
    return {
      config: providersConfigOf(env, {
        simulatorBaseUrl: simulator.enabled ? `http://127.0.0.1:${http.port}${SIMULATOR_PREFIX}` : null,
        smppSimPort: simulator.smppPort,
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
function settingContradictions(config: HostSettings, region: RegionConfig): string[] {
  const problems: string[] = [];
  const contradict = (holds: boolean, keys: string, problem: string): void => {
    if (!holds) {
      problems.push(`${keys} contradict: ${problem}`);
    }
  };
  // Two listeners cannot bind one port: the second would fail at boot with a bare EADDRINUSE.
  contradict(
    config.metrics.port === 0 || config.metrics.port !== config.http.port,
    'METRICS_PORT and PORT',
    'the metrics listener needs a port of its own',
  );
  contradict(
    !config.simulator.enabled || config.simulator.smppPort === 0 || config.simulator.smppPort !== config.http.port,
    'SMPP_SIM_PORT and PORT',
    'the simulated SMSC needs a port of its own',
  );
  // The embedded gateway keeps its global slices in its own files; a global database it would never use
  // would let an operator believe accounts and opt-outs are shared between regions (docs/regions.md).
  contradict(
    config.mode === 'distributed' || region.globalMysqlUrl === '',
    'GLOBAL_MYSQL_URL and MODE',
    'GLOBAL_MYSQL_URL is for the distributed mode; the embedded gateway keeps its global slices in DATA_DIR',
  );
  // Under one prefix a region's own topics (sms.send.v1 ...) would be every region's: each would send the others' messages.
  contradict(
    region.region === null || config.kafka.topicPrefix !== region.globalTopicPrefix,
    'KAFKA_TOPIC_PREFIX and KAFKA_GLOBAL_TOPIC_PREFIX',
    "a region's topics need a prefix other than the global topics'",
  );

  return problems;
}

/**
 * What {@link unknownSettings} compares the environment with, besides every variable the groups read: every
 * provider slice's variable, and the variables other tools of the repository read.
 */
const KNOWN_SETTINGS: KnownSettings = {
  keys: new Set([...PROVIDER_SETTING_KEYS, 'EXIT_WITH_PARENT']),
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
export const publicBaseUrlOf = ({ http }: Pick<AppConfig, 'http'>): string =>
  http.publicBaseUrl || `http://127.0.0.1:${http.port}`;

/** TLS and SASL of every Kafka client of the process, from the settings {@link loadConfig} checked. */
export const kafkaSecurityOfConfig = (config: Pick<AppConfig, 'kafka'>): KafkaSecurity => config.kafka.security;

/** The ports CALLBACK_ALLOWED_PORTS adds to 443 for callback URLs (validated at boot). */
export const callbackAllowedPortsOf = (config: Pick<AppConfig, 'callbacks'>): readonly number[] =>
  config.callbacks.allowedPorts;
