import { ConfigError, SettingsReader } from './settings-reader';
import { unknownSettings } from './unknown-settings';

const errorOf = (read: () => unknown): ConfigError => {
  try {
    read();
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe(SettingsReader.name, () => {
  it('records every variable it was asked for, set or not, and reports shared sentences as they are', () => {
    const read = new SettingsReader({ A: '1', SECRET: 'x' }, 'test');
    read.int('A', { min: 0, max: 9 });
    read.string('UNSET', { default: 'd' });
    read.secret('SECRET');
    expect(read.failed).toBe(false);
    read.report(['A', 'UNSET'], 'A and UNSET cannot both be set');

    expect([...read.keys].sort()).toEqual(['A', 'SECRET', 'UNSET']);
    expect(read.failed).toBe(true);
    expect(errorOf(() => read.done({}))).toMatchObject({
      invalidKeys: ['A', 'UNSET'],
      problems: ['A and UNSET cannot both be set'],
    });
  });

  it('reads typed values and falls back to defaults for unset or blank variables', () => {
    const read = new SettingsReader(
      { URL: 'http://sim:4010/x/', N: '42', ON: 'Yes', PICK: 'SHA1', LIST: ' a, ,b ', BLANK: '  ', RE: '^a+$' },
      'test',
    );

    expect(
      read.done({
        url: read.url('URL'),
        n: read.int('N', { min: 1, max: 100 }),
        dflt: read.int('BLANK', { default: 7, min: 1, max: 100 }),
        on: read.bool('ON'),
        off: read.bool('UNSET', { default: false }),
        pick: read.oneOf('PICK', ['md5', 'sha1'] as const),
        list: read.list('LIST'),
        re: read.regex('RE').test('aaa'),
        text: read.string('BLANK', { default: 'd' }),
      }),
    ).toEqual({
      url: 'http://sim:4010/x',
      n: 42,
      dflt: 7,
      on: true,
      off: false,
      pick: 'sha1',
      list: ['a', 'b'],
      re: true,
      text: 'd',
    });
  });

  it('returns a frozen slice', () => {
    const read = new SettingsReader({}, 'test');
    expect(Object.isFrozen(read.done({ a: 1 }))).toBe(true);
  });

  it('throws once, naming every bad variable and never a value', () => {
    const read = new SettingsReader(
      { URL: 'ftp://x', N: '10s', BIG: '1001', ON: 'ture', PICK: 'crc32', SECRET: 'far-too-long-secret', RE: '([' },
      'Example',
    );
    read.url('URL');
    read.int('N', { min: 1, max: 5, unit: 'ms' });
    read.int('BIG', { min: 1, max: 1000 });
    read.bool('ON', { default: true });
    read.oneOf('PICK', ['md5', 'sha1'] as const);
    read.secret('SECRET', { maxLength: 8 });
    read.regex('RE');
    read.string('MISSING');
    const error = errorOf(() => read.done({}));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.invalidKeys).toEqual(['URL', 'N', 'BIG', 'ON', 'PICK', 'SECRET', 'RE', 'MISSING']);
    expect(error.message).toMatch(/^Invalid Example configuration: URL must be an absolute http\(s\) URL; N must be/);
    expect(error.message).toContain('N must be an integer between 1 and 5 (ms)');
    expect(error.message).toContain('ON must be true or false');
    expect(error.message).toContain('PICK must be one of md5, sha1');
    expect(error.message).toContain('MISSING is required');
    expect(error.message).not.toContain('far-too-long-secret');
  });

  it('names both variables of a contradiction', () => {
    const read = new SettingsReader({ MIN: '5', MAX: '3' }, 'test');
    const min = read.int('MIN', { min: 0, max: 10 });
    const max = read.int('MAX', { min: 0, max: 10 });
    read.require(min <= max, ['MIN', 'MAX'], 'contradict: the minimum exceeds the maximum');
    const error = errorOf(() => read.done({}));

    expect(error.invalidKeys).toEqual(['MIN', 'MAX']);
    expect(error.message).toContain('MIN and MAX contradict: the minimum exceeds the maximum');
  });

  it('keeps an exact secret untrimmed but still treats a blank one as unset', () => {
    const read = new SettingsReader({ P: ' pw ', BLANK: '   ' }, 'test');
    expect(read.secret('P', { exact: true })).toBe(' pw ');
    expect(read.secret('BLANK', { default: 'd' })).toBe('d');
  });
});

describe(unknownSettings.name, () => {
  const known = {
    keys: new Set(['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'KAFKA_BROKERS', 'PORT']),
    prefixes: ['TWILIO_'],
    foreign: [/_BENCH_/],
  };

  it('names a near miss of a known variable and the variable it was probably meant to be', () => {
    expect(unknownSettings({ TWILO_ACCOUNT_SID: 'AC1', KAFKA_BROKER: 'k:9092' }, known)).toEqual([
      'KAFKA_BROKER is not a setting (did you mean KAFKA_BROKERS?)',
      'TWILO_ACCOUNT_SID is not a setting (did you mean TWILIO_ACCOUNT_SID?)',
    ]);
  });

  it('names any other variable under a prefix of the project', () => {
    expect(unknownSettings({ TWILIO_REGION: 'ie1' }, known)).toEqual(['TWILIO_REGION is not a setting']);
  });

  it('leaves known, foreign and unrelated variables alone', () => {
    expect(
      unknownSettings(
        { TWILIO_AUTH_TOKEN: 'x', TWILIO_BENCH_RUNS: '3', HOME: '/root', PWD: '/', PATH: '/bin', POST: '1' },
        known,
      ),
    ).toEqual([]);
  });
});
