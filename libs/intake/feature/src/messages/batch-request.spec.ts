import { ApiError } from '@sms/platform';
import { MAX_BATCH_MESSAGES, parseBatchRequest } from './batch-request';

const ITEM = { to: '+447400123456', body: 'Hi' };

function refusal(body: unknown): { status: number; code: string; field?: string } {
  try {
    parseBatchRequest(body);
  } catch (error) {
    if (error instanceof ApiError) {
      return { status: error.status, code: error.code, ...(error.field ? { field: error.field } : {}) };
    }
    throw error;
  }
  throw new Error('accepted');
}

describe(parseBatchRequest.name, () => {
  it('merges defaults under each message, the message winning, and takes the idempotency key out', () => {
    const items = parseBatchRequest({
      defaults: { from: 'Acme', messageClass: 'marketing' },
      messages: [
        { ...ITEM, idempotencyKey: 'k-1' },
        { ...ITEM, to: '+14155552671', from: 'Other' },
        { ...ITEM, from: null },
      ],
    });

    expect(items).toEqual([
      {
        kind: 'request',
        request: { ...ITEM, from: 'Acme', messageClass: 'marketing' },
        idempotencyKey: 'k-1',
      },
      {
        kind: 'request',
        request: { ...ITEM, to: '+14155552671', from: 'Other', messageClass: 'marketing' },
        idempotencyKey: null,
      },
      { kind: 'request', request: { ...ITEM, from: null, messageClass: 'marketing' }, idempotencyKey: null },
    ]);
  });

  it('refuses a broken item on its own, keeping its place', () => {
    const items = parseBatchRequest({ messages: [ITEM, 'text', { ...ITEM, idempotencyKey: 7 }] });

    expect(items.map((i) => (i.kind === 'refused' ? [i.error.status, i.error.code] : i.kind))).toEqual([
      'request',
      [422, 'INVALID_REQUEST'],
      [400, 'INVALID_IDEMPOTENCY_KEY'],
    ]);
  });

  it('takes exactly 1,000 messages', () => {
    expect(parseBatchRequest({ messages: Array.from({ length: MAX_BATCH_MESSAGES }, () => ITEM) })).toHaveLength(1000);
  });

  it.each<[string, unknown, { status: number; code: string; field?: string }]>([
    ['not an object', [ITEM], { status: 422, code: 'INVALID_REQUEST' }],
    ['null', null, { status: 422, code: 'INVALID_REQUEST' }],
    ['no messages', {}, { status: 422, code: 'INVALID_BATCH', field: 'messages' }],
    ['messages not an array', { messages: ITEM }, { status: 422, code: 'INVALID_BATCH', field: 'messages' }],
    ['no message at all', { messages: [] }, { status: 422, code: 'INVALID_BATCH', field: 'messages' }],
    [
      '1,001 messages',
      { messages: Array.from({ length: 1001 }, () => ITEM) },
      { status: 422, code: 'BATCH_TOO_LARGE', field: 'messages' },
    ],
    ['an unknown field', { messages: [ITEM], sendAll: true }, { status: 422, code: 'UNKNOWN_FIELD', field: 'sendAll' }],
    [
      'defaults not an object',
      { messages: [ITEM], defaults: 'x' },
      { status: 422, code: 'INVALID_BATCH_DEFAULTS', field: 'defaults' },
    ],
    [
      'a per-message field in defaults',
      { messages: [ITEM], defaults: { body: 'same for all' } },
      { status: 422, code: 'INVALID_BATCH_DEFAULTS', field: 'defaults.body' },
    ],
  ])('refuses the whole batch when it is %s', (_name, body, expected) => {
    expect(refusal(body)).toEqual(expected);
  });
});
