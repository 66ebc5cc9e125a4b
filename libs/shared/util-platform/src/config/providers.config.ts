import { ConfigError, type RawSettings, SettingsReader } from '@sms/config-kit';
import { AWS_CONFIG_KEYS, type AwsConfig, DEFAULT_SNS_CERT_URL_ALLOW, parseAwsConfig } from '@sms/provider-aws';
import { parseSinchConfig, SINCH_CONFIG_KEYS, type SinchConfig } from '@sms/provider-sinch';
import { parseSmppConfig, SMPP_CONFIG_KEYS, type SmppConfig } from '@sms/provider-smpp';
import { parseTwilioConfig, TWILIO_CONFIG_KEYS, type TwilioConfig } from '@sms/provider-twilio';
import { parseVonageConfig, VONAGE_CONFIG_KEYS, type VonageConfig } from '@sms/provider-vonage';

export type ProviderKind = 'twilio' | 'vonage' | 'sinch' | 'aws' | 'smpp';

/** `config.providers`: one typed slice per adapter, parsed by the adapter's own definition. */
export interface ProvidersConfig {
  readonly twilio: TwilioConfig;
  readonly vonage: VonageConfig;
  readonly sinch: SinchConfig;
  readonly aws: AwsConfig;
  /** Null when no SMSC is configured (SMPP_HOST) and no simulator runs in the process. */
  readonly smpp: SmppConfig | null;
  /** The providers the in-process simulator stands in for: those given no address of their own. */
  readonly simulated: readonly ProviderKind[];
}

/** Where the in-process simulator serves each provider's API in the embedded mode. */
export const SIMULATOR_PREFIX = '/sim';

/** What the provider slices need from the rest of the configuration. */
export interface ProvidersContext {
  /** The in-process simulator's base URL, when it runs (SIMULATOR_ENABLED); null otherwise. */
  readonly simulatorBaseUrl: string | null;
  /** The simulated SMSC's port (SMPP_SIM_PORT). */
  readonly smppSimPort: number;
}

/** Every variable the provider slices read, for the unknown-setting check. */
export const PROVIDER_SETTING_KEYS: readonly string[] = [
  TWILIO_CONFIG_KEYS,
  VONAGE_CONFIG_KEYS,
  SINCH_CONFIG_KEYS,
  AWS_CONFIG_KEYS,
  SMPP_CONFIG_KEYS,
].flatMap((keys) => Object.values(keys));

/**
 * The public accounts of the simulator, used when a provider is given no address of its own (its credentials
 * then reach only the simulator, or fail against the real provider).
 */
const SIMULATOR_PUBLIC_ACCOUNTS: Readonly<Record<ProviderKind, RawSettings>> = {
  twilio: { TWILIO_ACCOUNT_SID: 'ACsimulator00000000000000000000000', TWILIO_AUTH_TOKEN: 'sim-auth-token' },
  vonage: {
    VONAGE_API_KEY: 'simkey01',
    VONAGE_API_SECRET: 'sim-vonage-secret',
    VONAGE_SIGNATURE_SECRET: 'sim-vonage-signature-secret',
  },
  sinch: {
    SINCH_SERVICE_PLAN_ID: 'simplan00000000000000000000000000',
    SINCH_API_TOKEN: 'sim-sinch-api-token',
    SINCH_CALLBACK_SECRET: 'sim-sinch-callback-secret',
  },
  aws: { AWS_ACCESS_KEY_ID: 'AKIASIMULATOR0000000', AWS_SECRET_ACCESS_KEY: 'sim-secret-access-key' },
  smpp: { SMPP_SYSTEM_ID: 'smppsim', SMPP_PASSWORD: 'simpass' },
};

/** The variable that aims each provider at an address of its own. */
const ADDRESS: Readonly<Record<ProviderKind, string>> = {
  twilio: TWILIO_CONFIG_KEYS.baseUrl,
  vonage: VONAGE_CONFIG_KEYS.baseUrl,
  sinch: SINCH_CONFIG_KEYS.baseUrl,
  aws: AWS_CONFIG_KEYS.endpoint,
  smpp: SMPP_CONFIG_KEYS.host,
};

const KINDS: readonly ProviderKind[] = ['twilio', 'vonage', 'sinch', 'aws', 'smpp'];

