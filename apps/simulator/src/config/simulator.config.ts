import { SIMULATOR_ACCOUNT_DEFAULTS } from '@sms/simulator';

/** The simulator app's settings; the only place in the app that reads the environment. */
export interface SimulatorAppConfig {
  readonly port: number;
  readonly host: string;
  readonly publicBaseUrl: string;
  readonly prefix: string;
  readonly twilio: { readonly accountSid: string; readonly authToken: string };
  readonly vonage: { readonly apiKey: string; readonly apiSecret: string; readonly signatureSecret: string };
  readonly sinch: { readonly servicePlanId: string; readonly apiToken: string; readonly callbackSecret: string };
  /** The simulated AWS account; its SNS topics deliver to SIM_AWS_EVENTS_URL / SIM_AWS_INBOUND_URL when set. */
  readonly aws: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly region: string;
    readonly eventsUrl: string | null;
    readonly inboundUrl: string | null;
  };
  readonly seed?: number;
  /** The simulated SMPP SMSC: its TCP port (0 = any free port) and the bind credentials it accepts. */
  readonly smpp: { readonly port: number; readonly systemId: string; readonly password: string };
}

/**
 * Local-dev defaults: obviously fake credentials that can never authenticate against real Twilio. Whoever
 * points a gateway at the simulator configures the same pair there (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN).
 */
export const SIMULATOR_DEFAULTS = {
  port: 4010,
  host: '0.0.0.0',
  prefix: '/sim',
  twilioAccountSid: 'ACsimulator00000000000000000000000',
  twilioAuthToken: 'sim-auth-token',
  awsAccessKeyId: 'AKIASIMULATOR0000000',
  awsSecretAccessKey: 'sim-secret-access-key',
  awsRegion: 'us-east-1',
  smppPort: 2775,
  smppSystemId: 'smppsim',
  smppPassword: 'simpass',
} as const;

export function loadSimulatorConfig(env: Record<string, string | undefined>): SimulatorAppConfig {
  const problems: string[] = [];
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
  if (!/^https?:\/\/[^/]+/.test(publicBaseUrl)) {
    problems.push('SIM_PUBLIC_BASE_URL must be an absolute http(s) URL');
  }
  for (const key of ['SIM_AWS_EVENTS_URL', 'SIM_AWS_INBOUND_URL']) {
    if (env[key] && !/^https?:\/\/[^/]+/.test(env[key])) {
      problems.push(`${key} must be an absolute http(s) URL`);
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
    twilio: {
      accountSid: env['TWILIO_ACCOUNT_SID'] || SIMULATOR_DEFAULTS.twilioAccountSid,
      authToken: env['TWILIO_AUTH_TOKEN'] || SIMULATOR_DEFAULTS.twilioAuthToken,
    },
    // Same variable names and defaults as the gateway's, so both sides agree without extra setup.
    vonage: {
      apiKey: env['VONAGE_API_KEY'] || SIMULATOR_ACCOUNT_DEFAULTS.vonage.apiKey,
      apiSecret: env['VONAGE_API_SECRET'] || SIMULATOR_ACCOUNT_DEFAULTS.vonage.apiSecret,
      signatureSecret: env['VONAGE_SIGNATURE_SECRET'] || SIMULATOR_ACCOUNT_DEFAULTS.vonage.signatureSecret,
    },
    sinch: {
      servicePlanId: env['SINCH_SERVICE_PLAN_ID'] || SIMULATOR_ACCOUNT_DEFAULTS.sinch.servicePlanId,
      apiToken: env['SINCH_API_TOKEN'] || SIMULATOR_ACCOUNT_DEFAULTS.sinch.apiToken,
      callbackSecret: env['SINCH_CALLBACK_SECRET'] || SIMULATOR_ACCOUNT_DEFAULTS.sinch.callbackSecret,
    },
    aws: {
      accessKeyId: env['AWS_ACCESS_KEY_ID'] || SIMULATOR_DEFAULTS.awsAccessKeyId,
      secretAccessKey: env['AWS_SECRET_ACCESS_KEY'] || SIMULATOR_DEFAULTS.awsSecretAccessKey,
      region: env['AWS_REGION'] || SIMULATOR_DEFAULTS.awsRegion,
      eventsUrl: env['SIM_AWS_EVENTS_URL'] || null,
      inboundUrl: env['SIM_AWS_INBOUND_URL'] || null,
    },
    smpp: {
      port: smppPort,
      systemId: env['SMPP_SYSTEM_ID'] || SIMULATOR_DEFAULTS.smppSystemId,
      password: env['SMPP_PASSWORD'] || SIMULATOR_DEFAULTS.smppPassword,
    },
    ...(seed !== undefined && { seed }),
  };
}
