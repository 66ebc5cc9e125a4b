import { lookupFromSearchMessage, lookupFromSearchMessages, vonageSearchDays } from './vonage.lookup';
import {
  type DeliveryReport,
  type ErrorClass,
  fetchFailure,
  type InboundMessage,
  ProviderId,
  type RawWebhook,
  type SendRequest,
  type SendResult,
  type SmsProvider,
  type LookupRequest,
  type LookupResult,
  createProviderHttp,
  type ProviderHttp,
  type ProviderHttpResponse,
  receiptNetwork,
  receiptPrice,
  withDeadline,
} from '@sms/provider-port';
import {
  classifyVonageDlrError,
  classifyVonageSendStatus,
  isVonageDlrStatus,
  mapVonageDlrStatus,
} from './vonage.codes';
import type { VonageConfig } from './vonage.config';
import { computeVonageSignature, verifyVonageSignature } from './vonage.signature';
import { httpError, sendResultFromBody } from './vonage.transport';
import { parseVonageTime, vonageWebhookParams } from './vonage.webhook';

/** Vonage's `ttl` range in ms (20 s .. 7 days); out-of-range values are refused, so clamp instead. */
const TTL_RANGE_MS = { min: 20_000, max: 604_800_000 } as const;

/** Vonage (Nexmo) SMS API over `POST /sms/json` (providers.md §2). Stateless: one instance serves all sends. */
export class VonageSmsProvider implements SmsProvider {
  readonly id = ProviderId.Vonage;
  private readonly sendUrl: string;

  constructor(
    private readonly config: VonageConfig,
    private readonly fetchImpl: ProviderHttp = createProviderHttp(),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.sendUrl = `${config.baseUrl}/sms/json`;
  }

  /** One call: the request and the read of its answer, both bounded by the request timeout. */
  send(request: SendRequest): Promise<SendResult> {
    return withDeadline(this.config.requestTimeoutMs, (signal) => this.sendWithin(request, signal));
  }

  private async sendWithin(request: SendRequest, signal: AbortSignal): Promise<SendResult> {
    const fetchImpl = this.fetchImpl;
    let response: ProviderHttpResponse;
    try {
      response = await fetchImpl(this.sendUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams(this.authenticated(this.sendParams(request))).toString(),
        // The signal also bounds the body read below: a response that stalls mid-body is as ambiguous as none.
        signal,
      });
    } catch (error) {
      throw fetchFailure('Vonage', error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (!response.ok) {
        throw httpError(response.status);
      }
      throw fetchFailure('Vonage', error);
    }
    if (!response.ok) {
      throw httpError(response.status);
    }

    return sendResultFromBody(text);
  }

  /** The SMS API's fields, in the order of its reference, so the request is easy to compare with it. */
  private sendParams(request: SendRequest): Record<string, string> {
    const params: Record<string, string> = {
      from: request.from.replace(/^\+/, ''),
      // E.164 digits without the `+`.
      to: request.to.replace(/^\+/, ''),
      text: request.body,
      // `text` is GSM-7 only: anything else is mangled unless sent as `unicode` (UCS-2).
      type: request.encoding === 'UCS-2' ? 'unicode' : 'text',
    };
    if (request.statusCallbackUrl !== undefined) {
      params['callback'] = request.statusCallbackUrl;
      params['status-report-req'] = 'true';
    }
    // Echoed in every DLR: lets a timed-out send be reconciled with our message (providers.md §6).
    params['client-ref'] = request.messageId.slice(0, 40);
    if (request.validitySeconds !== undefined) {
      const ms = Math.round(request.validitySeconds * 1000);
      params['ttl'] = String(Math.min(TTL_RANGE_MS.max, Math.max(TTL_RANGE_MS.min, ms)));
    }

    return params;
  }

  /** `api_key` + `api_secret`, or `api_key` + `timestamp` + `sig` when only the signature secret is set. */
  private authenticated(params: Record<string, string>): Record<string, string> {
    const { apiKey, apiSecret, signatureSecret, signatureMethod } = this.config;
    if (apiSecret !== undefined) {
      return { api_key: apiKey, api_secret: apiSecret, ...params };
    }
    const signed = {
      api_key: apiKey,
      ...params,
      timestamp: String(Math.floor(this.now().getTime() / 1000)),
    };

    return { ...signed, sig: computeVonageSignature(signatureMethod, signatureSecret ?? '', signed) };
  }

