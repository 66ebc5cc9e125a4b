import {
  type DeliveryReport,
  type ErrorClass,
  type InboundMessage,
  type LookupRequest,
  type LookupResult,
  ProviderId,
  type RawWebhook,
  type SendRequest,
  type SendResult,
  type SmsProvider,
  createProviderHttp,
  type ProviderHttp,
  type ProviderHttpResponse,
  withDeadline,
} from '@sms/provider-port';
import { classifyTwilioError, isTwilioMessageStatus, mapTwilioStatus } from './twilio.codes';
import type { TwilioConfig } from './twilio.config';
import { formParams, verifyTwilioJsonSignature, verifyTwilioSignature } from './twilio.signature';
import { lookupFromFetch, lookupFromList, twilioListQuery } from './twilio.lookup';
import { apiErrorFromBody, sendResultFromBody, transportError } from './twilio.transport';
import { isGetWebhook, isJsonWebhook, parseRawDlrDoneDate, webhookHeader, webhookParams } from './twilio.webhook';

/** Twilio accepts 1..36000 s (10 h, also the default); out-of-range values are a 400, so clamp instead. */
const VALIDITY_RANGE = { min: 1, max: 36_000 } as const;

/** Twilio Programmable Messaging over its REST API (providers.md §1). Stateless: one instance serves all sends. */
export class TwilioSmsProvider implements SmsProvider {
  readonly id = ProviderId.Twilio;
  private readonly messagesUrl: string;
  private readonly authorization: string;

  constructor(
    private readonly config: TwilioConfig,
    private readonly fetchImpl: ProviderHttp = createProviderHttp(),
  ) {
    this.messagesUrl = `${config.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
    this.authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
  }

  /** One call: the request and the read of its answer, both bounded by the request timeout. */
  send(request: SendRequest): Promise<SendResult> {
    return withDeadline(this.config.requestTimeoutMs, (signal) => this.sendWithin(request, signal));
  }

  private async sendWithin(request: SendRequest, signal: AbortSignal): Promise<SendResult> {
    const form = new URLSearchParams({ To: request.to, From: request.from, Body: request.body });
    if (request.statusCallbackUrl !== undefined) {
      form.set('StatusCallback', request.statusCallbackUrl);
    }
    if (request.validitySeconds !== undefined) {
      const seconds = Math.min(VALIDITY_RANGE.max, Math.max(VALIDITY_RANGE.min, Math.round(request.validitySeconds)));
      form.set('ValidityPeriod', String(seconds));
    }
    const fetchImpl = this.fetchImpl;
    let response: ProviderHttpResponse;
    try {
      response = await fetchImpl(this.messagesUrl, {
        method: 'POST',
        headers: {
          Authorization: this.authorization,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
          // Twilio documents no idempotency for creating messages (only its webhook retries carry this header),
          // so a timed-out send stays ambiguous. Sending our id costs nothing if ignored and lets the simulator
          // count submits per message.
          'I-Twilio-Idempotency-Token': request.messageId,
        },
        body: form.toString(),
        // The signal also bounds the body read below: a response that stalls mid-body is as ambiguous as none.
        signal,
      });
    } catch (error) {
      throw transportError(error);
    }
    let text = '';
    try {
      text = await response.text();
    } catch (error) {
      if (response.ok) {
        throw transportError(error);
      }
      // A refusal is still a refusal when its body is cut short: classify on the status alone.
    }
    if (!response.ok) {
      throw apiErrorFromBody(response.status, text);
    }

    return sendResultFromBody(text);
  }

  /**
   * By SID: `GET …/Messages/{Sid}.json`. Without one (an ambiguous send), the list of messages To/From the
   * pair, matched on body and creation time (see twilio.lookup.ts): Twilio keeps no client reference.
   */
  async lookup(request: LookupRequest): Promise<LookupResult> {
    const bySid = !!request.providerMessageId;
    const url = bySid
      ? `${this.messagesUrl.replace(/\.json$/, '')}/${encodeURIComponent(request.providerMessageId ?? '')}.json`
      : `${this.messagesUrl}?${twilioListQuery(request)}`;
    try {
      const response = await this.fetchImpl(url, {
        method: 'GET',
        headers: { Authorization: this.authorization, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.config.requestTimeoutMs),
      });
      const text = await response.text();

      return bySid ? lookupFromFetch(response.status, text) : lookupFromList(response.status, text, request);
    } catch (error) {
      return { outcome: 'unknown', reason: `Twilio lookup failed: ${error instanceof Error ? error.name : 'error'}` };
    }
  }

  classifyError(code: string, httpStatus?: number): ErrorClass {
    return classifyTwilioError(code, httpStatus);
  }

  verifyWebhook(webhook: RawWebhook): boolean {
    try {
      const { authToken } = this.config;
      const signature = webhookHeader(webhook, 'x-twilio-signature');
      if (isJsonWebhook(webhook)) {
        return verifyTwilioJsonSignature(authToken, webhook.url, webhook.body, signature);
      }
      // A GET webhook's params are in its URL, which the signature covers as such.
      const params = isGetWebhook(webhook) ? new Map<string, string[]>() : formParams(webhook.body);

      return verifyTwilioSignature(authToken, webhook.url, params, signature);
    } catch {
      return false;
    }
  }

  parseDeliveryReports(webhook: RawWebhook): DeliveryReport[] {
    try {
      const params = webhookParams(webhook);
      const sid = params.get('MessageSid') ?? params.get('SmsSid');
      const word = params.get('MessageStatus') ?? params.get('SmsStatus');
      const status = word !== null && isTwilioMessageStatus(word) ? mapTwilioStatus(word) : null;
      if (!sid || word === null || status === null) {
        return [];
      }
      const errorCode = params.get('ErrorCode') || undefined;
      const occurredAt = parseRawDlrDoneDate(params.get('RawDlrDoneDate'));

      return [
        {
          providerMessageId: sid,
          status,
          providerStatus: word,
          ...(errorCode !== undefined && { errorCode, errorClass: classifyTwilioError(errorCode) }),
          ...(occurredAt !== undefined && { occurredAt }),
        },
      ];
    } catch {
      return [];
    }
  }

  parseInbound(webhook: RawWebhook): InboundMessage | null {
    try {
      const params = webhookParams(webhook);
      const sid = params.get('MessageSid') ?? params.get('SmsMessageSid') ?? params.get('SmsSid');
      const [from, to, body] = [params.get('From'), params.get('To'), params.get('Body')];
      const status = params.get('SmsStatus') ?? params.get('MessageStatus');
      // Status callbacks carry MessageSid, From and To too; only an MO has a Body (maybe empty, for MMS) and,
      // when a status is present at all, `received`.
      if (!sid || !from || !to || body === null || (status !== null && status !== 'received')) {
        return null;
      }

      return { providerMessageId: sid, from, to, body };
    } catch {
      return null;
    }
  }
}
