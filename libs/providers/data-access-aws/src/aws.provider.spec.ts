import { ConfigError } from '@sms/config-kit';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeliveryStatus, ErrorClass, ProviderError, ProviderId, type SendRequest } from '@sms/provider-port';
import { AWS_KNOWN_REASONS, AWS_KNOWN_TYPES, AWS_SMS_EVENT_TYPES } from './aws.codes';
import { type AwsConfig, DEFAULT_SNS_CERT_URL_ALLOW, parseAwsConfig } from './aws.config';
import { AwsSmsProvider } from './aws.provider';

const CONFIG: AwsConfig = parseAwsConfig({
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_CONFIGURATION_SET: 'gw-events',
});

const REQUEST: SendRequest = {
  messageId: '7d7c3d4e-6a0e-4bd3-9d0e-3f4f8d1c2b10',
  to: '+14255550156',
  from: '+12065550152',
  body: 'Hello',
  encoding: 'GSM-7',
  segments: 1,
};

/** What the SDK handed its HTTP handler: the request exactly as it would go on the wire. */
interface WireRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

interface Canned {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

function setup(respond: () => Canned | Promise<Canned> = () => eumOk(), config: AwsConfig = CONFIG) {
  const handle = jest.fn(async (request: WireRequest, options?: { abortSignal?: AbortSignal }) => {
    void request;
    void options;
    const canned = await respond();

    return {
      response: {
        statusCode: canned.status,
        headers: canned.headers ?? { 'content-type': 'application/x-amz-json-1.0' },
        body: Readable.from([Buffer.from(canned.body)]),
      },
    };
  });
  const sut = new AwsSmsProvider(config, { requestHandler: { handle } });

  return { sut, mocks: { handle } };
}

const eumOk = (): Canned => ({ status: 200, body: '{"MessageId":"862a8790-60c0-4430-9b2b-658bdexample"}' });

function onlyRequest(handle: jest.Mock): WireRequest {
  expect(handle).toHaveBeenCalledTimes(1);

  return handle.mock.calls[0][0] as WireRequest;
}

function bodyText(request: WireRequest): string {
  return typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
}

async function sendError(sut: AwsSmsProvider, request = REQUEST): Promise<ProviderError> {
  const error: unknown = await sut.send(request).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProviderError);

  return error as ProviderError;
}

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/(sms-voice|sns)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/;