/**
 * Parses every provider slice from the environment in one pass, throwing one {@link ConfigError} with the
 * problems of all of them. A provider without an address talks to the in-process simulator when it runs.
 */
export function providersConfigOf(env: RawSettings, context: ProvidersContext): ProvidersConfig {
  const check = new SettingsReader(env, 'provider');
  const addressed = new Set(KINDS.filter((kind) => check.text(ADDRESS[kind]) !== undefined));
  const simulator = context.simulatorBaseUrl;
  const simulated = KINDS.filter((kind) => !addressed.has(kind) && simulator !== null);
  // A shared ConfigMap gives every service a provider's address while only the senders get its secrets (k8s/),
  // so an address without credentials is not refused here; dlr-ingest's webhook-secret check refuses public ones.
  const rawOf = (kind: ProviderKind): RawSettings => ({ ...publicAccountFor(kind, check), ...defined(env) });
  const simulatedUrl = (kind: ProviderKind): RawSettings =>
    simulated.includes(kind) ? { [ADDRESS[kind]]: `${simulator}/${kind}` } : {};
  const problems: ConfigError[] = [];
  const slice = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ConfigError)) {
        throw error;
      }
      problems.push(error);

      return undefined;
    }
  };

  const twilio = slice(() => parseTwilioConfig({ ...rawOf('twilio'), ...simulatedUrl('twilio') }));
  const vonage = slice(() => parseVonageConfig({ ...rawOf('vonage'), ...simulatedUrl('vonage') }));
  const sinch = slice(() => parseSinchConfig({ ...rawOf('sinch'), ...simulatedUrl('sinch') }));
  const aws = slice(() => parseAwsConfig({ ...rawOf('aws'), ...awsSimulation(env, simulated, simulator) }));
  const smpp =
    addressed.has('smpp') || simulated.includes('smpp')
      ? slice(() => parseSmppConfig({ ...rawOf('smpp'), ...smppSimulation(simulated, context) }))
      : null;
  slice(() => check.done({}));
  if (problems.length > 0 || !twilio || !vonage || !sinch || !aws || smpp === undefined) {
    throw new ConfigError(
      'provider',
      problems.flatMap((error) => error.invalidKeys),
      problems.flatMap((error) => error.problems),
    );
  }

  return Object.freeze({ twilio, vonage, sinch, aws, smpp, simulated: Object.freeze(simulated) });
}

/**
 * The simulated AWS endpoint, whose SNS certificates are accepted beside AWS's own unless an allow-list is
 * configured; a real deployment keeps the AWS-only list.
 */
function awsSimulation(env: RawSettings, simulated: readonly ProviderKind[], simulator: string | null): RawSettings {
  if (!simulated.includes('aws') || simulator === null) {
    return {};
  }
  const endpoint = `${simulator}/aws`;
  const allow =
    env[AWS_CONFIG_KEYS.snsCertUrlAllow]?.trim() || `${DEFAULT_SNS_CERT_URL_ALLOW}|^${escapeRegex(endpoint)}/`;

  return { [AWS_CONFIG_KEYS.endpoint]: endpoint, [AWS_CONFIG_KEYS.snsCertUrlAllow]: allow };
}

/**
 * The simulated SMSC on loopback at SMPP_SIM_PORT; when that is 0 the simulator picks a port, which the
 * embedded gateway hands the adapter once it listens (SMPP_PORT stands in until then).
 */
function smppSimulation(simulated: readonly ProviderKind[], context: ProvidersContext): RawSettings {
  if (!simulated.includes('smpp')) {
    return {};
  }

  return {
    [SMPP_CONFIG_KEYS.host]: '127.0.0.1',
    ...(context.smppSimPort !== 0 && { [SMPP_CONFIG_KEYS.port]: String(context.smppSimPort) }),
  };
}

/**
 * The public account's values for the variables left unset, one by one (dlr-ingest is given only the webhook
 * secrets); AWS's key pair only as a pair, since one half beside the other's public value is a mistake.
 */
function publicAccountFor(kind: ProviderKind, check: SettingsReader): RawSettings {
  const account = SIMULATOR_PUBLIC_ACCOUNTS[kind];
  if (kind === 'aws' && Object.keys(account).some((key) => check.text(key) !== undefined)) {
    return {};
  }

  return account;
}

const defined = (env: RawSettings): RawSettings =>
  Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
