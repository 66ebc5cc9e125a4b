import { ApiError, STRICT_OUTBOUND_POLICY } from '@sms/platform';
import { parseCreateWebhook, parseDeliveryQuery, parseUpdateWebhook, parseWebhookId } from './webhook-input';

const URL_OK = 'https://hooks.example.com/sms';

function refusal(run: () => unknown): { status: number; code: string; field?: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) {
      return { status: error.status, code: error.code, ...(error.field ? { field: error.field } : {}) };
    }
    throw error;
  }
  throw new Error('accepted');
}

const create = (body: unknown) => () => parseCreateWebhook(body, STRICT_OUTBOUND_POLICY);

describe('POST /v1/webhooks input', () => {
  it('takes url, events and an optional secret', () => {
    expect(parseCreateWebhook({ url: URL_OK, events: ['message.status'] }, STRICT_OUTBOUND_POLICY)).toEqual({
      url: URL_OK,
      events: ['message.status'],
      secret: null,
    });
    const secret = 'a-caller-chosen-secret-0123456789';
    expect(
      parseCreateWebhook(
        { url: URL_OK, events: ['message.inbound', 'message.status'], secret },
        STRICT_OUTBOUND_POLICY,
      ),
    ).toEqual({ url: URL_OK, events: ['message.inbound', 'message.status'], secret });
  });

  it.each([
    ['not https', 'http://hooks.example.com/sms'],
    ['a private address', 'https://10.0.0.7/sms'],
    ['loopback', 'https://127.0.0.1/sms'],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data'],
    ['an internal name', 'https://localhost/sms'],
    ['a single-label host', 'https://intranet/sms'],
    ['another port', 'https://hooks.example.com:8080/sms'],
    ['credentials', 'https://user:pw@hooks.example.com/sms'],
    ['not a URL', 'hooks example'],
    ['too long', `https://hooks.example.com/${'a'.repeat(2048)}`],
    ['empty', ''],
    ['not a string', 42],
  ])('refuses a url that is %s', (_why, url) => {
    expect(refusal(create({ url, events: ['message.status'] }))).toEqual({
      status: 422,
      code: 'INVALID_WEBHOOK_URL',
      field: 'url',
    });
  });

  it('refuses a missing url', () => {
    expect(refusal(create({ events: ['message.status'] }))).toMatchObject({
      code: 'INVALID_WEBHOOK_URL',
      field: 'url',
    });
  });

  it.each([
    [[], 'EVENTS_EMPTY'],
    [undefined, 'EVENTS_EMPTY'],
    [['message.status', 'message.sent'], 'UNKNOWN_EVENT_TYPE'],
    [['*'], 'UNKNOWN_EVENT_TYPE'],
    [['message.status', 'message.status'], 'INVALID_EVENTS'],
    ['message.status', 'INVALID_EVENTS'],
    [[1], 'INVALID_EVENTS'],
  ])('refuses events %p with %s', (events, code) => {
    expect(refusal(create({ url: URL_OK, events }))).toEqual({ status: 422, code, field: 'events' });
  });

  it.each([
    ['short-secret', 'SECRET_TOO_SHORT'],
    ['', 'SECRET_TOO_SHORT'],
    ['x'.repeat(129), 'SECRET_TOO_LONG'],
    ['a secret with spaces in it, long enough', 'INVALID_SECRET'],
    ['a-secret-with-a-newline-\n-long-enough', 'INVALID_SECRET'],
    [12345678901234567890, 'INVALID_SECRET'],
  ])('refuses secret %p with %s', (secret, code) => {
    expect(refusal(create({ url: URL_OK, events: ['message.status'], secret }))).toEqual({
      status: 422,
      code,
      field: 'secret',
    });
  });

  it('refuses an unknown field and a body that is not an object', () => {
    expect(refusal(create({ url: URL_OK, events: ['message.status'], active: true }))).toEqual({
      status: 422,
      code: 'UNKNOWN_FIELD',
      field: 'active',
    });
    expect(refusal(create([URL_OK]))).toEqual({ status: 422, code: 'INVALID_REQUEST' });
    expect(refusal(create(null))).toEqual({ status: 422, code: 'INVALID_REQUEST' });
  });
});

describe('PATCH /v1/webhooks/:id input', () => {
  const update = (body: unknown) => () => parseUpdateWebhook(body, STRICT_OUTBOUND_POLICY);

  it('takes url and events, each optional but not both', () => {
    expect(parseUpdateWebhook({ events: ['message.inbound'] }, STRICT_OUTBOUND_POLICY)).toEqual({
      events: ['message.inbound'],
    });
    expect(parseUpdateWebhook({ url: URL_OK }, STRICT_OUTBOUND_POLICY)).toEqual({ url: URL_OK });
    expect(refusal(update({}))).toEqual({ status: 422, code: 'NOTHING_TO_UPDATE' });
  });

  it('refuses a secret (rotation changes it) and the create rules alike', () => {
    expect(refusal(update({ secret: 'x'.repeat(30) }))).toMatchObject({ code: 'UNKNOWN_FIELD', field: 'secret' });
    expect(refusal(update({ url: 'https://192.168.1.1/x' }))).toMatchObject({ code: 'INVALID_WEBHOOK_URL' });
    expect(refusal(update({ events: [] }))).toMatchObject({ code: 'EVENTS_EMPTY' });
  });
});

describe('path and query input', () => {
  it('takes a UUID id, lower-cased, and refuses anything else', () => {
    expect(parseWebhookId('0E6C2B1A-7A4B-4D4B-9C1B-2F7E4E1B9A10', 'INVALID_WEBHOOK_ID', 'id')).toBe(
      '0e6c2b1a-7a4b-4d4b-9c1b-2f7e4e1b9a10',
    );
    expect(refusal(() => parseWebhookId('../etc', 'INVALID_WEBHOOK_ID', 'id'))).toEqual({
      status: 422,
      code: 'INVALID_WEBHOOK_ID',
      field: 'id',
    });
  });

  it.each([['0'], ['101'], ['ten'], ['1.5'], ['-1'], ['']])('refuses limit=%s', (limit) => {
    expect(refusal(() => parseDeliveryQuery({ limit }))).toEqual({
      status: 422,
      code: 'INVALID_LIMIT',
      field: 'limit',
    });
  });

  it('defaults the page to 50, and refuses an unknown parameter', () => {
    expect(parseDeliveryQuery({})).toEqual({ limit: 50 });
    expect(parseDeliveryQuery({ limit: '100' })).toEqual({ limit: 100 });
    expect(refusal(() => parseDeliveryQuery({ cursor: 'x' }))).toEqual({
      status: 422,
      code: 'UNKNOWN_FIELD',
      field: 'cursor',
    });
  });
});
