import { randomUUID, sign } from 'node:crypto';
import { DeliveryStatus, ErrorClass, type RawWebhook } from '@sms/provider-port';
import { generate } from 'selfsigned';
import { AWS_SMS_EVENT_TYPES } from './aws.codes';
import { type AwsConfig, parseAwsConfig } from './aws.config';
import { AwsSmsProvider } from './aws.provider';
import { snsStringToSign, type SnsEnvelope } from './aws.sns-signature';

const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:sms-events';
const CONFIG: AwsConfig = parseAwsConfig({ AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' });

let keys: { privateKey: string; cert: string; otherPrivateKey: string };

beforeAll(async () => {
  const [mine, other] = await Promise.all([
    generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], { keySize: 2048, algorithm: 'sha256' }),
    generate([{ name: 'commonName', value: 'attacker' }], { keySize: 2048, algorithm: 'sha256' }),
  ]);
  keys = { privateKey: mine.private, cert: mine.cert, otherPrivateKey: other.private };
});

/** Signs like SNS (written out here, independently of the adapter and the simulator). */
function envelope(
  fields: Partial<SnsEnvelope> & { Message: string },
  options: { version?: '1' | '2'; key?: string } = {},
): Record<string, string> {
  const version = options.version ?? '2';
  const base: Record<string, string> = {
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: TOPIC,
    Timestamp: '2024-07-01T12:30:00.000Z',
    SignatureVersion: version,
    SigningCertURL: CERT_URL,
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x',
    ...(fields as Record<string, string>),
  };
  const keysInOrder =
    base['Type'] === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const text = keysInOrder
    .filter((key) => base[key] !== undefined)
    .map((key) => `${key}\n${base[key]}\n`)
    .join('');
  const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(text), options.key ?? keys.privateKey);

  return { ...base, Signature: signature.toString('base64') };
}

function webhook(body: Record<string, string> | string): RawWebhook {
  const text = typeof body === 'string' ? body : JSON.stringify(body);

  return {
    url: 'https://gw.example/webhooks/aws/status',
    method: 'POST',
    headers: { 'x-amz-sns-message-type': 'Notification' },
    body: text,
    contentType: 'text/plain; charset=UTF-8',
  };
}

function event(eventType: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    eventType,
    eventVersion: '1.0',
    eventTimestamp: 1686975103470,
    isFinal: true,
    originationPhoneNumber: '+12065550152',
    destinationPhoneNumber: '+14255550156',
    messageId: '862a8790-60c0-4430-9b2b-658bdexample',
    messageStatus: eventType.replace('TEXT_', ''),
    context: { gwMessageId: 'msg_123' },
    ...extra,
  });
}

function setup(config: AwsConfig = CONFIG) {
  const fetch = jest.fn((url: string) => {
    void url;

    return Promise.resolve(new Response(keys.cert, { status: 200 }));
  });
  const sut = new AwsSmsProvider(config, { fetch: fetch as unknown as typeof globalThis.fetch });

  return { sut, mocks: { fetch } };
}

async function verified(sut: AwsSmsProvider, hook: RawWebhook): Promise<boolean> {
  await sut.prepareWebhook(hook);

  return sut.verifyWebhook(hook);
}

