import type { SimulatorAccounts } from '@sms/simulator';

/** The simulator app's settings; the only place in the app that reads the environment. */
export interface SimulatorAppConfig {
  readonly port: number;
  readonly host: string;
  readonly publicBaseUrl: string;
  readonly prefix: string;
  /** The shared token of the control routes (knobs, reset, inbound injection, message logs). */
  readonly controlToken: string;
  /** The gateway's webhook base (dlr-ingest): the only place the simulator posts to. */
  readonly webhookBaseUrl: string;
  readonly accounts: SimulatorAccounts;
  /** The simulated AWS region; its SNS topics deliver to SIM_AWS_EVENTS_URL / SIM_AWS_INBOUND_URL when set. */
  readonly aws: { readonly region: string; readonly eventsUrl: string | null; readonly inboundUrl: string | null };
  readonly seed?: number;
  /** The simulated SMPP SMSC's TCP port (0 = any free port). */
  readonly smpp: { readonly port: number };
}

export const SIMULATOR_DEFAULTS = {
  port: 4010,
  host: '127.0.0.1',
  prefix: '/sim',
  webhookBaseUrl: 'http://127.0.0.1:3004',
  awsRegion: 'us-east-1',
  smppPort: 2775,
} as const;

/**
 * The simulated accounts, each from its own `SIM_*` variable. Deliberately not the gateway's names
 * (TWILIO_AUTH_TOKEN, ...): a simulator started with a real deployment's environment must not sign with the
 * real provider's secrets. scripts/distributed.ts generates one set per run and gives it to both sides.
 */
export const SIMULATOR_ACCOUNT_VARIABLES = {
  twilio: { accountSid: 'SIM_TWILIO_ACCOUNT_SID', authToken: 'SIM_TWILIO_AUTH_TOKEN' },
  vonage: {
    apiKey: 'SIM_VONAGE_API_KEY',
    apiSecret: 'SIM_VONAGE_API_SECRET',
    signatureSecret: 'SIM_VONAGE_SIGNATURE_SECRET',
  },
  sinch: {
    servicePlanId: 'SIM_SINCH_SERVICE_PLAN_ID',
    apiToken: 'SIM_SINCH_API_TOKEN',
    callbackSecret: 'SIM_SINCH_CALLBACK_SECRET',
  },
  aws: { accessKeyId: 'SIM_AWS_ACCESS_KEY_ID', secretAccessKey: 'SIM_AWS_SECRET_ACCESS_KEY' },
  smpp: { systemId: 'SIM_SMPP_SYSTEM_ID', password: 'SIM_SMPP_PASSWORD' },
} as const;

const MIN_SECRET_LENGTH = 16;
const SECRET_FIELDS = new Set([
  'authToken',
  'apiSecret',
  'signatureSecret',
  'apiToken',
  'callbackSecret',
  'secretAccessKey',
]);

export function loadSimulatorConfig(env: Record<string, string | undefined>): SimulatorAppConfig {
  const problems: string[] = [];
  if (!['1', 'true', 'yes', 'on'].includes((env['SIM_ENABLED'] ?? '').toLowerCase())) {
    // The simulator signs webhooks the gateway accepts: it runs only where someone asked for it.
    throw new Error('The provider simulator runs only when SIM_ENABLED=true (test and development setups)');
  }
  const port = Number(env['SIM_PORT'] || SIMULATOR_DEFAULTS.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    problems.push('SIM_PORT must be an integer port number');
  }
  const seed = env['SIM_SEED'] ? Number(env['SIM_SEED']) : undefined;
  if (seed !== undefined && !Number.isInteger(seed)) {
    problems.push('SIM_SEED must be an integer');
  }
  const smppPort = Number(env['SMPP_SIM_PORT'] || SIMULATOR_DEFAULTS.smppPort);
  if (!Number.isInteger(smppPort) || smppPort < 0 || smppPort > 65_535) {
    problems.push('SMPP_SIM_PORT must be an integer port number');
  }
  const publicBaseUrl = env['SIM_PUBLIC_BASE_URL'] || `http://localhost:${port}`;
  if (!isHttpUrl(publicBaseUrl)) {
    problems.push('SIM_PUBLIC_BASE_URL must be an absolute http(s) URL');
  }
  const webhookBaseUrl = (env['SIM_WEBHOOK_BASE_URL'] || SIMULATOR_DEFAULTS.webhookBaseUrl).replace(/\/+$/, '');
  if (!isHttpUrl(webhookBaseUrl)) {
    problems.push('SIM_WEBHOOK_BASE_URL must be an absolute http(s) URL');
  }
  for (const key of ['SIM_AWS_EVENTS_URL', 'SIM_AWS_INBOUND_URL']) {
    if (env[key] && !isHttpUrl(env[key])) {
      problems.push(`${key} must be an absolute http(s) URL`);
    }
  }
  const controlToken = env['SIM_CONTROL_TOKEN'] ?? '';
  if (controlToken.length < 24) {
    problems.push(
      'SIM_CONTROL_TOKEN is required (at least 24 characters): it guards knobs, reset and inbound injection',
    );
  }
  const accounts: Record<string, Record<string, string>> = {};
  for (const [provider, fields] of Object.entries(SIMULATOR_ACCOUNT_VARIABLES)) {
    accounts[provider] = {};
    for (const [field, variable] of Object.entries(fields)) {
      const value = env[variable] ?? '';
      if (value === '') {
        problems.push(`${variable} is required`);
      } else if (SECRET_FIELDS.has(field) && value.length < MIN_SECRET_LENGTH) {
        problems.push(`${variable} must be at least ${MIN_SECRET_LENGTH} characters`);
      }
      accounts[provider][field] = value;
    }
  }
  if (problems.length > 0) {
    throw new Error(`Invalid simulator configuration: ${problems.join('; ')}`);
  }

  return {
    port,
    host: env['SIM_HOST'] || SIMULATOR_DEFAULTS.host,
    publicBaseUrl,
    prefix: SIMULATOR_DEFAULTS.prefix,
    controlToken,
    webhookBaseUrl,
    accounts: accounts as unknown as SimulatorAccounts,
    aws: {
      region: env['AWS_REGION'] || SIMULATOR_DEFAULTS.awsRegion,
      eventsUrl: env['SIM_AWS_EVENTS_URL'] || null,
      inboundUrl: env['SIM_AWS_INBOUND_URL'] || null,
    },
    smpp: { port: smppPort },
    ...(seed !== undefined && { seed }),
  };
}

/** The `SIM_*` variables that give the stand-alone simulator `accounts` (scripts/distributed.ts). */
export function simulatorAccountEnv(accounts: SimulatorAccounts): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [provider, fields] of Object.entries(SIMULATOR_ACCOUNT_VARIABLES)) {
    for (const [field, variable] of Object.entries(fields)) {
      env[variable] = (accounts as unknown as Record<string, Record<string, string>>)[provider]?.[field] ?? '';
    }
  }

  return env;
}

function isHttpUrl(value: string | undefined): boolean {
  return value !== undefined && /^https?:\/\/[^/]+/.test(value);
}
