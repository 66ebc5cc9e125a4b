import { generateKeyPair, randomUUID, sign } from 'node:crypto';
import { promisify } from 'node:util';

/** The simulator's SNS signing identity: an RSA key and its self-signed certificate (PEM). */
export interface SnsSigningIdentity {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

/**
 * Creates the signing identity on first use and shares it afterwards. The RSA key comes from node:crypto (native,
 * off the event loop); Node cannot issue X.509 certificates, hence `selfsigned` for the certificate around it.
 * Lazy because it costs about half a second and most simulator users (Twilio-only tests) never need it; so is
 * `selfsigned` itself, imported here on first use: with its X.509 and ASN.1 libraries it stayed in the heap
 * of every process that hosts the simulator (the embedded gateway), whether or not SNS was ever used.
 */
export class SnsIdentityHolder {
  private identity?: Promise<SnsSigningIdentity>;

  get(): Promise<SnsSigningIdentity> {
    this.identity ??= createIdentity();

    return this.identity;
  }
}

async function createIdentity(): Promise<SnsSigningIdentity> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'sns.simulator.invalid' }], {
    algorithm: 'sha256',
    keyPair: { privateKey, publicKey },
    notBeforeDate: new Date(Date.now() - 60 * 60_000),
    notAfterDate: new Date(Date.now() + 365 * 24 * 60 * 60_000),
  });

  return { privateKeyPem: privateKey, certificatePem: pems.cert };
}

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation';

export interface SnsEnvelopeInput {
  readonly type: SnsMessageType;
  readonly topicArn: string;
  readonly message: string;
  readonly signingCertUrl: string;
  readonly unsubscribeBaseUrl: string;
  readonly signatureVersion: '1' | '2';
  /** Only for SubscriptionConfirmation. */
  readonly token?: string;
  readonly subscribeUrl?: string;
}

/**
 * Builds and signs an SNS HTTPS-delivery envelope as SNS does: `Key\nValue\n` over the signed keys in their
 * fixed order, RSA PKCS#1 v1.5 with SHA1 (v1) or SHA256 (v2). Written independently of the adapter's
 * verifier so the simulator spec cross-checks two implementations.
 */
export function signedSnsEnvelope(input: SnsEnvelopeInput, identity: SnsSigningIdentity): Record<string, string> {
  const fields: Record<string, string> = {
    Type: input.type,
    MessageId: randomUUID(),
    TopicArn: input.topicArn,
    Message: input.message,
    Timestamp: new Date().toISOString(),
    ...(input.type === 'SubscriptionConfirmation' && {
      Token: input.token ?? '',
      SubscribeURL: input.subscribeUrl ?? '',
    }),
  };
  const signedKeys =
    input.type === 'Notification'
      ? ['Message', 'MessageId', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const stringToSign = signedKeys.map((key) => `${key}\n${fields[key]}\n`).join('');
  const digest = input.signatureVersion === '1' ? 'sha1' : 'sha256';
  const signature = sign(digest, Buffer.from(stringToSign, 'utf8'), identity.privateKeyPem).toString('base64');

  return {
    ...fields,
    SignatureVersion: input.signatureVersion,
    Signature: signature,
    SigningCertURL: input.signingCertUrl,
    ...(input.type === 'Notification' && {
      UnsubscribeURL: `${input.unsubscribeBaseUrl}?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(
        `${input.topicArn}:${randomUUID()}`,
      )}`,
    }),
  };
}

/** The headers SNS sends with an HTTPS delivery (providers.md §4: text/plain, not JSON). */
export function snsDeliveryHeaders(envelope: Record<string, string>): Record<string, string> {
  return {
    'Content-Type': 'text/plain; charset=UTF-8',
    'User-Agent': 'Amazon Simple Notification Service Agent',
    'x-amz-sns-message-type': envelope['Type'] ?? '',
    'x-amz-sns-message-id': envelope['MessageId'] ?? '',
    'x-amz-sns-topic-arn': envelope['TopicArn'] ?? '',
  };
}
