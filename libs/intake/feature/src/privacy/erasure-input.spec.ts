import { ApiError } from '@sms/platform';
import { isErasureId, parseErasureRequest } from './erasure-input';

const refusal = (body: unknown): { status: number; code: string } => {
  try {
    parseErasureRequest(body);
  } catch (error) {
    if (error instanceof ApiError) {
      return { status: error.status, code: error.code };
    }
    throw error;
  }
  throw new Error('accepted');
};

describe('parseErasureRequest', () => {
  it('takes one E.164 number', () => {
    expect(parseErasureRequest({ number: '+447400123456' })).toEqual({ number: '+447400123456' });
    expect(parseErasureRequest({ number: '+12025550142' })).toEqual({ number: '+12025550142' });
  });

  it.each([
    ['national', { number: '07400123456' }, 'INVALID_PHONE_NUMBER'],
    ['no plus', { number: '447400123456' }, 'INVALID_PHONE_NUMBER'],
    ['spaces', { number: '+44 7400 123456' }, 'INVALID_PHONE_NUMBER'],
    ['leading zero', { number: '+0447400123456' }, 'INVALID_PHONE_NUMBER'],
    ['too long', { number: '+4474001234567890' }, 'INVALID_PHONE_NUMBER'],
    ['a number type', { number: 447400123456 }, 'INVALID_PHONE_NUMBER'],
    ['missing', {}, 'INVALID_PHONE_NUMBER'],
    ['an extra field', { number: '+447400123456', force: true }, 'UNKNOWN_FIELD'],
    ['an array', ['+447400123456'], 'INVALID_BODY'],
    ['null', null, 'INVALID_BODY'],
  ])('refuses %s with 400 %s', (_what, body, code) => {
    expect(refusal(body)).toEqual({ status: 400, code });
  });
});

describe('isErasureId', () => {
  it('takes lower-case UUIDs only', () => {
    expect(isErasureId('0c0b7d6e-5a6f-4b7e-8c9d-1e2f3a4b5c6d')).toBe(true);
    expect(isErasureId('not-an-id')).toBe(false);
    expect(isErasureId("0c0b7d6e-5a6f-4b7e-8c9d-1e2f3a4b5c6d' OR 1=1")).toBe(false);
  });
});
