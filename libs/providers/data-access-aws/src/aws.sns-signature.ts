/**
 * SNS HTTPS-delivery signature checks (providers.md §4 "SNS → HTTPS envelope and signature", mirrors
 * aws-js-sns-message-validator). Hand-written on node:crypto (X509Certificate + crypto.verify) on purpose:
 * the maintained validator (`sns-validator`) fetches certificates itself over https only, with a callback API,
 * so it can neither split "fetch the certificate" (async, cached) from "check the signature" (synchronous, as
 * the provider port wants) nor fetch the simulator's certificate served over plain http in tests.
 */
import { verify, X509Certificate } from 'node:crypto';

/** The SNS JSON envelope fields the signature and our parsers use (all strings on the wire). */
export interface SnsEnvelope {
  readonly Type: string;
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: string;
  readonly Signature: string;
  readonly SigningCertURL: string;
  readonly Subject?: string;
  readonly Token?: string;
  readonly SubscribeURL?: string;
  readonly UnsubscribeURL?: string;
}

export const SNS_MESSAGE_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const SUBSCRIPTION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** Reads an SNS envelope from a webhook body; undefined unless every signed field is a string. */
export function parseSnsEnvelope(body: string): SnsEnvelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const record = value as Record<string, unknown>;
  const required = ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature'];
  if (!required.every((key) => typeof record[key] === 'string') || typeof record['SigningCertURL'] !== 'string') {
    return undefined;
  }
  const optional = ['Subject', 'Token', 'SubscribeURL', 'UnsubscribeURL'];
  if (optional.some((key) => record[key] !== undefined && record[key] !== null && typeof record[key] !== 'string')) {
    return undefined;
  }
  if (!(SNS_MESSAGE_TYPES as readonly unknown[]).includes(record['Type'])) {
    return undefined;
  }

  return record as unknown as SnsEnvelope;
}

/**
 * `Key\nValue\n` for each signed key in SNS's fixed order. `Subject` only when present (a null Subject is
 * absent); a confirmation without its Token or SubscribeURL cannot be signed and yields undefined.
 */
export function snsStringToSign(envelope: SnsEnvelope): string | undefined {
  const keys = envelope.Type === 'Notification' ? NOTIFICATION_KEYS : SUBSCRIPTION_KEYS;
  let text = '';
  for (const key of keys) {
    const value = envelope[key];
    if (typeof value !== 'string') {
      if (key === 'Subject') {
        continue;
      }

      return undefined;
    }
    text += `${key}\n${value}\n`;
  }

  return text;
}

/** SignatureVersion 1 = RSA-SHA1, 2 = RSA-SHA256; anything else is refused. */
export function snsDigest(signatureVersion: string): 'sha1' | 'sha256' | undefined {
  return signatureVersion === '1' ? 'sha1' : signatureVersion === '2' ? 'sha256' : undefined;
}

/** True for a URL we may fetch a certificate from: the allow-list matches and the path is a `.pem` file. */
export function isAllowedCertUrl(url: string, allow: RegExp): boolean {
  try {
    const parsed = new URL(url);

    return allow.test(url) && parsed.pathname.endsWith('.pem') && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/** RSA PKCS#1 v1.5 check of the envelope against the certificate; false on any problem. */
export function verifySnsSignature(envelope: SnsEnvelope, certificate: X509Certificate, now = new Date()): boolean {
  const digest = snsDigest(envelope.SignatureVersion);
  const text = snsStringToSign(envelope);
  if (digest === undefined || text === undefined) {
    return false;
  }
  if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) {
    return false;
  }
  try {
    return verify(digest, Buffer.from(text, 'utf8'), certificate.publicKey, Buffer.from(envelope.Signature, 'base64'));
  } catch {
    return false;
  }
}

const MAX_CACHED = 32;
const MAX_CERT_BYTES = 16 * 1024;

/**
 * Signing certificates by URL. SNS rotates them rarely and names each by its hash, so a URL's content never
 * changes and entries never expire; the cache is bounded so a flood of (allowed) URLs cannot grow it.
 */
export class SnsCertificateCache {
  private readonly certificates = new Map<string, X509Certificate>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly allow: RegExp,
    private readonly timeoutMs: number,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get(url: string): X509Certificate | undefined {
    return this.certificates.get(url);
  }

  /** Fetches and caches the certificate unless the URL is not allowed. Never throws; concurrent calls share. */
  load(url: string): Promise<void> {
    if (this.certificates.has(url) || !isAllowedCertUrl(url, this.allow)) {
      return Promise.resolve();
    }
    const running = this.pending.get(url);
    if (running !== undefined) {
      return running;
    }
    const loading = this.download(url)
      .then((certificate) => {
        this.certificates.set(url, certificate);
        while (this.certificates.size > MAX_CACHED) {
          const oldest = this.certificates.keys().next().value as string;
          this.certificates.delete(oldest);
        }
      })
      .catch(() => undefined)
      .finally(() => this.pending.delete(url));
    this.pending.set(url, loading);

    return loading;
  }

  private async download(url: string): Promise<X509Certificate> {
    // No redirects: the allow-list vouches for this URL only, not wherever it might point.
    const response = await this.fetchImpl(url, { redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs) });
    const pem = await response.text();
    if (!response.ok || pem.length > MAX_CERT_BYTES) {
      throw new Error(`certificate fetch answered ${response.status}`);
    }

    return new X509Certificate(pem);
  }
}
