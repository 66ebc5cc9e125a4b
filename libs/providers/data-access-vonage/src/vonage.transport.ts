import { DeliveryStatus, ErrorClass, ProviderError, type SendResult } from '@sms/provider-port';
import { classifyVonageSendStatus } from './vonage.codes';

interface VonagePart {
  readonly status: string;
  readonly messageId?: string;
  readonly price?: string;
  readonly errorText?: string;
}

/**
 * The send response: always HTTP 200 with one entry per SMS part, each with its own `status`. Every part
 * accepted → a result naming part 1 and all part ids. Any refused part → a ProviderError classified by the
 * first refusal; ambiguous when other parts were accepted, since those may already be on their way.
 */
export function sendResultFromBody(text: string): SendResult {
  const parts = partsOf(text);
  if (parts === null || parts.length === 0) {
    throw new ProviderError(ErrorClass.Transient, 'BAD_RESPONSE', 'Vonage answered without message parts', true);
  }
  const refused = parts.find((part) => part.status !== '0');
  const accepted = parts.filter((part) => part.status === '0');
  if (refused !== undefined) {
    const message = refused.errorText ?? `Vonage refused the message (status ${refused.status})`;

    return throwRefusal(refused.status, message, accepted.length > 0);
  }
  const ids = accepted.map((part) => part.messageId);
  if (ids.some((id) => id === undefined)) {
    throw new ProviderError(ErrorClass.Transient, 'BAD_RESPONSE', 'Vonage accepted a part without a message-id', true);
  }
  const partIds = ids as string[];
  const cost = sumDecimals(accepted.map((part) => part.price));

  return {
    providerMessageId: partIds[0] as string,
    partIds,
    status: DeliveryStatus.Queued,
    // Vonage bills in the account currency, EUR unless Vonage changed it for the account.
    ...(cost !== undefined && { cost, currency: 'EUR' }),
  };
}

function throwRefusal(status: string, message: string, partlyAccepted: boolean): never {
  throw new ProviderError(classifyVonageSendStatus(status), status, message, partlyAccepted);
}

/** A non-200: rare (gateway errors, 429 from the edge); classified on the HTTP status alone. */
export function httpError(httpStatus: number): ProviderError {
  const code = `HTTP_${httpStatus}`;

  return new ProviderError(classifyVonageSendStatus(code, httpStatus), code, `Vonage answered HTTP ${httpStatus}`);
}

function partsOf(text: string): VonagePart[] | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const messages = (json as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages)) {
    return null;
  }

  return messages.map((entry: unknown) => {
    const record = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const field = (name: string): string | undefined => {
      const value = record[name];

      return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
    };

    return {
      status: field('status') ?? 'missing',
      ...optional('messageId', field('message-id')),
      ...optional('price', field('message-price')),
      ...optional('errorText', field('error-text')),
    };
  });
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** Sums decimal strings exactly (8 places, Vonage's precision); undefined if any is missing or unreadable. */
function sumDecimals(values: readonly (string | undefined)[]): string | undefined {
  const scale = 8;
  let total = 0n;
  for (const value of values) {
    const match = value === undefined ? null : /^(\d+)(?:\.(\d{1,8}))?$/.exec(value);
    if (match === null) {
      return undefined;
    }
    total += BigInt(match[1] as string) * 10n ** BigInt(scale) + BigInt((match[2] ?? '').padEnd(scale, '0'));
  }
  const digits = total.toString().padStart(scale + 1, '0');

  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
