import { InvalidConfigError, loadConfig } from './app.config';

const failureOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);

    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('loadConfig: one validated, frozen configuration', () => {
  it('hands out typed provider slices, with no second defaults', () => {
    const config = loadConfig({ SIMULATOR_ENABLED: 'false', TWILIO_REQUEST_TIMEOUT_MS: '2500' });

    expect(config.providers.twilio).toEqual({
      accountSid: 'ACsimulator00000000000000000000000',
      authToken: 'sim-auth-token',
      baseUrl: 'https://api.twilio.com',
      requestTimeoutMs: 2500,
    });
    expect(config.providers.smpp).toBeNull();
    expect(config.providers.simulated).toEqual([]);
  });

  it('aims every provider without an address of its own at the in-process simulator', () => {
    const config = loadConfig({
      PORT: '4100',
      SMPP_SIM_PORT: '2999',
      TWILIO_BASE_URL: 'https://twilio.example',
      TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'a-private-token',
    });

    expect(config.providers.simulated).toEqual(['vonage', 'sinch', 'aws', 'smpp']);
    expect(config.providers.twilio.baseUrl).toBe('https://twilio.example');
    expect(config.providers.vonage.baseUrl).toBe('http://127.0.0.1:4100/sim/vonage');
    expect(config.providers.aws.endpoint).toBe('http://127.0.0.1:4100/sim/aws');
    expect(config.providers.smpp).toMatchObject({ host: '127.0.0.1', port: 2999, systemId: 'smppsim' });
  });

  it('is frozen, slices included', () => {
    const config = loadConfig({});

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.providers)).toBe(true);
    expect(Object.isFrozen(config.providers.twilio)).toBe(true);
  });

  it('keeps the operators\u2019 variable names', () => {
    const config = loadConfig({
      SIMULATOR_ENABLED: 'false',
      SMPP_HOST: 'smsc.example',
      SMPP_SYSTEM_ID: 'acme',
      SMPP_PASSWORD: 'secret1',
      SMPP_PORT: '2776',
      SMPP_BINDS: '3',
      SMPP_DLR_ID_BASE: 'decimal',
      AWS_REGION: 'eu-west-1',
      AWS_SMS_MODE: 'sns',
      VONAGE_SIGNATURE_METHOD: 'sha256',
    });

    expect(config.providers.smpp).toMatchObject({ host: 'smsc.example', port: 2776, binds: 3, dlrIdBase: 'decimal' });
    expect(config.providers.aws).toMatchObject({ region: 'eu-west-1', mode: 'sns' });
    expect(config.providers.vonage.signatureMethod).toBe('sha256');
  });
});

describe('loadConfig: unknown settings fail the boot, naming themselves', () => {
  it('names a misspelt variable and the one it was probably meant to be', () => {
    expect(failureOf({ TWILO_ACCOUNT_SID: 'AC123' })).toContain(
      'TWILO_ACCOUNT_SID is not a setting (did you mean TWILIO_ACCOUNT_SID?)',
    );
    expect(failureOf({ KAFKA_BROKER: '127.0.0.1:9092' })).toContain('did you mean KAFKA_BROKERS?');
  });

  it('names a variable under a prefix of the gateway that no slice reads', () => {
    expect(failureOf({ SMPP_KEEPALIVE: '1' })).toContain('SMPP_KEEPALIVE is not a setting');
  });

  it('leaves the rest of the environment alone', () => {
    expect(() =>
      loadConfig({ HOME: '/root', PATH: '/usr/bin', NODE_ENV: 'production', KAFKAJS_NO_PARTITIONER_WARNING: '1' }),
    ).not.toThrow();
  });
});

