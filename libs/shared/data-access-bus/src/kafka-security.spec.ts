import {
  KafkaSecurityError,
  kafkaSecurityFromEnv,
  kafkaSecurityOf,
  kafkaSecurityProblems,
  kafkajsSecurityOptions,
  type KafkaSecuritySettings,
  PLAINTEXT_KAFKA,
} from './kafka-security';

const NONE: KafkaSecuritySettings = {
  KAFKA_SSL: false,
  KAFKA_SSL_CA_FILE: '',
  KAFKA_SASL_MECHANISM: '',
  KAFKA_SASL_USERNAME: '',
  KAFKA_SASL_PASSWORD: '',
};
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';
const files = (content: Record<string, string>) => (path: string) => {
  const pem = content[path];
  if (pem === undefined) {
    throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
  }

  return pem;
};

describe('Kafka connection security', () => {
  describe(kafkajsSecurityOptions.name, () => {
    it('adds nothing for plaintext, so kafkajs connects as before', () => {
      expect(kafkajsSecurityOptions(PLAINTEXT_KAFKA)).toEqual({});
    });

    it('turns TLS on with the trusted roots when no CA file is given', () => {
      expect(kafkajsSecurityOptions({ ssl: true })).toEqual({ ssl: true });
    });

    it('trusts exactly the CA of the file, and still verifies the broker', () => {
      expect(
        kafkajsSecurityOptions({ ssl: true, caFile: '/etc/kafka-ca/ca.crt' }, files({ '/etc/kafka-ca/ca.crt': PEM })),
      ).toEqual({ ssl: { ca: [PEM], rejectUnauthorized: true } });
    });

    it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
      'passes SASL %s with its credentials',
      (mechanism) => {
        const sasl = { mechanism, username: 'gateway', password: 'pw-0123456789' };
        expect(kafkajsSecurityOptions({ ssl: true, sasl })).toEqual({ ssl: true, sasl });
      },
    );

    it('passes SCRAM without TLS (SASL_PLAINTEXT listeners)', () => {
      const sasl = { mechanism: 'scram-sha-512' as const, username: 'gateway', password: 'pw-0123456789' };
      expect(kafkajsSecurityOptions({ ssl: false, sasl })).toEqual({ sasl });
    });

    it('refuses a CA file it cannot read or that holds no certificate, naming the path', () => {
      expect(() => kafkajsSecurityOptions({ ssl: true, caFile: '/nope.crt' }, files({}))).toThrow(
        new KafkaSecurityError('KAFKA_SSL_CA_FILE /nope.crt cannot be read (ENOENT)'),
      );
      expect(() => kafkajsSecurityOptions({ ssl: true, caFile: '/x.crt' }, files({ '/x.crt': 'CHANGE_ME' }))).toThrow(
        /KAFKA_SSL_CA_FILE \/x\.crt holds no PEM certificate/,
      );
    });
  });

  describe(kafkaSecurityProblems.name, () => {
    it.each<[string, Partial<KafkaSecuritySettings>, string[]]>([
      ['plaintext', {}, []],
      ['TLS with a CA', { KAFKA_SSL: true, KAFKA_SSL_CA_FILE: '/ca.crt' }, []],
      [
        'SCRAM over TLS',
        { KAFKA_SSL: true, KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
        [],
      ],
      [
        'a CA without TLS',
        { KAFKA_SSL_CA_FILE: '/ca.crt' },
        ['KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true: the connection would be plaintext'],
      ],
      [
        'credentials without a mechanism',
        { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
        ['KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set without KAFKA_SASL_MECHANISM'],
      ],
      [
        'a mechanism without credentials',
        { KAFKA_SASL_MECHANISM: 'scram-sha-256' },
        [
          'KAFKA_SASL_MECHANISM=scram-sha-256 needs KAFKA_SASL_USERNAME',
          'KAFKA_SASL_MECHANISM=scram-sha-256 needs KAFKA_SASL_PASSWORD',
        ],
      ],
      [
        'an unknown mechanism',
        { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
        ['KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512'],
      ],
      [
        'PLAIN without TLS',
        { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
        ['KAFKA_SASL_MECHANISM=plain sends the password in clear text: set KAFKA_SSL=true or use SCRAM'],
      ],
    ])('%s', (_name, settings, expected) => {
      expect(kafkaSecurityProblems({ ...NONE, ...settings })).toEqual(expected);
    });

    it('never repeats a password in a problem', () => {
      const problems = kafkaSecurityProblems({ ...NONE, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 's3cr3t' });
      expect(problems.join(' ')).not.toContain('s3cr3t');
    });
  });

  describe(kafkaSecurityOf.name, () => {
    it('normalises the mechanism and keeps only what is set', () => {
      expect(
        kafkaSecurityOf({
          ...NONE,
          KAFKA_SSL: true,
          KAFKA_SASL_MECHANISM: ' SCRAM-SHA-256 ',
          KAFKA_SASL_USERNAME: 'gw',
          KAFKA_SASL_PASSWORD: 'pw',
        }),
      ).toEqual({ ssl: true, sasl: { mechanism: 'scram-sha-256', username: 'gw', password: 'pw' } });
      expect(kafkaSecurityOf(NONE)).toEqual(PLAINTEXT_KAFKA);
    });

    it('throws every problem at once', () => {
      expect(() => kafkaSecurityOf({ ...NONE, KAFKA_SSL_CA_FILE: '/ca', KAFKA_SASL_USERNAME: 'u' })).toThrow(
        'Invalid Kafka connection settings: KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true: the connection ' +
          'would be plaintext; KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set without KAFKA_SASL_MECHANISM',
      );
    });
  });

  describe(kafkaSecurityFromEnv.name, () => {
    it('reads the same variables as the services', () => {
      expect(
        kafkaSecurityFromEnv({
          KAFKA_SSL: 'true',
          KAFKA_SSL_CA_FILE: '/etc/kafka-ca/ca.crt',
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: 'gw',
          KAFKA_SASL_PASSWORD: 'pw',
        }),
      ).toEqual({
        ssl: true,
        caFile: '/etc/kafka-ca/ca.crt',
        sasl: { mechanism: 'scram-sha-512', username: 'gw', password: 'pw' },
      });
      expect(kafkaSecurityFromEnv({})).toEqual(PLAINTEXT_KAFKA);
      expect(kafkaSecurityFromEnv({ KAFKA_SSL: 'off' })).toEqual(PLAINTEXT_KAFKA);
    });

    it('refuses a KAFKA_SSL that is neither yes nor no instead of falling back to plaintext', () => {
      expect(() => kafkaSecurityFromEnv({ KAFKA_SSL: 'ture' })).toThrow(/KAFKA_SSL must be true or false/);
    });
  });
});
