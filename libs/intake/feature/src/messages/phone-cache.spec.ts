import { parsePhone } from '@sms/phone';
import { PhoneParseCache } from './phone-cache';

describe(PhoneParseCache.name, () => {
  it.each([
    ['+447400123456', undefined],
    ['07400 123456', 'GB'],
    ['07400 123456', 'FR'],
    ['07400 123456', undefined],
    ['+4474001', undefined],
    ['+44 7400 123456 abc', undefined],
    ['+800 1234 5678', undefined],
    ['', undefined],
  ])('answers %p (hint %p) as parsePhone does, from the first call and the cached one', (input, hint) => {
    const sut = new PhoneParseCache();

    const first = sut.parse(input, hint);
    const second = sut.parse(input, hint);

    expect(first).toEqual(parsePhone(input, hint));
    expect(second).toBe(first);
  });

  it('keeps the country hint part of the key: the same text means different numbers', () => {
    const sut = new PhoneParseCache();

    const gb = sut.parse('07400 123456', 'GB');
    const none = sut.parse('07400 123456');

    expect(gb).toMatchObject({ ok: true, e164: '+447400123456', country: 'GB' });
    expect(none).toEqual({ ok: false, reason: 'INVALID_COUNTRY' });
  });

  it('drops the oldest result beyond its capacity', () => {
    const sut = new PhoneParseCache(2);
    const first = sut.parse('+447400123451');
    sut.parse('+447400123452');
    sut.parse('+447400123453');

    expect(sut.size).toBe(2);
    expect(sut.parse('+447400123451')).not.toBe(first);
    expect(sut.parse('+447400123451')).toEqual(first);
  });

  it('does not keep text too long to be a number, and refuses it as parsePhone does', () => {
    const sut = new PhoneParseCache();
    const long = `+44${'7'.repeat(40)}`;

    expect(sut.parse(long)).toEqual({ ok: false, reason: 'TOO_LONG' });
    expect(sut.size).toBe(0);
  });

  it('hands out results nobody can change for the next caller', () => {
    const sut = new PhoneParseCache();
    const result = sut.parse('+447400123456');

    expect(Object.isFrozen(result)).toBe(true);
  });
});
