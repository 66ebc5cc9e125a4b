import { numberPattern, scrubPayload } from './number-mentions';

const pattern = numberPattern('+447400123456');
const TOKEN = 'e:AAAAAAAAAAAAAA';

describe('numberPattern', () => {
  it('finds the number in every provider format, and not inside longer digit runs', () => {
    for (const text of ['to=+447400123456', '"msisdn":"447400123456"', 'To=%2B447400123456&x=1', '447400123456']) {
      expect({ text, found: pattern.mentions(text) }).toEqual({ text, found: true });
    }
    for (const text of ['4474001234567', '94474001234560', 'id 1447400123456', '', null, undefined]) {
      expect({ text, found: pattern.mentions(text) }).toEqual({ text, found: false });
    }
  });

  it('replaces the number with its plus or encoded plus, and leaves longer runs alone', () => {
    expect(pattern.replace('a +447400123456 b 447400123456 c %2B447400123456 d 4474001234567', TOKEN)).toBe(
      `a ${TOKEN} b ${TOKEN} c ${TOKEN} d 4474001234567`,
    );
  });

  it('refuses a number too short to be found safely', () => {
    expect(() => numberPattern('+12345')).toThrow(RangeError);
  });
});

describe('scrubPayload', () => {
  it('keeps JSON JSON: the number becomes the token, message texts empty, the rest as it was', () => {
    const scrubbed = JSON.parse(
      scrubPayload(
        JSON.stringify({ to: '+447400123456', body: 'secret', status: 'delivered', nested: [{ text: 'hi', n: 1 }] }),
        pattern,
        TOKEN,
      ),
    ) as unknown;
    expect(scrubbed).toEqual({ to: TOKEN, body: '', status: 'delivered', nested: [{ text: '', n: 1 }] });
  });

  it('scrubs JSON held in a string (an SNS envelope) and form-encoded bodies', () => {
    const envelope = JSON.stringify({
      Type: 'Notification',
      Message: JSON.stringify({ originationNumber: '+447400123456', messageBody: 'secret' }),
    });
    const outer = JSON.parse(scrubPayload(envelope, pattern, TOKEN)) as { Message: string };
    expect(JSON.parse(outer.Message)).toEqual({ originationNumber: TOKEN, messageBody: '' });
    const form = new URLSearchParams(
      scrubPayload('From=%2B447400123456&Body=secret&To=%2B12025550142', pattern, TOKEN),
    );
    expect(Object.fromEntries(form)).toEqual({ From: TOKEN, Body: '', To: '+12025550142' });
  });

  it('replaces the number in other text', () => {
    expect(scrubPayload('The To number 447400123456 is invalid', pattern, TOKEN)).toBe(
      `The To number ${TOKEN} is invalid`,
    );
  });
});
