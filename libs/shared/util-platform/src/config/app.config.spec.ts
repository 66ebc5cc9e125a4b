import {
  type AppConfig,
  assertWebhookSecrets,
  InvalidConfigError,
  kafkaSecurityOfConfig,
  loadConfig,
  publicBaseUrlOf,
  SENSITIVE_KEYS,
  webhookSecretProblems,
} from './app.config';
import { databaseConfigOf } from './database-config';

const DISTRIBUTED = {
  MODE: 'distributed',
  MYSQL_URL: 'mysql://root@127.0.0.1:3306/sms',
  REDIS_URL: 'redis://127.0.0.1:6379',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

/** The InvalidConfigError message for an environment; fails the test when the environment is valid. */
function problems(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);

    return (error as InvalidConfigError).message;
  }
  throw new Error(`valid: ${JSON.stringify(env)}`);
}

describe(loadConfig.name, () => {
  it('runs embedded with the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mode: 'embedded',
      database: { dataDir: './data', mysqlUrl: '', poolSize: 10 },
      kafka: {
        brokers: [],
        topicPrefix: '',
        fetchMaxWaitMs: 5_000,
        legacyStatusReads: false,
        security: { ssl: false },
      },
      redis: { url: '', keyPrefix: 'sms:router:' },
      privacy: { salt: '' },
      keywords: { extraStopWords: 'ARRET,ARRÊT', extraStartWords: '' },
      optOut: { scope: 'account' },
      masking: { poolNumbers: ['+12025550160', '+12025550161', '+12025550162'], sweepIntervalMs: 10_000 },
    });
    expect(config.intake).toMatchObject({ delivery: { maxSendAttempts: 4, retryBaseDelayMs: 2000 } });
  });

  it('reads the process settings as their groups, each frozen, with the documented defaults', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('embedded');
    expect(config.http).toEqual({
      port: 3000,
      host: '127.0.0.1',
      publicBaseUrl: '',
      consoleDir: 'dist/apps/console',
    });
    expect(config.metrics).toEqual({ port: 0, host: '127.0.0.1', token: '' });
    expect(config.logging).toEqual({ level: 'info', redactKeys: [] });
    expect(config.simulator).toEqual({ enabled: true, smppPort: 2775 });
    expect(config.cpu).toEqual({ nice: 0, policy: 'other' });
    expect(config.auth).toEqual({ bootstrapApiKey: '' });
    for (const group of [config.http, config.metrics, config.logging, config.simulator, config.cpu, config.auth]) {
      expect(Object.isFrozen(group)).toBe(true);
    }
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats empty variables as unset and ignores variables it does not know', () => {
    expect(loadConfig({ PORT: '', MODE: '', PATH: '/usr/bin', HOME: undefined })).toMatchObject({
      mode: 'embedded',
      http: { port: 3000 },
    });
  });

  it.each<[string, string, (config: AppConfig) => unknown, unknown]>([
    ['MODE', 'distributed', (c) => c.mode, 'distributed'],
    ['PORT', '8080', (c) => c.http.port, 8080],
    ['HOST', '0.0.0.0', (c) => c.http.host, '0.0.0.0'],
    ['PUBLIC_BASE_URL', 'https://sms.example.com/', (c) => c.http.publicBaseUrl, 'https://sms.example.com'],
    ['CONSOLE_DIR', '/srv/console', (c) => c.http.consoleDir, '/srv/console'],
    ['SMS_GATEWAY_API_KEY', 'k'.repeat(24), (c) => c.auth.bootstrapApiKey, 'k'.repeat(24)],
    ['METRICS_PORT', '9464', (c) => c.metrics.port, 9464],
    ['METRICS_HOST', '0.0.0.0', (c) => c.metrics.host, '0.0.0.0'],
    ['METRICS_TOKEN', 't'.repeat(16), (c) => c.metrics.token, 't'.repeat(16)],
    ['LOG_LEVEL', 'silent', (c) => c.logging.level, 'silent'],
    ['LOG_REDACT_KEYS', 'clientReference,callbackUrl', (c) => c.logging.redactKeys, ['clientReference', 'callbackUrl']],
    ['SIMULATOR_ENABLED', 'yes', (c) => c.simulator.enabled, true],
    ['SIMULATOR_ENABLED', 'off', (c) => c.simulator.enabled, false],
    ['SMPP_SIM_PORT', '0', (c) => c.simulator.smppPort, 0],
    ['CPU_NICE', '19', (c) => c.cpu.nice, 19],
    ['CPU_POLICY', 'idle', (c) => c.cpu.policy, 'idle'],
  ])('reads %s=%s', (key, value, read, expected) => {
    const env = key === 'MODE' ? { ...DISTRIBUTED, [key]: value } : { [key]: value };
    expect(read(loadConfig(env))).toEqual(expected);
  });

  it.each<[string, string, string]>([
    ['MODE', 'Distributed', 'MODE must be one of embedded, distributed'],
    ['PORT', '65536', 'PORT must be an integer between 0 and 65535'],
    ['PORT', 'http', 'PORT must be an integer between 0 and 65535'],
    ['PUBLIC_BASE_URL', 'sms.example.com', 'PUBLIC_BASE_URL must be an absolute http(s) URL'],
    ['SMS_GATEWAY_API_KEY', 'hunter2-secret', 'SMS_GATEWAY_API_KEY must be at least 24 characters'],
    ['METRICS_PORT', '-1', 'METRICS_PORT must be an integer between 0 and 65535'],
    ['METRICS_TOKEN', 'hunter2-secret', 'METRICS_TOKEN must be at least 16 characters'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    ['LOG_REDACT_KEYS', 'a b;c', 'LOG_REDACT_KEYS must be a comma-separated list of keys'],
    ['SIMULATOR_ENABLED', 'nope', 'SIMULATOR_ENABLED must be true or false'],
    ['SMPP_SIM_PORT', '70000', 'SMPP_SIM_PORT must be an integer between 0 and 65535'],
  ])('refuses %s=%s, naming the variable and never a secret', (key, value, message) => {
    const text = problems({ [key]: value });
    expect(text).toContain(message);
    expect(text).not.toContain('hunter2-secret');
  });

  it.each(['-5', '20', '1.5', 'low'])(
    'refuses CPU_NICE=%s: a service may only lower its priority, to 19 at most',
    (value) => {
      expect(problems({ CPU_NICE: value })).toBe(
        'Invalid environment variables: CPU_NICE must be an integer between 0 and 19',
      );
    },
  );

  it.each(['fifo', 'IDLE', 'batch'])('refuses CPU_POLICY=%s: only time sharing and SCHED_IDLE', (value) => {
    expect(problems({ CPU_POLICY: value })).toContain('CPU_POLICY must be one of other, idle');
  });

  it('lets a distributed intake leave its topics to another, and refuses that in the embedded mode', () => {
    expect(loadConfig({ ...DISTRIBUTED, INTAKE_CONSUMERS_ENABLED: 'false' }).intake.consumersEnabled).toBe(false);
    expect(loadConfig({}).intake.consumersEnabled).toBe(true);
    expect(problems({ INTAKE_CONSUMERS_ENABLED: 'false' })).toContain(
      'INTAKE_CONSUMERS_ENABLED=false needs MODE=distributed',
    );
  });

  it('reads Kafka TLS and SASL, and hands every client the same settings', () => {
    const config = loadConfig({
      ...DISTRIBUTED,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/etc/kafka-ca/ca.crt',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'sms-gateway',
      KAFKA_SASL_PASSWORD: 'a-long-kafka-password',
    });
    expect(kafkaSecurityOfConfig(config)).toEqual({
      ssl: true,
      caFile: '/etc/kafka-ca/ca.crt',
      sasl: { mechanism: 'scram-sha-512', username: 'sms-gateway', password: 'a-long-kafka-password' },
    });
    expect(kafkaSecurityOfConfig(loadConfig(DISTRIBUTED))).toEqual({ ssl: false });
    expect(SENSITIVE_KEYS).toContain('KAFKA_SASL_PASSWORD');
  });

  it.each<[string, Record<string, string>, string]>([
    ['a KAFKA_SSL typo', { KAFKA_SSL: 'ture' }, 'KAFKA_SSL must be true or false'],
    [
      'an unknown mechanism',
      { KAFKA_SASL_MECHANISM: 'gssapi' },
      'KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512',
    ],
    [
      'a CA file without TLS',
      { KAFKA_SSL_CA_FILE: '/ca.crt' },
      'KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true: the connection would be plaintext',
    ],
    [
      'SASL without a password',
      { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' },
      'KAFKA_SASL_MECHANISM=scram-sha-256 needs KAFKA_SASL_PASSWORD',
    ],
    [
      'a password without a mechanism',
      { KAFKA_SASL_PASSWORD: 'secret-value-123' },
      'KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set without KAFKA_SASL_MECHANISM',
    ],
    [
      'PLAIN in clear text',
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'secret-value-123' },
      'KAFKA_SASL_MECHANISM=plain sends the password in clear text',
    ],
  ])('refuses %s at boot', (_name, env, message) => {
    const text = problems({ ...DISTRIBUTED, ...env });
    expect(text).toContain(message);
    expect(text).not.toContain('secret-value-123');
  });

  it('keeps 90 hot days by default, 0 keeps everything, and refuses a negative window', () => {
    expect(loadConfig({}).retention.hotDays).toBe(90);
    expect(loadConfig({ RETENTION_HOT_DAYS: '0' }).retention.hotDays).toBe(0);
    expect(problems({ RETENTION_HOT_DAYS: '-1' })).toContain('RETENTION_HOT_DAYS must be');
  });

  it('takes one archive, a directory or a bucket, and refuses a bad bucket name or prefix', () => {
    expect(loadConfig({ ARCHIVE_S3_BUCKET: 'sms-archive', ARCHIVE_S3_PREFIX: 'gw/eu' }).retention).toMatchObject({
      archiveS3Bucket: 'sms-archive',
      archiveS3Prefix: 'gw/eu',
      archiveS3ForcePathStyle: false,
    });
    expect(problems({ ARCHIVE_DIR: '/var/archive', ARCHIVE_S3_BUCKET: 'sms-archive' })).toContain(
      'ARCHIVE_DIR and ARCHIVE_S3_BUCKET are exclusive',
    );
    expect(problems({ ARCHIVE_S3_BUCKET: 'Not_A_Bucket' })).toContain('ARCHIVE_S3_BUCKET must be an S3 bucket name');
    expect(problems({ ARCHIVE_S3_PREFIX: '/gw/' })).toContain('ARCHIVE_S3_PREFIX must be path segments');
  });

  it('needs no database, Redis or Kafka in the embedded mode', () => {
    expect(loadConfig({ MODE: 'embedded' }).database.mysqlUrl).toBe('');
  });

  it('accepts a complete distributed environment', () => {
    expect(
      loadConfig({ ...DISTRIBUTED, KAFKA_BROKERS: 'k1:9092,k2:9092', REDIS_URL: 'rediss://r:6380' }),
    ).toMatchObject({
      mode: 'distributed',
      kafka: { brokers: ['k1:9092', 'k2:9092'] },
      redis: { url: 'rediss://r:6380' },
    });
  });

  it('waits 5 s per empty Kafka fetch unless told otherwise, and refuses a wait outside 100 ms to 30 s', () => {
    expect(loadConfig(DISTRIBUTED).kafka.fetchMaxWaitMs).toBe(5_000);
    expect(loadConfig({ ...DISTRIBUTED, KAFKA_FETCH_MAX_WAIT_MS: '1000' }).kafka.fetchMaxWaitMs).toBe(1_000);
    expect(problems({ ...DISTRIBUTED, KAFKA_FETCH_MAX_WAIT_MS: '50' })).toContain('KAFKA_FETCH_MAX_WAIT_MS');
    expect(problems({ ...DISTRIBUTED, KAFKA_FETCH_MAX_WAIT_MS: '60000' })).toContain('KAFKA_FETCH_MAX_WAIT_MS');
  });

  it('lists every missing distributed dependency in one error', () => {
    const message = problems({ MODE: 'distributed' });

    expect(message).toMatch(/^Invalid environment variables: /);
    expect(message).toContain('MYSQL_URL must be a mysql:// URL (MODE=distributed)');
    expect(message).toContain('REDIS_URL must be a redis:// URL (MODE=distributed)');
    expect(message).toContain('KAFKA_BROKERS is required (MODE=distributed): host:port[,host:port]');
  });

  it.each<[string, string]>([
    ['KAFKA_BROKERS', '127.0.0.1'],
    ['KAFKA_BROKERS', 'a:1,b'],
    ['MYSQL_URL', 'postgres://db/sms'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
  ])('refuses distributed %s=%s', (key, value) => {
    expect(problems({ ...DISTRIBUTED, [key]: value })).toContain(`${key} must be`);
  });

  it('reads KAFKA_BROKERS as a list, blanks and spaces around the commas dropped', () => {
    expect(loadConfig({ ...DISTRIBUTED, KAFKA_BROKERS: 'a:1, b:2,' }).kafka.brokers).toEqual(['a:1', 'b:2']);
  });

  it('lists every bad key, not just the first', () => {
    const message = problems({
      MODE: 'distributed',
      MYSQL_URL: 'mysql://root@db/sms',
      PORT: 'http',
      LOG_LEVEL: 'loud',
      MAX_SEND_ATTEMPTS: '0',
      DB_POOL_SIZE: '500',
      RETRY_BASE_DELAY_MS: '5',
      PUBLIC_BASE_URL: 'not a url',
    });
    // Each problem starts with its variable (`KEY must ...`), never quoting a value.
    const keys = message
      .replace(/^Invalid environment variables: /, '')
      .split('; ')
      .map((problem) => /^[A-Z][A-Z0-9_]*/.exec(problem)?.[0]);

    expect(keys.sort()).toEqual(
      [
        'DB_POOL_SIZE',
        'KAFKA_BROKERS',
        'LOG_LEVEL',
        'MAX_SEND_ATTEMPTS',
        'PORT',
        'PUBLIC_BASE_URL',
        'REDIS_URL',
        'RETRY_BASE_DELAY_MS',
      ].sort(),
    );
    expect(message).not.toContain('loud');
  });

  it.each<[string, string, string]>([
    ['MYSQL_URL', 'postgres://admin:hunter2-secret@db/sms', 'hunter2-secret'],
    ['REDIS_URL', 'http://:hunter2-secret@cache:6379', 'hunter2-secret'],
    ['SMS_GATEWAY_API_KEY', 'hunter2-secret', 'hunter2-secret'],
  ])('names a bad secret %s, never its value', (key, value, secret) => {
    const message = problems({ ...DISTRIBUTED, [key]: value });

    expect(message).toContain(`${key} must be`);
    expect(message).not.toContain(secret);
  });

  it('refuses a WEBHOOK_SECRETS_KEY under 32 characters at boot, and takes none or a long one', () => {
    expect(() => loadConfig({ WEBHOOK_SECRETS_KEY: 'short-key' })).toThrow(/WEBHOOK_SECRETS_KEY/);
    expect(loadConfig({}).intake.webhooks.secretsKey).toBe('');
    expect(loadConfig({ WEBHOOK_SECRETS_KEY: 'k'.repeat(32) }).intake.webhooks.secretsKey).toBe('k'.repeat(32));
  });

  it('reads the opt-out policy and the masking pool as their groups, refusing a pool entry that is no number', () => {
    const config = loadConfig({ OPT_OUT_SCOPE: 'Sender', MASK_POOL_NUMBERS: '+447700900001, +447700900002' });

    expect(config.optOut.scope).toBe('sender');
    expect(config.masking.poolNumbers).toEqual(['+447700900001', '+447700900002']);
    expect(problems({ OPT_OUT_SCOPE: 'everyone' })).toContain('OPT_OUT_SCOPE must be one of sender, account');
    expect(problems({ MASK_POOL_NUMBERS: '+447700900001,07700' })).toContain('MASK_POOL_NUMBERS must be');
  });

  it.each([
    ['false', false],
    ['0', false],
    ['TRUE', true],
  ])('reads OUTBOX_RELAY_ENABLED=%s as %p', (value, expected) => {
    expect(loadConfig({ OUTBOX_RELAY_ENABLED: value }).outbox.relayEnabled).toBe(expected);
  });

  it('reads the receipt and callback settings as their groups', () => {
    const config = loadConfig({
      DATA_DIR: '/srv/gw',
      CALLBACK_ALLOWED_PORTS: '8443',
      DLR_PROCESS_MAX_PER_SECOND: '50',
    });

    expect(config.dlrIngest).toMatchObject({ spoolDir: '/srv/gw/dlr-spool', rawRetentionHours: 168 });
    expect(config.callbacks).toMatchObject({ secret: '', retryHours: 25, allowedPorts: [8443] });
    expect(config.dlrProcessor.maxPerSecond).toBe(50);
    expect(problems({ CALLBACK_ALLOWED_PORTS: '443,70000' })).toContain('CALLBACK_ALLOWED_PORTS must be');
  });

  it('reads the router settings as their group, frozen, with the documented defaults', () => {
    const defaults = loadConfig({}).router;
    expect(defaults).toEqual({
      noRouteMaxWaitSeconds: 259_200,
      qualityBucketSeconds: 60,
      qualityWindowSeconds: 3_600,
      qualityHistoryDays: 7,
      lookupTwilioBaseUrl: '',
      lookupTimeoutMs: 1_000,
      lookupFailureTtlSeconds: 60,
      lookupCacheCapacity: 100_000,
    });
    expect(Object.isFrozen(defaults)).toBe(true);

    const config = loadConfig({
      ROUTE_QUALITY_BUCKET_SECONDS: '1',
      ROUTER_NO_ROUTE_MAX_WAIT_SECONDS: '30',
      NUMBER_LOOKUP_TWILIO_BASE_URL: 'https://lookups.example.test/',
    });
    expect(config.router).toMatchObject({
      qualityBucketSeconds: 1,
      noRouteMaxWaitSeconds: 30,
      lookupTwilioBaseUrl: 'https://lookups.example.test',
    });
  });

  it.each<[string, string]>([
    ['ROUTER_NO_ROUTE_MAX_WAIT_SECONDS', '259201'],
    ['ROUTE_QUALITY_BUCKET_SECONDS', '0'],
    ['ROUTE_QUALITY_HISTORY_DAYS', '91'],
    ['ROUTE_QUALITY_HISTORY_DAYS', '-1'],
    ['ROUTE_QUALITY_WINDOW_SECONDS', '3601'],
    ['NUMBER_LOOKUP_TIMEOUT_MS', '49'],
    ['NUMBER_LOOKUP_FAILURE_TTL_SECONDS', 'soon'],
    ['NUMBER_LOOKUP_CACHE_CAPACITY', '99'],
    ['NUMBER_LOOKUP_TWILIO_BASE_URL', 'lookups.twilio.com'],
  ])('refuses %s=%s, naming the variable', (key, value) => {
    expect(problems({ [key]: value })).toContain(`${key} must be`);
  });

  it('refuses a route-quality window shorter than two buckets, naming both variables', () => {
    expect(problems({ ROUTE_QUALITY_WINDOW_SECONDS: '60', ROUTE_QUALITY_BUCKET_SECONDS: '31' })).toContain(
      'ROUTE_QUALITY_WINDOW_SECONDS',
    );
    expect(problems({ ROUTE_QUALITY_WINDOW_SECONDS: '60', ROUTE_QUALITY_BUCKET_SECONDS: '31' })).toContain(
      'ROUTE_QUALITY_BUCKET_SECONDS',
    );
    expect(
      loadConfig({
        ROUTE_QUALITY_WINDOW_SECONDS: '60',
        ROUTE_QUALITY_BUCKET_SECONDS: '1',
        ROUTE_QUALITY_HISTORY_DAYS: '0',
      }).router,
    ).toMatchObject({
      qualityWindowSeconds: 60,
      qualityHistoryDays: 0,
    });
  });

  it('reads the intake settings as their group, each part frozen', () => {
    const config = loadConfig({
      MAX_SEND_ATTEMPTS: '20',
      LIMITS_SPEND_PER_DAY: '12.50',
      PUMPING_PREFIX_DIGITS: '2',
      RESEND_ON_RECEIPT_TIMEOUT: 'transactional, marketing',
      RECONCILE_AFTER_SECONDS_BY_PROVIDER: 'smpp=7200',
      WEBHOOK_RETRY_HOURS: '72',
    });

    expect(config.intake).toMatchObject({
      consumersEnabled: true,
      limits: { enabled: true, spendPerDay: '12.50', currency: 'USD', cacheMs: 5_000 },
      pumping: { prefixDigits: 2, windowSeconds: 600 },
      delivery: {
        maxSendAttempts: 20,
        resendOnReceiptTimeout: ['transactional', 'marketing'],
        reconcileAfterSecondsByProvider: 'smpp=7200',
      },
      webhooks: { secretsKey: '', retryHours: 72 },
    });
    for (const part of [config.intake, ...Object.values(config.intake).filter((v) => typeof v === 'object')]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
  });

  it.each<[string, string]>([
    ['LIMITS_ENABLED', 'maybe'],
    ['LIMITS_MESSAGES_PER_SECOND', '-1'],
    ['LIMITS_SPEND_PER_DAY', '12,50'],
    ['LIMITS_CURRENCY', 'usd'],
    ['LIMITS_CACHE_MS', '300001'],
    ['PUMPING_PREFIX_DIGITS', '4'],
    ['PUMPING_HIGH_COST_PRICE', 'cheap'],
    ['MAX_SEND_ATTEMPTS', '21'],
    ['STALE_MESSAGE_AFTER_MS', '999'],
    ['RECONCILE_AFTER_SECONDS_BY_PROVIDER', 'smpp:7200'],
    ['RESEND_ON_RECEIPT_TIMEOUT', 'transactional,otp'],
    ['WEBHOOK_RETRY_HOURS', '73'],
  ])('refuses %s=%s, naming the variable', (key, value) => {
    expect(problems({ [key]: value })).toContain(`${key} must be`);
  });

  it('reads the other services and the internal token as their group', () => {
    expect(loadConfig({}).services).toEqual({
      routerUrl: '',
      optOutUrl: '',
      maskingUrl: '',
      dlrIngestUrl: '',
      dlrProcessorUrl: '',
      forwardTimeoutMs: 10_000,
      internalApiToken: '',
    });
    const config = loadConfig({
      ROUTER_URL: 'http://router:3002/',
      DLR_INGEST_URL: 'https://dlr-ingest.internal',
      FORWARD_TIMEOUT_MS: '2000',
      INTERNAL_API_TOKEN: 't'.repeat(32),
    });
    expect(config.services).toMatchObject({
      routerUrl: 'http://router:3002',
      dlrIngestUrl: 'https://dlr-ingest.internal',
      forwardTimeoutMs: 2000,
      internalApiToken: 't'.repeat(32),
    });
    expect(Object.isFrozen(config.services)).toBe(true);
  });

  it.each<[string, string]>([
    ['ROUTER_URL', 'router:3002'],
    ['OPT_OUT_URL', 'ftp://opt-out'],
    ['MASKING_URL', 'masking'],
    ['DLR_INGEST_URL', 'not a url'],
    ['DLR_PROCESSOR_URL', '//dlr-processor'],
    ['FORWARD_TIMEOUT_MS', '99'],
    ['INTERNAL_API_TOKEN', 'short-internal-token'],
  ])('refuses %s=%s, naming the variable', (key, value) => {
    const message = problems({ [key]: value });
    expect(message).toContain(`${key} must be`);
    if (key === 'INTERNAL_API_TOKEN') {
      expect(message).not.toContain(value);
    }
  });

  it('refuses a PRIVACY_SALT under 32 characters at boot, and takes none or a long one', () => {
    expect(problems({ PRIVACY_SALT: 'short-salt' })).toContain('PRIVACY_SALT must be at least 32 characters');
    expect(problems({ PRIVACY_SALT: 'short-salt' })).not.toContain('short-salt');
    expect(loadConfig({}).privacy.salt).toBe('');
    expect(loadConfig({ PRIVACY_SALT: 's'.repeat(32) }).privacy.salt).toBe('s'.repeat(32));
  });

  it.each(SENSITIVE_KEYS)('never quotes %s in a message, valid or not', (key) => {
    const secret = 'hunter2 secret!';
    // LOG_LEVEL makes every environment invalid without skipping a slice (a bad PORT would skip the providers').
    const message = problems({ ...DISTRIBUTED, [key]: secret, LOG_LEVEL: 'loud' });
    expect(message).toContain('LOG_LEVEL must be');
    expect(message).not.toContain('hunter2');
  });

  it('marks every secret as sensitive', () => {
    expect([...SENSITIVE_KEYS].sort()).toEqual(
      [
        'MYSQL_URL',
        'REDIS_URL',
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
        'KAFKA_SASL_PASSWORD',
      ].sort(),
    );
  });
});

describe('derived settings', () => {
  it.each([
    [{}, 'http://127.0.0.1:3000'],
    [{ PORT: '8080' }, 'http://127.0.0.1:8080'],
    [{ PUBLIC_BASE_URL: 'https://sms.example.com/' }, 'https://sms.example.com'],
  ])('public base URL of %p is %s', (env, expected) => {
    expect(publicBaseUrlOf(loadConfig(env))).toBe(expected);
  });

  it('picks SQLite in the embedded mode and MySQL in the distributed mode', () => {
    expect(databaseConfigOf(loadConfig({ DATA_DIR: '/var/sms' }))).toEqual({ kind: 'sqlite', directory: '/var/sms' });
    expect(databaseConfigOf(loadConfig({ ...DISTRIBUTED, DB_POOL_SIZE: '7' }))).toEqual({
      kind: 'mysql',
      url: DISTRIBUTED.MYSQL_URL,
      poolSize: 7,
    });
  });
});

describe(webhookSecretProblems.name, () => {
  const PRIVATE = {
    TWILIO_AUTH_TOKEN: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    VONAGE_SIGNATURE_SECRET: 'q8Zr3kLm0pXw7Tn2Vb5c',
    SINCH_CALLBACK_SECRET: 'Yh6Gf4Ds2Aq9Wz1Xc3Vb',
  };

  it('passes private values', () => {
    expect(webhookSecretProblems(PRIVATE)).toEqual([]);
    expect(() => assertWebhookSecrets(loadConfig(PRIVATE))).not.toThrow();
  });

  it('refuses the defaults, naming every variable and never a value', () => {
    const defaults = loadConfig({});
    const thrown = (() => {
      try {
        assertWebhookSecrets(defaults);
      } catch (error) {
        return error as Error;
      }
      throw new Error('accepted the defaults');
    })();

    expect(thrown).toBeInstanceOf(InvalidConfigError);
    for (const key of ['TWILIO_AUTH_TOKEN', 'VONAGE_SIGNATURE_SECRET', 'SINCH_CALLBACK_SECRET']) {
      expect(thrown.message).toContain(`${key} is a public default or placeholder value`);
    }
    expect(thrown.message).not.toContain('sim-auth-token');
  });

  it.each<[string, string, RegExp]>([
    ['TWILIO_AUTH_TOKEN', '', /TWILIO_AUTH_TOKEN is missing/],
    ['TWILIO_AUTH_TOKEN', 'CHANGE_ME', /TWILIO_AUTH_TOKEN is a public default/],
    ['VONAGE_SIGNATURE_SECRET', 'sim-vonage-signature-secret', /VONAGE_SIGNATURE_SECRET is a public default/],
    ['SINCH_CALLBACK_SECRET', 'short-secret', /SINCH_CALLBACK_SECRET is shorter than 16/],
  ])('refuses %s=%p', (key, value, expected) => {
    const problems = webhookSecretProblems({ ...PRIVATE, [key]: value });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });
});
