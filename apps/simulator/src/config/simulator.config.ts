/** The simulator app's settings; the only place in the app that reads the environment. */
export interface SimulatorAppConfig {
  readonly port: number;
  readonly host: string;
  readonly publicBaseUrl: string;
  readonly prefix: string;
  readonly twilio: { readonly accountSid: string; readonly authToken: string };
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
    smpp: {
      port: smppPort,
      systemId: env['SMPP_SYSTEM_ID'] || SIMULATOR_DEFAULTS.smppSystemId,
      password: env['SMPP_PASSWORD'] || SIMULATOR_DEFAULTS.smppPassword,
    },
    ...(seed !== undefined && { seed }),
  };
}
