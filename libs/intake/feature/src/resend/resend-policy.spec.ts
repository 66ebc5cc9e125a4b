import { MessageClass } from '@sms/contracts';
import { ApiError } from '@sms/platform';
import { envResendPolicy, parseResendPolicy, resentClasses } from './resend-policy';

function refusal(body: unknown): { status: number; code: string; field?: string } {
  try {
    parseResendPolicy(body);
  } catch (error) {
    if (error instanceof ApiError) {
      return { status: error.status, code: error.code, ...(error.field !== undefined && { field: error.field }) };
    }
    throw error;
  }
  throw new Error('accepted');
}

describe(parseResendPolicy.name, () => {
  it('takes an enabled policy for the named classes, each once', () => {
    expect(parseResendPolicy({ enabled: true, classes: ['transactional', 'transactional'] })).toEqual({
      enabled: true,
      classes: [MessageClass.Transactional],
    });
  });

  it('takes a policy turned off, with or without classes', () => {
    expect(parseResendPolicy({ enabled: false, classes: [] })).toEqual({ enabled: false, classes: [] });
    expect(parseResendPolicy({ enabled: false, classes: ['marketing'] })).toEqual({
      enabled: false,
      classes: [MessageClass.Marketing],
    });
  });

  it.each<[string, unknown, { code: string; field?: string }]>([
    ['not an object', ['transactional'], { code: 'INVALID_REQUEST' }],
    ['null', null, { code: 'INVALID_REQUEST' }],
    [
      'an unknown field',
      { enabled: true, classes: ['transactional'], delay: 5 },
      { code: 'UNKNOWN_FIELD', field: 'delay' },
    ],
    ['enabled missing', { classes: ['transactional'] }, { code: 'INVALID_ENABLED', field: 'enabled' }],
    ['enabled as text', { enabled: 'true', classes: ['transactional'] }, { code: 'INVALID_ENABLED', field: 'enabled' }],
    ['classes missing', { enabled: true }, { code: 'INVALID_MESSAGE_CLASS', field: 'classes' }],
    [
      'classes as text',
      { enabled: true, classes: 'transactional' },
      { code: 'INVALID_MESSAGE_CLASS', field: 'classes' },
    ],
    [
      'an unknown class',
      { enabled: true, classes: ['transactional', 'otp'] },
      { code: 'INVALID_MESSAGE_CLASS', field: 'classes[1]' },
    ],
    [
      'a class in capitals',
      { enabled: true, classes: ['Transactional'] },
      { code: 'INVALID_MESSAGE_CLASS', field: 'classes[0]' },
    ],
    ['enabled for no class', { enabled: true, classes: [] }, { code: 'RESEND_CLASSES_REQUIRED', field: 'classes' }],
  ])('refuses %s with 422 and a stable code', (_case, body, expected) => {
    expect(refusal(body)).toEqual({ status: 422, ...expected });
  });
});

describe('the policy in force', () => {
  it('re-sends nothing when off, whatever classes it keeps', () => {
    expect(resentClasses({ enabled: false, classes: [MessageClass.Transactional] })).toEqual([]);
    expect(resentClasses({ enabled: true, classes: [MessageClass.Transactional] })).toEqual(['transactional']);
  });

  it('reads RESEND_ON_RECEIPT_TIMEOUT as the boot default: on when it names a known class', () => {
    expect(envResendPolicy([])).toEqual({ enabled: false, classes: [] });
    expect(envResendPolicy(['transactional', 'marketing'])).toEqual({
      enabled: true,
      classes: [MessageClass.Transactional, MessageClass.Marketing],
    });
  });
});
