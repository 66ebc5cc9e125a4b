import { REDACTED_KEYS, redactText } from './redact';

describe(redactText.name, () => {
  it.each([
    ['an E.164 number', '+447400123456', '+**********56'],
    ['a number in a sentence', 'sending to +447400123456 via twilio', 'sending to +**********56 via twilio'],
    ['a spaced international number', 'to +44 7400 123456.', 'to +**********56.'],
    ['a dashed US number', 'from 415-555-2671', 'from ********71'],
    ['a bracketed US number', 'from (415) 555-2671', 'from (********71'],
    ['a national number', 'to 07400 123456', 'to *********56'],
    ['two numbers', '+447400123456 -> +14155552671', '+**********56 -> +*********71'],
    ['a number in JSON', '{"to":"+447400123456"}', '{"to":"+**********56"}'],
    ['a number glued to letters', 'tel:+447400123456;ext', 'tel:+**********56;ext'],
  ])('masks %s, keeping the last 2 digits', (_name, text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it.each([
    ['short numbers', 'attempt 3 of 4 after 2000 ms, HTTP 503'],
    ['a 7-digit run', 'order 1234567'],
    ['plain words', 'message delivered'],
    ['empty text', ''],
  ])('leaves %s alone', (_name, text) => {
    expect(redactText(text)).toBe(text);
  });

  it.each([
    ['CR/LF', 'ACME\r\nX-Injected: 1', 'ACME\\r\\nX-Injected: 1'],
    ['a lone LF', 'line one\nline two', 'line one\\nline two'],
    ['a lone CR', 'abc\rdef', 'abc\\rdef'],
    ['a number before a forged line', '+447400123456\n{"level":"info"}', '+**********56\\n{"level":"info"}'],
  ])('escapes %s so user data cannot forge a log line', (_name, text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it('never lets a line break or the canary number through, whatever surrounds it', () => {
    const pieces = ['+447400123456', '\r', '\n', ' ', 'x', '-', '(', ')', '.', '7'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    for (let i = 0; i < 2_000; i++) {
      const text = Array.from({ length: 8 }, () => pieces[next() % pieces.length]).join('');
      const redacted = redactText(text);

      expect(redacted).not.toMatch(/[\r\n]/);
      expect(redacted).not.toContain('74001234');
    }
  });
});

describe('REDACTED_KEYS', () => {
  it.each(['body', 'to', 'from', 'number', 'partyA', 'partyB', 'authorization', 'text'])('censors %s', (key) => {
    expect(REDACTED_KEYS.has(key)).toBe(true);
  });
});
