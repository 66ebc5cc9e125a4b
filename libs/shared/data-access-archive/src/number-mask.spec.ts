import { ERASED_NUMBER, InvalidNumberError, NumberMask } from './number-mask';

describe(NumberMask.name, () => {
  const mask = new NumberMask('+447400123456');

  it('finds the number in the forms providers and payloads write it', () => {
    for (const text of ['+447400123456', 'To=%2B447400123456&Body=hi', '{"msisdn":"447400123456"}', '00447400123456']) {
      expect(mask.holds({ payload: text })).toBe(true);
    }
    expect(mask.holds({ to_number: '+447400123457', body: 'call 07400 123456' })).toBe(false);
    expect(mask.holds({ attempts: 447400123456 })).toBe(false);
  });

  it('masks every occurrence and empties the body of a row that holds it', () => {
    expect(
      mask.mask({
        id: 'm-1',
        to_number: '+447400123456',
        body: 'my secret',
        url: 'https://x.test/cb?to=%2B447400123456',
        detail: 'from 447400123456 to 447400123456',
        segments: 2,
        sent_at: null,
      }),
    ).toEqual({
      id: 'm-1',
      to_number: ERASED_NUMBER,
      body: '',
      url: `https://x.test/cb?to=${ERASED_NUMBER}`,
      detail: `from ${ERASED_NUMBER} to ${ERASED_NUMBER}`,
      segments: 2,
      sent_at: null,
    });
  });

  it.each(['447400123456', '+44 7400 123456', '+1234567', ''])('refuses %p: only E.164 is erased', (number) => {
    expect(() => new NumberMask(number)).toThrow(InvalidNumberError);
  });
});
