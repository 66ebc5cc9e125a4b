import { ApiError } from '@sms/platform';
import { parseAccountSettings, parseCreateAccount, parseCreateKey, parseId } from './account-input';

const refusal = (fn: () => unknown): { status: number; code: string; field?: string } => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) {
      return { status: error.status, code: error.code, ...(error.field ? { field: error.field } : {}) };
    }
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('account and key input', () => {
  it('accepts a trimmed account name', () => {
    expect(parseCreateAccount({ name: '  Acme Ltd ' })).toEqual({ name: 'Acme Ltd' });
  });

  it.each<[string, unknown, { status: number; code: string; field?: string }]>([
    ['a missing name', {}, { status: 422, code: 'INVALID_NAME', field: 'name' }],
    ['a blank name', { name: '   ' }, { status: 422, code: 'INVALID_NAME', field: 'name' }],
    ['a long name', { name: 'x'.repeat(129) }, { status: 422, code: 'INVALID_NAME', field: 'name' }],
    ['a control character', { name: 'a\nb' }, { status: 422, code: 'INVALID_NAME', field: 'name' }],
    ['a number', { name: 42 }, { status: 422, code: 'INVALID_NAME', field: 'name' }],
    ['an unknown field', { name: 'a', id: 'x' }, { status: 422, code: 'UNKNOWN_FIELD', field: 'id' }],
    ['an array body', [], { status: 400, code: 'INVALID_JSON' }],
  ])('refuses an account with %s', (_what, body, expected) => {
    expect(refusal(() => parseCreateAccount(body))).toEqual(expected);
  });

  it('accepts a key with deduplicated scopes, with and without an account id', () => {
    expect(parseCreateKey({ name: 'k', scopes: ['send', 'read', 'send'] })).toEqual({
      name: 'k',
      scopes: ['send', 'read'],
    });
    expect(
      parseCreateKey({ name: 'k', scopes: ['operator'], accountId: '0A1B2C3D-0000-4000-8000-000000000001' }),
    ).toEqual({ name: 'k', scopes: ['operator'], accountId: '0a1b2c3d-0000-4000-8000-000000000001' });
  });

  it.each<[string, unknown, { status: number; code: string; field?: string }]>([
    ['no scopes', { name: 'k', scopes: [] }, { status: 422, code: 'INVALID_SCOPES', field: 'scopes' }],
    ['an unknown scope', { name: 'k', scopes: ['root'] }, { status: 422, code: 'INVALID_SCOPES', field: 'scopes' }],
    ['scopes as a string', { name: 'k', scopes: 'send' }, { status: 422, code: 'INVALID_SCOPES', field: 'scopes' }],
    [
      'a malformed account id',
      { name: 'k', scopes: ['send'], accountId: 'acme' },
      { status: 422, code: 'INVALID_ACCOUNT_ID', field: 'accountId' },
    ],
    [
      'an account id of the wrong type',
      { name: 'k', scopes: ['send'], accountId: 7 },
      { status: 422, code: 'INVALID_ACCOUNT_ID', field: 'accountId' },
    ],
    ['a blank name', { name: '', scopes: ['send'] }, { status: 422, code: 'INVALID_NAME', field: 'name' }],
  ])('refuses a key with %s', (_what, body, expected) => {
    expect(refusal(() => parseCreateKey(body))).toEqual(expected);
  });

  it('parses ids as lower-case UUIDs and refuses anything else with the given code', () => {
    expect(parseId('ABCDEF01-2345-4678-89AB-CDEF01234567', 'INVALID_KEY_ID', 'id')).toBe(
      'abcdef01-2345-4678-89ab-cdef01234567',
    );
    expect(refusal(() => parseId('../etc', 'INVALID_KEY_ID', 'id'))).toEqual({
      status: 422,
      code: 'INVALID_KEY_ID',
      field: 'id',
    });
  });

  it('accepts account settings with a boolean smartEncoding and refuses anything else', () => {
    expect(parseAccountSettings({ smartEncoding: true })).toEqual({ smartEncoding: true });
    expect(parseAccountSettings({})).toEqual({});
    expect(refusal(() => parseAccountSettings({ smartEncoding: 'yes' }))).toEqual({
      status: 422,
      code: 'INVALID_SMART_ENCODING',
      field: 'smartEncoding',
    });
    expect(refusal(() => parseAccountSettings({ name: 'x' }))).toEqual({
      status: 422,
      code: 'UNKNOWN_FIELD',
      field: 'name',
    });
    expect(refusal(() => parseAccountSettings([true]))).toEqual({ status: 400, code: 'INVALID_JSON' });
  });

  it('takes a data-residency region name or null, on create and in the settings, and refuses anything else', () => {
    expect(parseCreateAccount({ name: 'Acme', dataResidency: 'eu' })).toEqual({ name: 'Acme', dataResidency: 'eu' });
    expect(parseCreateAccount({ name: 'Acme', dataResidency: null })).toEqual({ name: 'Acme', dataResidency: null });
    expect(parseCreateAccount({ name: 'Acme' })).toEqual({ name: 'Acme' });
    expect(parseAccountSettings({ dataResidency: 'us-east' })).toEqual({ dataResidency: 'us-east' });
    expect(parseAccountSettings({ dataResidency: null, smartEncoding: false })).toEqual({
      dataResidency: null,
      smartEncoding: false,
    });
    for (const bad of ['EU', '', 'eu west', 'x'.repeat(17), 7, ['eu']]) {
      expect(refusal(() => parseAccountSettings({ dataResidency: bad }))).toEqual({
        status: 422,
        code: 'INVALID_DATA_RESIDENCY',
        field: 'dataResidency',
      });
    }
  });
});