describe('AWS webhooks: SNS envelope signature', () => {
  it.each(['1', '2'] as const)('accepts SignatureVersion %s signed by the certificate at an allowed URL', async (v) => {
    const { sut, mocks } = setup();

    expect(await verified(sut, webhook(envelope({ Message: event('TEXT_DELIVERED') }, { version: v })))).toBe(true);
    expect(mocks.fetch).toHaveBeenCalledWith(CERT_URL, expect.objectContaining({ redirect: 'error' }));
  });

  it('covers Subject when present', async () => {
    const { sut } = setup();
    const signed = envelope({ Message: event('TEXT_SENT'), Subject: 'hello' });

    expect(await verified(sut, webhook(signed))).toBe(true);
    expect(sut.verifyWebhook(webhook({ ...signed, Subject: 'changed' }))).toBe(false);
    expect(sut.verifyWebhook(webhook({ ...signed, Subject: undefined } as unknown as Record<string, string>))).toBe(
      false,
    );
  });

  it.each([
    ['Message', (e: Record<string, string>) => ({ ...e, Message: event('TEXT_BLOCKED') })],
    ['MessageId', (e: Record<string, string>) => ({ ...e, MessageId: randomUUID() })],
    ['Timestamp', (e: Record<string, string>) => ({ ...e, Timestamp: '2030-01-01T00:00:00.000Z' })],
    ['TopicArn', (e: Record<string, string>) => ({ ...e, TopicArn: `${TOPIC}-other` })],
    ['Type', (e: Record<string, string>) => ({ ...e, Type: 'SubscriptionConfirmation' })],
    ['Signature', (e: Record<string, string>) => ({ ...e, Signature: Buffer.from('nope').toString('base64') })],
    ['SignatureVersion', (e: Record<string, string>) => ({ ...e, SignatureVersion: '3' })],
  ])('refuses a tampered %s', async (_field, tamper) => {
    const { sut } = setup();
    const signed = envelope({ Message: event('TEXT_DELIVERED') });
    expect(await verified(sut, webhook(signed))).toBe(true);

    expect(sut.verifyWebhook(webhook(tamper(signed)))).toBe(false);
  });

  it('refuses a signature from another key', async () => {
    const { sut } = setup();

    expect(await verified(sut, webhook(envelope({ Message: '{}' }, { key: keys.otherPrivateKey })))).toBe(false);
  });

  it.each([
    ['a foreign host', 'https://evil.example/SimpleNotificationService-1.pem'],
    ['a look-alike host', 'https://sns.us-east-1.amazonaws.com.evil.example/cert.pem'],
    ['plain http', 'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem'],
    ['a non-pem path', 'https://sns.us-east-1.amazonaws.com/cert.txt'],
    ['credentials in the URL', 'https://user:pw@sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem'],
    ['no URL at all', 'not a url'],
  ])('refuses a certificate from %s without fetching it', async (_case, url) => {
    const { sut, mocks } = setup();

    expect(await verified(sut, webhook(envelope({ Message: '{}', SigningCertURL: url })))).toBe(false);
    expect(mocks.fetch).not.toHaveBeenCalled();
  });

  it('accepts the simulator certificate host only when the allow-list is configured for it', async () => {
    const simUrl = 'http://127.0.0.1:5200/sim/aws/sns-cert.pem';
    const signed = envelope({ Message: '{}', SigningCertURL: simUrl });
    const strict = setup();
    const relaxed = setup({ ...CONFIG, snsCertUrlAllow: /^http:\/\/127\.0\.0\.1:5200\/sim\/aws\// });

    expect(await verified(strict.sut, webhook(signed))).toBe(false);
    expect(await verified(relaxed.sut, webhook(signed))).toBe(true);
  });

  it('fetches each certificate once and caches it, even for concurrent deliveries', async () => {
    const { sut, mocks } = setup();
    const hooks = [1, 2, 3].map(() => webhook(envelope({ Message: event('TEXT_SENT', { isFinal: false }) })));

    await Promise.all(hooks.map((hook) => sut.prepareWebhook(hook)));

    expect(hooks.every((hook) => sut.verifyWebhook(hook))).toBe(true);
    expect(mocks.fetch).toHaveBeenCalledTimes(1);
  });

  it('fails (without throwing) when the certificate cannot be fetched or read, and verify never fetches', async () => {
    const broken = new AwsSmsProvider(CONFIG, {
      fetch: () => Promise.resolve(new Response('garbage', { status: 200 })),
    });
    const down = new AwsSmsProvider(CONFIG, { fetch: () => Promise.reject(new Error('down')) });
    const hook = webhook(envelope({ Message: '{}' }));

    expect(await verified(broken, hook)).toBe(false);
    expect(await verified(down, hook)).toBe(false);
    expect(setup().sut.verifyWebhook(hook)).toBe(false); // nothing prepared: no certificate, no pass
  });

  it('refuses envelopes from topics outside the configured list', async () => {
    const { sut } = setup({ ...CONFIG, snsTopicArns: ['arn:aws:sns:us-east-1:123456789012:other'] });

    expect(await verified(sut, webhook(envelope({ Message: '{}' })))).toBe(false);
  });

  it('builds the string to sign in SNS order, skipping an absent Subject', () => {
    expect(
      snsStringToSign({
        Type: 'Notification',
        MessageId: 'id',
        TopicArn: 't',
        Message: 'm',
        Timestamp: 'ts',
        SignatureVersion: '2',
        Signature: '',
        SigningCertURL: '',
      }),
    ).toBe('Message\nm\nMessageId\nid\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n');
  });

  describe('SubscriptionConfirmation', () => {
    const confirmation = (subscribeUrl: string) =>
      envelope({
        Type: 'SubscriptionConfirmation',
        Message: 'You have chosen to subscribe…',
        Token: 'token-1',
        SubscribeURL: subscribeUrl,
      });

    it('verifies with its own key order and is confirmed by GET SubscribeURL', async () => {
      const { sut, mocks } = setup();
      const url = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=t&Token=token-1';
      const hook = webhook(confirmation(url));

      expect(await verified(sut, hook)).toBe(true);
      expect(await sut.acknowledgeWebhook(hook)).toBe(true);
      expect(mocks.fetch).toHaveBeenLastCalledWith(url, expect.objectContaining({ redirect: 'error' }));
      expect(sut.parseDeliveryReports(hook)).toEqual([]);
      expect(sut.parseInbound(hook)).toBeNull();
    });

    it('never GETs a SubscribeURL on a host outside the allow-list, even when signed', async () => {
      const { sut, mocks } = setup();
      const hook = webhook(confirmation('https://evil.example/?Token=token-1'));

      expect(await verified(sut, hook)).toBe(true);
      expect(await sut.acknowledgeWebhook(hook)).toBe(false);
      expect(mocks.fetch).toHaveBeenCalledTimes(1); // the certificate only
    });

    it('does not confirm an unsigned or tampered confirmation, nor a Notification', async () => {
      const { sut, mocks } = setup();
      const url = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=token-1';
      const tampered = { ...confirmation(url), Token: 'token-2' };
      await sut.prepareWebhook(webhook(tampered));

      expect(await sut.acknowledgeWebhook(webhook(tampered))).toBe(false);
      expect(await sut.acknowledgeWebhook(webhook(envelope({ Message: '{}' })))).toBe(false);
      expect(mocks.fetch).toHaveBeenCalledTimes(1);
    });
  });
});

describe('AWS webhooks: EUM events → delivery reports', () => {
  const { sut } = { sut: new AwsSmsProvider(CONFIG) };
  const expected: Record<string, [DeliveryStatus, ErrorClass | undefined]> = {
    TEXT_QUEUED: [DeliveryStatus.Queued, undefined],
    TEXT_PENDING: [DeliveryStatus.Sending, undefined],
    TEXT_SENT: [DeliveryStatus.Sent, undefined],
    TEXT_SUCCESSFUL: [DeliveryStatus.Delivered, undefined],
    TEXT_DELIVERED: [DeliveryStatus.Delivered, undefined],
    TEXT_INVALID: [DeliveryStatus.Failed, ErrorClass.Permanent],
    TEXT_INVALID_MESSAGE: [DeliveryStatus.Failed, ErrorClass.Permanent],
    TEXT_PROTECT_BLOCKED: [DeliveryStatus.Failed, ErrorClass.Configuration],
    TEXT_UNREACHABLE: [DeliveryStatus.Undelivered, ErrorClass.Transient],
    TEXT_CARRIER_UNREACHABLE: [DeliveryStatus.Undelivered, ErrorClass.Transient],
    TEXT_BLOCKED: [DeliveryStatus.Undelivered, ErrorClass.Permanent],
    TEXT_CARRIER_BLOCKED: [DeliveryStatus.Undelivered, ErrorClass.Permanent],
    TEXT_SPAM: [DeliveryStatus.Undelivered, ErrorClass.Permanent],
    TEXT_TTL_EXPIRED: [DeliveryStatus.Undelivered, ErrorClass.Transient],
    TEXT_UNKNOWN: [DeliveryStatus.Undelivered, ErrorClass.Transient],
  };

  it('has an expectation for every event type the adapter knows', () => {
    expect(Object.keys(expected).sort()).toEqual([...AWS_SMS_EVENT_TYPES].sort());
  });

  it.each(Object.entries(expected))('%s (final) → %s', (type, [status, errorClass]) => {
    const reports = sut.parseDeliveryReports(webhook({ Type: 'Notification', ...signedless(event(type)) }));

    expect(reports).toEqual([
      {
        providerMessageId: '862a8790-60c0-4430-9b2b-658bdexample',
        status,
        providerStatus: type,
        ...(errorClass !== undefined && { errorCode: type, errorClass }),
        occurredAt: new Date(1686975103470),
      },
    ]);
  });

  it('TEXT_SUCCESSFUL that is not final means carrier accepted: sent, not delivered', () => {
    const reports = sut.parseDeliveryReports(webhook(signedless(event('TEXT_SUCCESSFUL', { isFinal: false }))));

    expect(reports.map((report) => report.status)).toEqual([DeliveryStatus.Sent]);
  });

  it('reads the price (message price plus carrier fee, USD, without float noise) and the network', () => {
    const priced = event('TEXT_DELIVERED', {
      totalMessagePrice: 0.00581,
      totalCarrierFee: 0.003,
      mcc: '310',
      mnc: '800',
    });

    expect(sut.parseDeliveryReports(webhook(signedless(priced)))).toEqual([
      expect.objectContaining({ price: { amount: '0.00881000', currency: 'USD' }, network: '310800' }),
    ]);
  });

  it.each([
    ['no price', {}],
    ['a price as text', { totalMessagePrice: '0.00645' }],
    ['a negative price', { totalMessagePrice: -0.1 }],
    ['a carrier fee alone', { totalCarrierFee: 0.003 }],
  ])('has no price with %s, and no network without both mcc and mnc', (_case, extra) => {
    const [report] = sut.parseDeliveryReports(webhook(signedless(event('TEXT_DELIVERED', { ...extra, mcc: '310' }))));

    expect(report?.price).toBeUndefined();
    expect(report?.network).toBeUndefined();
  });

  it('reads the same event inside an EventBridge `detail`', () => {
    const bridged = JSON.stringify({
      source: 'aws.sms-voice',
      'detail-type': 'Text Message Delivery Status Updated',
      detail: JSON.parse(event('TEXT_DELIVERED')) as unknown,
    });

    expect(sut.parseDeliveryReports(webhook(signedless(bridged)))[0]?.status).toBe(DeliveryStatus.Delivered);
  });

  it.each([
    ['empty body', ''],
    ['not JSON', 'eventType=TEXT_DELIVERED'],
    ['JSON array', '[1,2]'],
    ['envelope without Message', JSON.stringify({ Type: 'Notification' })],
    ['Message not JSON', JSON.stringify(signedless('{{'))],
    ['unknown event type', JSON.stringify(signedless(event('VOICE_ANSWERED')))],
    ['missing messageId', JSON.stringify(signedless(event('TEXT_DELIVERED', { messageId: 7 })))],
    ['null Message', JSON.stringify({ ...signedless('{}'), Message: null })],
    ['bad timestamp', JSON.stringify(signedless(event('TEXT_DELIVERED', { eventTimestamp: 'soon' })))],
    ['unknown SNS type', JSON.stringify({ ...signedless(event('TEXT_DELIVERED')), Type: 'Other' })],
  ])('never throws on %s', (_case, body) => {
    expect(() => sut.parseDeliveryReports(webhook(body))).not.toThrow();
    expect(() => sut.parseInbound(webhook(body))).not.toThrow();
    expect(() => sut.verifyWebhook(webhook(body))).not.toThrow();
    expect(sut.verifyWebhook(webhook(body))).toBe(false);
    const reports = sut.parseDeliveryReports(webhook(body));
    expect(
      reports.every((report) => report.occurredAt === undefined || !Number.isNaN(report.occurredAt.getTime())),
    ).toBe(true);
    if (_case !== 'bad timestamp') {
      expect(reports).toEqual([]);
    }
  });
});

describe('AWS webhooks: two-way MO', () => {
  const sut = new AwsSmsProvider(CONFIG);
  const mo = {
    originationNumber: '+14255550182',
    destinationNumber: '+12125550101',
    messageKeyword: 'JOIN',
    messageBody: 'STOP',
    inboundMessageId: 'cae173d2-66b0-4bfb-a1f1-2e1b4f4bd1e1',
    previousPublishedMessageId: 'wJ0xjWFiNcLf',
  };

  it('parses the MO inside the SNS envelope: originationNumber is the customer', () => {
    expect(sut.parseInbound(webhook(signedless(JSON.stringify(mo))))).toEqual({
      providerMessageId: mo.inboundMessageId,
      from: '+14255550182',
      to: '+12125550101',
      body: 'STOP',
      receivedAt: new Date('2024-07-01T12:30:00.000Z'),
    });
  });

  it('is not an MO when fields are missing, and a delivery event is not one either', () => {
    const { messageBody: _dropped, ...noBody } = mo;
    expect(sut.parseInbound(webhook(signedless(JSON.stringify(noBody))))).toBeNull();
    expect(sut.parseInbound(webhook(signedless(event('TEXT_DELIVERED'))))).toBeNull();
    expect(sut.parseDeliveryReports(webhook(signedless(JSON.stringify(mo))))).toEqual([]);
  });
});

/** An unsigned Notification envelope: parsing does not depend on the signature (verification is separate). */
function signedless(message: string): Record<string, string> {
  return {
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: TOPIC,
    Message: message,
    Timestamp: '2024-07-01T12:30:00.000Z',
    SignatureVersion: '2',
    Signature: 'AAAA',
    SigningCertURL: CERT_URL,
  };
}
