import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** The simulated account's key pair and region: requests signed with anything else are refused. */
export interface AwsSimCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

export interface SignedRequest {
  readonly method: string;
  /** Path and query exactly as received. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Why a request's SigV4 was refused, in AWS's own words (the error type picks the SDK exception). */
export interface SigV4Refusal {
  readonly type: 'IncompleteSignatureException' | 'UnrecognizedClientException' | 'InvalidSignatureException';
  readonly message: string;
}

/** AWS refuses requests whose X-Amz-Date is more than 15 minutes off ("Signature expired"). */
const MAX_SKEW_MS = 15 * 60_000;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** node:crypto behind the SDK's Checksum interface: the signer needs a SHA-256/HMAC constructor. */
export class NodeSha256 {
  private hash;

  constructor(private readonly secret?: string | Uint8Array | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }

  private fresh() {
    if (this.secret === undefined) {
      return createHash('sha256');
    }
    const key = typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret as Uint8Array);

    return createHmac('sha256', key);
  }

  update(data: string | Uint8Array | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as Uint8Array));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];

  return Array.isArray(value) ? value.join(',') : value;
}

function parseAmzDate(value: string | undefined): Date | undefined {
  const match = value === undefined ? null : /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) {
    return undefined;
  }
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0] = match.slice(1).map(Number);

  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

/**
 * Checks a request's `Authorization: AWS4-HMAC-SHA256 …` for real: the access key and credential scope, the
 * clock skew, the payload hash, and the signature recomputed with the SDK's own signer over exactly the
 * headers the client signed. Null when it is valid.
 */
export async function checkSigV4(
  request: SignedRequest,
  credentials: AwsSimCredentials,
  service: string,
  now: Date = new Date(),
): Promise<SigV4Refusal | null> {
  const authorization = header(request.headers, 'authorization') ?? '';
  const match = AUTHORIZATION.exec(authorization);
  const amzDate = parseAmzDate(header(request.headers, 'x-amz-date'));
  if (!match || amzDate === undefined) {
    return {
      type: 'IncompleteSignatureException',
      message: 'Authorization header requires Credential, SignedHeaders and Signature, and X-Amz-Date is required',
    };
  }
  const [, accessKeyId, scopeDate, region, scopeService, signedHeaderList = '', signature = ''] = match;
  if (accessKeyId !== credentials.accessKeyId) {
    return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  const signedHeaders = signedHeaderList.split(';');
  if (region !== credentials.region || scopeService !== service || !signedHeaders.includes('host')) {
    return {
      type: 'InvalidSignatureException',
      message: `Credential should be scoped to a valid region and service '${service}', and sign the host header.`,
    };
  }
  if (scopeDate !== header(request.headers, 'x-amz-date')?.slice(0, 8)) {
    return { type: 'InvalidSignatureException', message: 'Date in Credential scope does not match X-Amz-Date.' };
  }
  if (Math.abs(now.getTime() - amzDate.getTime()) > MAX_SKEW_MS) {
    return { type: 'InvalidSignatureException', message: 'Signature expired: X-Amz-Date is too far from now.' };
  }
  // The signer trusts an x-amz-content-sha256 header as the payload hash, so hold the header to the body.
  const payloadHash = header(request.headers, 'x-amz-content-sha256');
  if (payloadHash !== undefined && payloadHash !== createHash('sha256').update(request.body, 'utf8').digest('hex')) {
    return { type: 'InvalidSignatureException', message: 'The provided x-amz-content-sha256 does not match the body.' };
  }
  const picked: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = header(request.headers, name);
    if (value === undefined) {
      return { type: 'InvalidSignatureException', message: `Signed header '${name}' is missing from the request.` };
    }
    picked[name] = value;
  }
  const target = new URL(request.url, 'http://placeholder');
  const signer = new SignatureV4({
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    region: credentials.region,
    service,
    sha256: NodeSha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: picked['host'] ?? '',
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: picked,
      body: request.body,
    },
    { signingDate: amzDate, signableHeaders: new Set(signedHeaders) },
  );
  const computed = AUTHORIZATION.exec(String(expected.headers['authorization'] ?? ''))?.[6] ?? '';
  const same = computed.length === signature.length && timingSafeEqual(Buffer.from(computed), Buffer.from(signature));

  return same
    ? null
    : {
        type: 'InvalidSignatureException',
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      };
}
