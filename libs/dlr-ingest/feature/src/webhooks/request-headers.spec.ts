import type { RawWebhook } from '@sms/provider-port';
import { flatHeaders } from './request-headers';
import { dedupeKeyOf } from './webhook-ingest.service';

describe(flatHeaders.name, () => {
  it('keeps one string per header, joins repeated ones and drops absent ones', () => {
    expect(
      flatHeaders({ 'content-type': 'text/plain', 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'], age: undefined }),
    ).toEqual({ 'content-type': 'text/plain', 'x-forwarded-for': '10.0.0.1,10.0.0.2' });
  });
});

describe(dedupeKeyOf.name, () => {
  const webhook = (headers: Record<string, string>, body = 'MessageSid=SM1&MessageStatus=delivered'): RawWebhook => ({
    url: 'https://gw.example.test/webhooks/twilio/status',
    method: 'POST',
    headers,
    body,
    contentType: 'application/x-www-form-urlencoded',
  });

  it('collides for retries with the same idempotency token, whatever the body or the header case', () => {
    const first = dedupeKeyOf('twilio', 'status', webhook({ 'i-twilio-idempotency-token': 't-1' }, 'a=1'));

    expect(dedupeKeyOf('twilio', 'status', webhook({ 'I-Twilio-Idempotency-Token': 't-1' }, 'a=2'))).toBe(first);
    expect(dedupeKeyOf('twilio', 'status', webhook({ 'i-twilio-idempotency-token': 't-2' }, 'a=1'))).not.toBe(first);
  });

  it('takes the first token in the provider order, skips empty ones, and falls back to the body', () => {
    const byTwilioToken = dedupeKeyOf('twilio', 'status', webhook({ 'i-twilio-idempotency-token': 'tw' }));

    expect(
      dedupeKeyOf('twilio', 'status', webhook({ 'idempotency-key': 'generic', 'i-twilio-idempotency-token': 'tw' })),
    ).toBe(byTwilioToken);
    expect(dedupeKeyOf('twilio', 'status', webhook({ 'i-twilio-idempotency-token': '', 'idempotency-key': 'k' }))).toBe(
      dedupeKeyOf('twilio', 'status', webhook({ 'idempotency-key': 'k' })),
    );
    const byBody = dedupeKeyOf('twilio', 'status', webhook({ 'x-twilio-signature': 's1' }));
    expect(dedupeKeyOf('twilio', 'status', webhook({ 'x-twilio-signature': 's2' }))).toBe(byBody);
    expect(dedupeKeyOf('twilio', 'status', webhook({}, 'other body'))).not.toBe(byBody);
    // Provider and kind are part of the key: the same payload to another endpoint is another callback.
    expect(dedupeKeyOf('vonage', 'status', webhook({ 'x-twilio-signature': 's1' }))).not.toBe(byBody);
    expect(dedupeKeyOf('twilio', 'inbound', webhook({ 'x-twilio-signature': 's1' }))).not.toBe(byBody);
  });

  it('keeps the keys rows already store: a retry arriving after an upgrade still collides with its original', () => {
    // Values computed by the Hash-object implementation this replaced; any change of hashing breaks dedupe.
    expect(dedupeKeyOf('twilio', 'status', webhook({ 'content-type': 'application/x-www-form-urlencoded' }))).toBe(
      '9158c94d4cf026f6f780695576a14bfd889d00fda81f08dc5652e04211b98997',
    );
    expect(dedupeKeyOf('twilio', 'status', webhook({ 'I-Twilio-Idempotency-Token': 'tok-1' }, 'x'))).toBe(
      '79c37bb38706893e52e636b31758f5a827f0a313c29a5c3d29f647f5caf8b336',
    );
  });
});