describe('loadConfig: contradictory settings fail the boot, naming every variable', () => {
  it('refuses half an AWS key pair', () => {
    expect(failureOf({ AWS_ACCESS_KEY_ID: 'AKIAONLY' })).toContain('AWS_SECRET_ACCESS_KEY must be set together');
  });

  it('refuses TLS settings without TLS', () => {
    expect(failureOf({ KAFKA_SSL_CA_FILE: '/etc/ca.pem' })).toMatch(/KAFKA_SSL_CA_FILE/);
  });

  it('refuses a minimum above its maximum', () => {
    expect(failureOf({ SMPP_RECONNECT_BASE_MS: '5000', SMPP_RECONNECT_MAX_MS: '1000' })).toContain(
      'SMPP_RECONNECT_BASE_MS and SMPP_RECONNECT_MAX_MS contradict',
    );
    expect(failureOf({ DLR_WEBHOOK_RATE_PER_SECOND: '500', DLR_WEBHOOK_RATE_BURST: '100' })).toContain(
      'DLR_WEBHOOK_RATE_PER_SECOND and DLR_WEBHOOK_RATE_BURST contradict',
    );
  });

  it('refuses a replay window longer than the retention that catches replays', () => {
    expect(failureOf({ DLR_WEBHOOK_MAX_AGE_SECONDS: '7200', DLR_RAW_RETENTION_HOURS: '1' })).toContain(
      'DLR_WEBHOOK_MAX_AGE_SECONDS and DLR_RAW_RETENTION_HOURS contradict',
    );
  });

  it('refuses settings of different groups that contradict, naming both variables', () => {
    expect(failureOf({ PORT: '9464', METRICS_PORT: '9464' })).toContain(
      'METRICS_PORT and PORT contradict: the metrics listener needs a port of its own',
    );
    expect(failureOf({ PORT: '2775', SMPP_SIM_PORT: '2775' })).toContain('SMPP_SIM_PORT and PORT contradict');
    expect(loadConfig({ PORT: '2775', SMPP_SIM_PORT: '2775', SIMULATOR_ENABLED: 'false' }).http.port).toBe(2775);
    const regions = { REGION: 'eu', REGIONS: 'eu=https://eu.example,us=https://us.example' };
    expect(
      failureOf({ ...regions, KAFKA_GLOBAL_TOPIC_PREFIX: 'g.', GLOBAL_MYSQL_URL: 'mysql://root@global/sms' }),
    ).toContain('GLOBAL_MYSQL_URL and MODE contradict');
    expect(failureOf({ ...regions, KAFKA_GLOBAL_TOPIC_PREFIX: 'g.', KAFKA_TOPIC_PREFIX: 'g.' })).toContain(
      'KAFKA_TOPIC_PREFIX and KAFKA_GLOBAL_TOPIC_PREFIX contradict',
    );
    expect(loadConfig({ ...regions, KAFKA_GLOBAL_TOPIC_PREFIX: 'g.', KAFKA_TOPIC_PREFIX: 'eu.' }).region.region).toBe(
      'eu',
    );
  });

  it('hands each module its group, read once, frozen, and names a typo of a group variable', () => {
    const config = loadConfig({ DB_POOL_SIZE: '7', OPT_OUT_SCOPE: 'sender' });

    expect(config.database.poolSize).toBe(7);
    expect(Object.isFrozen(config.database)).toBe(true);
    expect(Object.isFrozen(config.optOut)).toBe(true);
    expect(failureOf({ DB_POOL_SIZ: '7' })).toContain('DB_POOL_SIZ is not a setting (did you mean DB_POOL_SIZE?)');
    expect(failureOf({ REGIONS: 'eu=https://eu.example' })).toContain('REGIONS set without REGION');
  });

  it('lists the problems of every slice at once, never a secret value', () => {
    const message = failureOf({
      METRICS_PORT: 'eighty',
      TWILIO_REQUEST_TIMEOUT_MS: '0',
      SMPP_PASSWORD: 'much-too-long-password',
      AWS_ACCESS_KEY_ID: 'AKIAONLY',
    });

    expect(message).toContain('METRICS_PORT must be an integer between 0 and 65535');
    expect(message).toContain('TWILIO_REQUEST_TIMEOUT_MS must be an integer');
    expect(message).toContain('SMPP_PASSWORD must be at most 8 characters');
    expect(message).toContain('AWS_SECRET_ACCESS_KEY must be set together with its pair');
    expect(message).not.toContain('much-too-long-password');
  });
});