  /**
   * Classifies a send-response `messages[].status` code (or an HTTP failure). DLR `err-code`s overlap these
   * numbers with other meanings, so receipts carry their class already, set while parsing.
   */
  /**
   * Vonage's Search API beside the SMS API: by message id `GET /search/message?id=`; without one (an ambiguous
   * send) `GET /search/messages?date=&to=` for each UTC day of the window, matched on sender, text and time.
   */
  async lookup(request: LookupRequest): Promise<LookupResult> {
    try {
      if (request.providerMessageId) {
        const { status, text } = await this.search('message', { id: request.providerMessageId });

        return lookupFromSearchMessage(status, text);
      }
      for (const date of vonageSearchDays(request)) {
        const { status, text } = await this.search('messages', { date, to: request.to.replace(/^\+/, '') });
        const found = lookupFromSearchMessages(status, text, request);
        if (found) {
          return found;
        }
      }

      return { outcome: 'not_found' };
    } catch (error) {
      return { outcome: 'unknown', reason: `Vonage lookup failed: ${error instanceof Error ? error.name : 'error'}` };
    }
  }

  private async search(path: 'message' | 'messages', params: Record<string, string>) {
    const query = new URLSearchParams(this.authenticated(params)).toString();
    const response = await this.fetchImpl(`${this.config.baseUrl}/search/${path}?${query}`, {
      method: 'GET',
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(this.config.requestTimeoutMs),
    });

    return { status: response.status, text: await response.text() };
  }

  classifyError(code: string, httpStatus?: number): ErrorClass {
    return classifyVonageSendStatus(code, httpStatus);
  }

  /**
   * Signed webhooks carry `sig` among their params (any format). Without a configured signature secret
   * nothing can be verified, so every webhook is refused: an unauthenticated DLR could mark any message
   * delivered.
   */
  /** Vonage signs with a `sig` parameter (query string or body), not a header. */
  carriesSignature(webhook: RawWebhook): boolean {
    try {
      return typeof vonageWebhookParams(webhook)['sig'] === 'string';
    } catch {
      return false;
    }
  }

  verifyWebhook(webhook: RawWebhook): boolean {
    try {
      const { signatureSecret, signatureMethod } = this.config;
      if (signatureSecret === undefined) {
        return false;
      }

      return verifyVonageSignature(signatureMethod, signatureSecret, vonageWebhookParams(webhook));
    } catch {
      return false;
    }
  }

  /** The signed `timestamp` param (Unix seconds) Vonage adds to every signed webhook. */
  webhookSignedAt(webhook: RawWebhook): Date | undefined {
    return unixSeconds(vonageWebhookParams(webhook)['timestamp']);
  }

  /** One DLR per webhook, and per SMS part: each part's `messageId` is reported on its own. */
  parseDeliveryReports(webhook: RawWebhook): DeliveryReport[] {
    try {
      const params = vonageWebhookParams(webhook);
      const messageId = params['messageId'] ?? params['message-id'];
      const word = params['status'];
      if (!messageId || word === undefined || !isVonageDlrStatus(word)) {
        return [];
      }
      const errorCode = params['err-code'];
      const errorClass = errorCode === undefined ? null : classifyVonageDlrError(errorCode);
      const occurredAt = parseVonageTime(params['scts']) ?? parseVonageTime(params['message-timestamp']);
      // The part's price in the account currency (EUR, as the send answer's `message-price`), and its network.
      const price = receiptPrice(params['price'], 'EUR');
      const network = receiptNetwork(params['network-code']);

      return [
        {
          providerMessageId: messageId,
          status: mapVonageDlrStatus(word),
          providerStatus: word,
          ...(errorCode !== undefined && errorClass !== null && { errorCode, errorClass }),
          ...(occurredAt !== undefined && { occurredAt }),
          ...(price !== undefined && { price }),
          ...(network !== undefined && { network }),
        },
      ];
    } catch {
      return [];
    }
  }

  /**
   * An MO: `msisdn` is the subscriber, `to` our number. DLRs carry `msisdn`/`to`/`messageId` too but never
   * `text`; binary MOs carry `data` instead and are not text we can hand on. Concatenated parts arrive as
   * separate MOs (`concat-*`), each reported as its own message for now.
   */
  parseInbound(webhook: RawWebhook): InboundMessage | null {
    try {
      const params = vonageWebhookParams(webhook);
      const [id, from, to, text] = [params['messageId'], params['msisdn'], params['to'], params['text']];
      if (!id || !from || !to || text === undefined || params['status'] !== undefined || params['type'] === 'binary') {
        return null;
      }
      const receivedAt = parseVonageTime(params['message-timestamp']);

      return {
        providerMessageId: id,
        from: `+${from.replace(/^\+/, '')}`,
        to: /^\d+$/.test(to) ? `+${to}` : to,
        body: text,
        ...(receivedAt !== undefined && { receivedAt }),
      };
    } catch {
      return null;
    }
  }
}

/** A whole number of Unix seconds as a Date; anything else is not a time. */
function unixSeconds(raw: string | undefined): Date | undefined {
  if (raw === undefined || !/^\d{1,12}$/.test(raw)) {
    return undefined;
  }

  return new Date(Number(raw) * 1000);
}
