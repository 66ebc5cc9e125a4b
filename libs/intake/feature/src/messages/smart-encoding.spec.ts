import { validateMessageRequest } from './message-request.validator';
import { withSmartEncoding } from './smart-encoding';

const CURLY = '“Your code is 123456” — don’t share it';
const request = (extra: Record<string, unknown> = {}) =>
  validateMessageRequest({ to: '+447400123456', body: CURLY.repeat(2), ...extra });

describe(withSmartEncoding.name, () => {
  it('applies when the request asks, whatever the account default', () => {
    const message = withSmartEncoding(request({ smartEncoding: true }), false);

    expect(message).toMatchObject({
      body: `"Your code is 123456" - don't share it`.repeat(2),
      encoding: 'GSM-7',
      segments: 1,
      segmentsSaved: 1,
    });
  });

  it('applies the account default when the request does not say', () => {
    expect(withSmartEncoding(request(), true)).toMatchObject({ encoding: 'GSM-7', segmentsSaved: 1 });
    expect(withSmartEncoding(request(), false)).toMatchObject({
      body: CURLY.repeat(2),
      encoding: 'UCS-2',
      segments: 2,
      segmentsSaved: 0,
    });
  });

  it('is off when the request says false, even with the account default on', () => {
    expect(withSmartEncoding(request({ smartEncoding: false }), true)).toMatchObject({
      body: CURLY.repeat(2),
      encoding: 'UCS-2',
      segmentsSaved: 0,
    });
  });
});