describe(AwsSmsProvider.name, () => {
  it('identifies itself as the AWS adapter', () => {
    expect(setup().sut.id).toBe(ProviderId.Aws);
  });

  describe('send (EUM SMS v2): the exact outbound request', () => {
    it('posts SendTextMessage as AWS JSON 1.0 to the regional endpoint, SigV4-signed for sms-voice', async () => {
      const { sut, mocks } = setup();

      await sut.send({ ...REQUEST, validitySeconds: 3600 });

      const request = onlyRequest(mocks.handle);
      expect(request.method).toBe('POST');
      expect(`${request.protocol}//${request.hostname}${request.path}`).toBe(
        'https://sms-voice.us-east-1.amazonaws.com/',
      );
      expect(request.headers).toMatchObject({
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'PinpointSMSVoiceV2.SendTextMessage',
        'x-amz-date': expect.stringMatching(/^\d{8}T\d{6}Z$/),
        'x-amz-content-sha256': createHash('sha256').update(bodyText(request)).digest('hex'),
        // One attempt only: the SDK must not resend a create that may have succeeded.
        'amz-sdk-request': 'attempt=1; max=1',
      });
      const [, service, signed] = SIGV4.exec(request.headers['authorization'] ?? '') ?? [];
      expect(service).toBe('sms-voice');
      expect(signed?.split(';')).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target']));
      expect(JSON.parse(bodyText(request))).toEqual({
        DestinationPhoneNumber: '+14255550156',
        OriginationIdentity: '+12065550152',
        MessageBody: 'Hello',
        MessageType: 'TRANSACTIONAL',
        ConfigurationSetName: 'gw-events',
        Context: { gwMessageId: REQUEST.messageId },
        TimeToLive: 3600,
      });
    });

    it('falls back to the configured origination identity, and omits what is not configured', async () => {
      const config = parseAwsConfig({
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_ORIGINATION_IDENTITY: 'arn:aws:sms-voice:us-east-1:123456789012:pool/pool-1',
        AWS_SMS_MESSAGE_TYPE: 'promotional',
      });
      const { sut, mocks } = setup(undefined, config);

      await sut.send({ ...REQUEST, from: '' });

      expect(JSON.parse(bodyText(onlyRequest(mocks.handle)))).toEqual({
        DestinationPhoneNumber: '+14255550156',
        OriginationIdentity: 'arn:aws:sms-voice:us-east-1:123456789012:pool/pool-1',
        MessageBody: 'Hello',
        MessageType: 'PROMOTIONAL',
        // AWS_CONFIGURATION_SET's default: the set whose event destination feeds our status webhook.
        ConfigurationSetName: 'gw-events',
        Context: { gwMessageId: REQUEST.messageId },
      });
    });

    it.each([
      [1, 5],
      [59.6, 60],
      [300_000, 259_200],
    ])('clamps TimeToLive %p to %p', async (validitySeconds, sent) => {
      const { sut, mocks } = setup();

      await sut.send({ ...REQUEST, validitySeconds });

      expect(JSON.parse(bodyText(onlyRequest(mocks.handle)))).toMatchObject({ TimeToLive: sent });
    });

    it('targets the configured endpoint (the simulator), keeping its path', async () => {
      const { sut, mocks } = setup(undefined, { ...CONFIG, endpoint: 'http://127.0.0.1:4010/sim/aws' });

      await sut.send(REQUEST);

      const request = onlyRequest(mocks.handle);
      expect(`${request.protocol}//${request.hostname}:${request.port}${request.path}`).toBe(
        'http://127.0.0.1:4010/sim/aws/',
      );
    });
  });

  describe('send (SNS Publish mode): the exact outbound request', () => {
    const snsOk = (): Canned => ({
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>34d9b400-c6dd-5444-820d-fbeb0f1f54cf</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>',
    });

    it('posts the providers.md §4a form, SigV4-signed for sns, and returns the MessageId', async () => {
      const { sut, mocks } = setup(snsOk, { ...CONFIG, mode: 'sns' });

      const result = await sut.send({ ...REQUEST, from: '+18005550100' });

      expect(result).toEqual({ providerMessageId: '34d9b400-c6dd-5444-820d-fbeb0f1f54cf', status: 'queued' });
      const request = onlyRequest(mocks.handle);
      expect(`${request.method} ${request.protocol}//${request.hostname}${request.path}`).toBe(
        'POST https://sns.us-east-1.amazonaws.com/',
      );
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(SIGV4.exec(request.headers['authorization'] ?? '')?.[1]).toBe('sns');
      expect(bodyText(request)).toBe(
        'Action=Publish&Version=2010-03-31&Message=Hello&PhoneNumber=%2B14255550156' +
          '&MessageAttributes.entry.1.Name=AWS.SNS.SMS.SMSType&MessageAttributes.entry.1.Value.DataType=String' +
          '&MessageAttributes.entry.1.Value.StringValue=Transactional' +
          '&MessageAttributes.entry.2.Name=AWS.MM.SMS.OriginationNumber&MessageAttributes.entry.2.Value.DataType=String' +
          '&MessageAttributes.entry.2.Value.StringValue=%2B18005550100',
      );
    });

    it('sends an alphanumeric sender as AWS.SNS.SMS.SenderID', async () => {
      const { sut, mocks } = setup(snsOk, { ...CONFIG, mode: 'sns' });

      await sut.send({ ...REQUEST, from: 'AcmeInc' });

      const form = new URLSearchParams(bodyText(onlyRequest(mocks.handle)));
      expect(form.get('MessageAttributes.entry.2.Name')).toBe('AWS.SNS.SMS.SenderID');
      expect(form.get('MessageAttributes.entry.2.Value.StringValue')).toBe('AcmeInc');
    });

    it.each([
      [400, 'InvalidParameter', ErrorClass.Permanent],
      [400, 'ParameterValueInvalid', ErrorClass.Permanent],
      [403, 'AuthorizationError', ErrorClass.Configuration],
      [403, 'InvalidSecurity', ErrorClass.Configuration],
      [404, 'NotFound', ErrorClass.Configuration],
      [429, 'Throttled', ErrorClass.Transient],
      [400, 'Throttling', ErrorClass.Transient],
      [500, 'InternalError', ErrorClass.Transient],
    ])('HTTP %p %p → %p', async (status, code, errorClass) => {
      const { sut } = setup(
        () => ({
          status,
          headers: { 'content-type': 'text/xml' },
          body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>no</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
        }),
        { ...CONFIG, mode: 'sns' },
      );

      const error = await sendError(sut);

      expect(error.errorClass).toBe(errorClass);
      expect(error.ambiguous).toBe(false);
    });
  });

  describe('send: results and API errors', () => {
    it('maps a 200 to the MessageId and queued', async () => {
      await expect(setup().sut.send(REQUEST)).resolves.toEqual({
        providerMessageId: '862a8790-60c0-4430-9b2b-658bdexample',
        status: DeliveryStatus.Queued,
      });
    });

    it.each([
      ['no MessageId', '{}'],
      ['not JSON', '<html>ok</html>'],
    ])('treats a 200 with %s as ambiguous: something may exist that we cannot name', async (_case, body) => {
      const { sut } = setup(() => ({ status: 200, body }));

      expect(await sendError(sut)).toMatchObject({ errorClass: ErrorClass.Transient, ambiguous: true });
    });

    it.each([
      [400, 'ConflictException', 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ErrorClass.OptedOut],
      [400, 'ConflictException', 'DESTINATION_PHONE_NUMBER_NOT_VERIFIED', ErrorClass.Configuration],
      [400, 'ConflictException', 'NO_ORIGINATION_IDENTITIES_FOUND', ErrorClass.Configuration],
      [400, 'ConflictException', 'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_CONFIGURATION', ErrorClass.Configuration],
      [400, 'ValidationException', 'INVALID_PARAMETER', ErrorClass.Permanent],
      [400, 'ValidationException', 'DESTINATION_COUNTRY_BLOCKED', ErrorClass.Configuration],
      [400, 'ValidationException', 'INVALID_IDENTITY_FOR_DESTINATION_COUNTRY', ErrorClass.Configuration],
      [400, 'ValidationException', 'SENDER_ID_NOT_REGISTERED', ErrorClass.Configuration],
      [400, 'ValidationException', 'PRICE_OVER_THRESHOLD', ErrorClass.Configuration],
      [400, 'ValidationException', 'SOMETHING_NEW', ErrorClass.Permanent],
      [403, 'AccessDeniedException', 'ACCOUNT_DISABLED', ErrorClass.Configuration],
      [403, 'AccessDeniedException', 'INSUFFICIENT_ACCOUNT_REPUTATION', ErrorClass.Configuration],
      [402, 'ServiceQuotaExceededException', 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT', ErrorClass.Configuration],
      [404, 'ResourceNotFoundException', undefined, ErrorClass.Configuration],
      [400, 'ThrottlingException', undefined, ErrorClass.Transient],
      [500, 'InternalServerException', undefined, ErrorClass.Transient],
      [503, 'ServiceUnavailable', undefined, ErrorClass.Transient],
      [400, 'UnrecognizedClientException', undefined, ErrorClass.Configuration],
      [403, 'InvalidSignatureException', undefined, ErrorClass.Configuration],
    ])('HTTP %p %p/%p → %p, by type and Reason, not ambiguous', async (status, type, reason, errorClass) => {
      const { sut } = setup(() => ({
        status,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type },
        body: JSON.stringify({ __type: type, Message: 'refused', ...(reason !== undefined && { Reason: reason }) }),
      }));

      const error = await sendError(sut);

      expect(error).toMatchObject({
        errorClass,
        code: reason === undefined ? type : `${type}:${reason}`,
        ambiguous: false,
      });
      expect(sut.classifyError(error.code, status)).toBe(errorClass);
    });
  });

  describe('send: transport failures', () => {
    it('connection refused is a plain transient failure: nothing was sent', async () => {
      const { sut } = setup(() =>
        Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
      );

      expect(await sendError(sut)).toMatchObject({
        errorClass: ErrorClass.Transient,
        code: 'CONNECTION_REFUSED',
        ambiguous: false,
      });
    });

    it.each([
      ['a reset socket', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
      ['an unknown failure', new Error('boom')],
    ])('%s is ambiguous: AWS may have accepted the message', async (_case, thrown) => {
      const { sut } = setup(() => Promise.reject(thrown));

      expect(await sendError(sut)).toMatchObject({ errorClass: ErrorClass.Transient, ambiguous: true });
    });

    it('a request that outlives the timeout is aborted and ambiguous (TIMEOUT)', async () => {
      const handle = jest.fn(
        (_request: WireRequest, options?: { abortSignal?: AbortSignal }) =>
          new Promise((_resolve, reject) => {
            options?.abortSignal?.addEventListener('abort', () =>
              reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
            );
          }),
      );
      const sut = new AwsSmsProvider({ ...CONFIG, requestTimeoutMs: 50 }, { requestHandler: { handle } });

      expect(await sendError(sut)).toMatchObject({
        errorClass: ErrorClass.Transient,
        code: 'TIMEOUT',
        ambiguous: true,
      });
    });
  });

  describe('classifyError', () => {
    it.each(AWS_KNOWN_REASONS)('knows the reason %s', (reason) => {
      const errorClass = setup().sut.classifyError(`ValidationException:${reason}`);
      expect(Object.values(ErrorClass)).toContain(errorClass);
      expect(setup().sut.classifyError(reason)).toBe(errorClass);
    });

    it.each(AWS_KNOWN_TYPES)('knows the type %s', (type) => {
      expect(Object.values(ErrorClass)).toContain(setup().sut.classifyError(type));
    });

    it('treats any 429/5xx as transient and unknown 401/403 as configuration, else permanent', () => {
      const { sut } = setup();
      expect(sut.classifyError('Whatever', 429)).toBe(ErrorClass.Transient);
      expect(sut.classifyError('Whatever', 502)).toBe(ErrorClass.Transient);
      expect(sut.classifyError('Whatever', 401)).toBe(ErrorClass.Configuration);
      expect(sut.classifyError('Whatever', 400)).toBe(ErrorClass.Permanent);
      expect(sut.classifyError('', undefined)).toBe(ErrorClass.Permanent);
      // The opted-out reason wins even on an odd status: it must never be retried.
      expect(sut.classifyError('ConflictException:DESTINATION_PHONE_NUMBER_OPTED_OUT', 500)).toBe(ErrorClass.OptedOut);
    });
  });
});

describe('parseAwsConfig', () => {
  it('applies defaults: us-east-1, EUM, transactional, AWS-only certificate hosts', () => {
    const config = parseAwsConfig({});
    expect(config).toMatchObject({
      region: 'us-east-1',
      accessKeyId: '',
      mode: 'eum',
      messageType: 'TRANSACTIONAL',
      snsTopicArns: [],
      requestTimeoutMs: 10_000,
    });
    expect(config.snsCertUrlAllow.source).toBe(new RegExp(DEFAULT_SNS_CERT_URL_ALLOW).source);
    expect(config.endpoint).toBeUndefined();
  });

  it('lists every bad key at once', () => {
    let error: unknown;
    try {
      parseAwsConfig({
        AWS_REGION: 'Mars',
        AWS_ACCESS_KEY_ID: 'AKIA',
        AWS_SMS_ENDPOINT: 'ftp://x',
        AWS_SMS_MODE: 'pigeon',
        AWS_SMS_MESSAGE_TYPE: 'loud',
        AWS_SNS_CERT_URL_ALLOW: '([',
        AWS_SNS_TOPIC_ARNS: 'not-an-arn',
        AWS_REQUEST_TIMEOUT_MS: '0',
      });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).invalidKeys).toEqual([
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SMS_ENDPOINT',
      'AWS_SMS_MODE',
      'AWS_SMS_MESSAGE_TYPE',
      'AWS_SNS_CERT_URL_ALLOW',
      'AWS_SNS_TOPIC_ARNS',
      'AWS_REQUEST_TIMEOUT_MS',
    ]);
    expect((error as Error).message).not.toContain('AKIA');
  });
});

/** Statuses for the webhook specs live in aws.webhook.spec.ts; this only checks the list is complete. */
it('knows the 15 EUM SMS event types of providers.md', () => {
  expect(AWS_SMS_EVENT_TYPES).toHaveLength(15);
});
