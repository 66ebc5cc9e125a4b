import { createHmac } from 'node:crypto';
import { inboundEventId, signatureHeader } from './webhook-events';
import { generateWebhookSecret, WebhookSecretBox } from './webhook-secrets';

const KEY = 'k'.repeat(40);
const ID = '3f1d7c36-1d0c-4f5e-9d55-2f63b5a3c0a1';

describe('webhook secrets at rest', () => {
  it('seals a secret so that only the same key and subscription open it', () => {
    const box = new WebhookSecretBox(KEY);
    const secret = generateWebhookSecret();
    const sealed = box.seal(secret, ID);

    expect(sealed).not.toContain(secret);
    expect(box.open(sealed, ID)).toBe(secret);
    expect(() => box.open(sealed, '00000000-0000-4000-8000-000000000000')).toThrow();
    expect(() => new WebhookSecretBox('z'.repeat(40)).open(sealed, ID)).toThrow();
    expect(() => box.open('v1.abc', ID)).toThrow('not a sealed webhook secret');
  });

  it('seals the same secret differently each time (fresh IV)', () => {
    const box = new WebhookSecretBox(KEY);

    expect(box.seal('same-secret-same-secret-1', ID)).not.toBe(box.seal('same-secret-same-secret-1', ID));
  });

  it('refuses a short key', () => {
    expect(() => new WebhookSecretBox('short')).toThrow(/at least 32/);
  });

  it('generates 43 random base64url characters after whsec_', () => {
    const secret = generateWebhookSecret();

    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});

describe('the signature header (docs/webhooks.md recipe)', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256 over "t.body">', () => {
    const body = '{"id":"e","type":"message.status"}';
    const expected = createHmac('sha256', 'whsec_test').update(`1700000000.${body}`).digest('hex');

    expect(signatureHeader('whsec_test', 1_700_000_000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('gives an inbound message one stable event id per provider message', () => {
    const a = inboundEventId({ provider: 'twilio', providerMessageId: 'SM1' });

    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(inboundEventId({ provider: 'twilio', providerMessageId: 'SM1' })).toBe(a);
    expect(inboundEventId({ provider: 'vonage', providerMessageId: 'SM1' })).not.toBe(a);
  });
});
