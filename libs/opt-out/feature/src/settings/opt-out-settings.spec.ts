import { ApiError } from '@sms/platform';
import { parseSettingsPatch, renderReply } from './opt-out-settings';

const codeOf = (input: unknown): string | null => {
  try {
    parseSettingsPatch(input);

    return null;
  } catch (error) {
    return error instanceof ApiError ? `${error.code}${error.field ? `:${error.field}` : ''}` : 'THROWN';
  }
};

describe(parseSettingsPatch.name, () => {
  it('keeps only the fields given; null stands for the default', () => {
    expect(parseSettingsPatch({ scope: 'sender', displayName: ' Acme ' })).toEqual({
      scope: 'sender',
      displayName: 'Acme',
    });
    expect(parseSettingsPatch({ scope: null, stopReply: null })).toEqual({ scope: null, stopReply: null });
    expect(parseSettingsPatch({})).toEqual({});
  });

  it.each<[string, unknown, string]>([
    ['not an object', [], 'INVALID_REQUEST'],
    ['an unknown field', { reach: 'account' }, 'UNKNOWN_FIELD:reach'],
    ['an unknown scope', { scope: 'everyone' }, 'INVALID_OPT_OUT_SCOPE:scope'],
    ['an empty name', { displayName: '  ' }, 'INVALID_DISPLAY_NAME:displayName'],
    ['a long name', { displayName: 'n'.repeat(65) }, 'INVALID_DISPLAY_NAME:displayName'],
    ['a long reply', { stopReply: 'r'.repeat(321) }, 'INVALID_REPLY_TEXT:stopReply'],
    ['a reply that is no text', { helpReply: 42 }, 'INVALID_REPLY_TEXT:helpReply'],
  ])('refuses %s', (_name, input, code) => {
    expect(codeOf(input)).toBe(code);
  });
});

describe(renderReply.name, () => {
  it('names the account, or this service', () => {
    expect(renderReply('From {name}; {name} again', 'Acme')).toBe('From Acme; Acme again');
    expect(renderReply('From {name}.', null)).toBe('From this service.');
  });
});
