import { ApiError } from '@sms/platform';
import { parseOptOutRequest, parseSender } from './opt-out-request';

const codeOf = (work: () => unknown): string | null => {
  try {
    work();

    return null;
  } catch (error) {
    return error instanceof ApiError ? `${error.code}${error.field ? `:${error.field}` : ''}` : 'THROWN';
  }
};

describe(parseOptOutRequest.name, () => {
  it('normalises the number and sender, and defaults the reason', () => {
    expect(parseOptOutRequest({ number: '+44 7400 123456', sender: '+12025550142' })).toEqual({
      number: '+447400123456',
      sender: '+12025550142',
      reason: 'added through the API',
    });
    expect(parseOptOutRequest({ number: '+447400123456', sender: 'ACME' }).sender).toBe('ACME');
    expect(parseSender(undefined)).toBeNull();
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'STOP', 'INVALID_REQUEST'],
    ['an unknown field', { number: '+447400123456', scope: 'account' }, 'UNKNOWN_FIELD:scope'],
    ['no number', {}, 'INVALID_PHONE_NUMBER:number'],
    ['a bad number', { number: '+44740' }, 'INVALID_PHONE_NUMBER:number'],
    ['a bad sender', { number: '+447400123456', sender: '12345' }, 'INVALID_SENDER:sender'],
    ['a long reason', { number: '+447400123456', reason: 'r'.repeat(129) }, 'INVALID_REASON:reason'],
  ])('refuses %s', (_name, input, code) => {
    expect(codeOf(() => parseOptOutRequest(input))).toBe(code);
  });
});
