import {
  type DeliveryReport,
  DeliveryStatus,
  ErrorClass,
  fetchFailure,
  type InboundMessage,
  ProviderError,
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
  withDeadline,
} from '@sms/provider-port';
import { lookupFromBatchList, lookupFromRecipientReport, sinchBatchSearchQuery, sinchMsisdn } from './sinch.lookup';
import { classifySinchError, isSinchDlrStatus, isSinchFailure, mapSinchDlrStatus } from './sinch.codes';
import type { SinchConfig } from './sinch.config';
import { verifySinchSignature } from './sinch.signature';

/** `expire_at` may be at most 3 days after sending. */
const MAX_VALIDITY_SECONDS = 3 * 24 * 3600;

type Json = Record<string, unknown>;

/** Sinch SMS REST API (xms v1) batches, one recipient per batch (providers.md §3). Stateless. */
export class SinchSmsProvider implements SmsProvider {
  readonly id = ProviderId.Sinch;
  private readonly batchesUrl: string;
  private readonly authorization: string;

  constructor(
    private readonly config: SinchConfig,
    private readonly fetchImpl: ProviderHttp = createProviderHttp(),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.batchesUrl = `${config.baseUrl}/xms/v1/${encodeURIComponent(config.servicePlanId)}/batches`;
    this.authorization = `Bearer ${config.apiToken}`;
  }

  /** One call: the request and the read of its answer, both bounded by the request timeout. */
  send(request: SendRequest): Promise<SendResult> {
    return withDeadline(this.config.requestTimeoutMs, (signal) => this.sendWithin(request, signal));
  }

  private async sendWithin(request: SendRequest, signal: AbortSignal): Promise<SendResult> {
    const fetchImpl = this.fetchImpl;
    let response: ProviderHttpResponse;
    try {
      response = await fetchImpl(this.batchesUrl, {
        method: 'POST',
        headers: {
          Authorization: this.authorization,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        body: JSON.stringify(this.batch(request)),
        signal,
      });
    } catch (error) {
      throw fetchFailure('Sinch', error);
    }
    let text = '';
    try {
      text = await response.text();
    } catch (error) {
      if (response.ok) {
        throw fetchFailure('Sinch', error);
      }
    }
    if (!response.ok) {
      const json = parseJson(text);
      const code = stringField(json, 'code') ?? `HTTP_${response.status}`;
      const message = stringField(json, 'text') ?? `Sinch answered HTTP ${response.status}`;
      throw new ProviderError(classifySinchError(code, response.status), code, message);
    }
    const id = stringField(parseJson(text), 'id');
    if (id === undefined) {
      // A 2xx means a batch exists that we cannot name: reconcile by client_reference, like a timeout.
      throw new ProviderError(ErrorClass.Transient, 'BAD_RESPONSE', 'Sinch answered without an id', true);
    }

    return { providerMessageId: id, status: DeliveryStatus.Queued };
  }

  /**
   * The batch body. No `type`/encoding field: Sinch picks GSM-7 or UCS-2 from the text itself. MSISDNs go
   * without `+`, which is also how Sinch echoes them in receipts.
   */
  private batch(request: SendRequest): Json {
    const batch: Json = {
      from: request.from.replace(/^\+/, ''),
      to: [request.to.replace(/^\+/, '')],
      body: request.body,
      // Per recipient, intermediate statuses included: one receipt per change, keyed by batch and recipient.
      delivery_report: 'per_recipient',
    };
    if (request.statusCallbackUrl !== undefined) {
      batch['callback_url'] = request.statusCallbackUrl;
    }
    // Echoed in every receipt: lets a timed-out send be reconciled with our message (providers.md §6).
    batch['client_reference'] = request.messageId;
    if (request.validitySeconds !== undefined) {
      const seconds = Math.min(MAX_VALIDITY_SECONDS, Math.max(1, Math.round(request.validitySeconds)));
      batch['expire_at'] = new Date(this.now().getTime() + seconds * 1000).toISOString();
    }

    return batch;
  }

  /**
   * By batch id: the recipient's delivery report, `GET …/batches/{id}/delivery_report/{msisdn}`. Without one
   * (an ambiguous send): the batch list filtered by our client_reference and the time window.
   */
  async lookup(request: LookupRequest): Promise<LookupResult> {
    const batchId = request.providerMessageId;
    const url = batchId
      ? `${this.batchesUrl}/${encodeURIComponent(batchId)}/delivery_report/${encodeURIComponent(sinchMsisdn(request.to))}`
      : `${this.batchesUrl}?${sinchBatchSearchQuery(request)}`;
    try {
      const response = await this.fetchImpl(url, {
        method: 'GET',
        headers: { Authorization: this.authorization, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.config.requestTimeoutMs),
      });
      const text = await response.text();

      return batchId
        ? lookupFromRecipientReport(response.status, text, batchId)
        : lookupFromBatchList(response.status, text, request);
    } catch (error) {
      return { outcome: 'unknown', reason: `Sinch lookup failed: ${error instanceof Error ? error.name : 'error'}` };
    }
  }

  classifyError(code: string, httpStatus?: number): ErrorClass {
    return classifySinchError(code, httpStatus);
  }

  /** HMAC headers over the raw body; fails closed when no callback secret is configured. */
  verifyWebhook(webhook: RawWebhook): boolean {
    try {
      const secret = this.config.callbackSecret;
      if (secret === undefined) {
        return false;
      }

      return verifySinchSignature(secret, webhook.body, {
        signature: header(webhook, 'x-sinch-webhook-signature'),
        algorithm: header(webhook, 'x-sinch-webhook-signature-algorithm'),
        nonce: header(webhook, 'x-sinch-webhook-signature-nonce'),
        timestamp: header(webhook, 'x-sinch-webhook-signature-timestamp'),
      });
    } catch {
      return false;
    }
  }

  /** The signed `x-sinch-webhook-signature-timestamp` header (Unix seconds): it is part of the HMAC's input. */
  webhookSignedAt(webhook: RawWebhook): Date | undefined {
    const raw = header(webhook, 'x-sinch-webhook-signature-timestamp');

    return raw !== undefined && /^\d{1,12}$/.test(raw) ? new Date(Number(raw) * 1000) : undefined;
  }

  /**
   * Per-recipient receipts give one report; batch receipts (`summary`/`full`) one per status bucket. Either
   * way the provider id is the batch id: we send one recipient per batch.
   */
  parseDeliveryReports(webhook: RawWebhook): DeliveryReport[] {
    try {
      const json = parseJson(webhook.body);
      const type = stringField(json, 'type') ?? '';
      const batchId = stringField(json, 'batch_id');
      if (json === undefined || batchId === undefined) {
        return [];
      }
      if (type.startsWith('recipient_delivery_report')) {
        const report = reportOf(batchId, json['status'], json['code'], occurredAt(json));

        return report === null ? [] : [report];
      }
      if (type.startsWith('delivery_report') && Array.isArray(json['statuses'])) {
        return json['statuses'].flatMap((entry: unknown) => {
          const bucket = isObject(entry) ? entry : {};
          const report = reportOf(batchId, bucket['status'], bucket['code'], undefined);

          return report === null ? [] : [report];
        });
      }

      return [];
    } catch {
      return [];
    }
  }

  /** `mo_text` only: a binary MO's body is base64 bytes, not text we can hand on. */
  parseInbound(webhook: RawWebhook): InboundMessage | null {
    try {
      const json = parseJson(webhook.body);
      const [id, from, to] = [stringField(json, 'id'), stringField(json, 'from'), stringField(json, 'to')];
      const body = json?.['body'];
      if (stringField(json, 'type') !== 'mo_text' || !id || !from || !to || typeof body !== 'string') {
        return null;
      }
      const receivedAt = parseDate(stringField(json, 'received_at'));

      return {
        providerMessageId: id,
        from: msisdn(from),
        to: msisdn(to),
        body,
        ...(receivedAt !== undefined && { receivedAt }),
      };
    } catch {
      return null;
    }
  }
}

function reportOf(batchId: string, status: unknown, code: unknown, at: Date | undefined): DeliveryReport | null {
  if (typeof status !== 'string' || !isSinchDlrStatus(status)) {
    return null;
  }
  const errorCode = typeof code === 'number' || typeof code === 'string' ? String(code) : undefined;
  const failure = isSinchFailure(status) && errorCode !== undefined && errorCode !== '0';

  return {
    providerMessageId: batchId,
    status: mapSinchDlrStatus(status),
    providerStatus: status,
    ...(failure && { errorCode, errorClass: classifySinchError(errorCode) }),
    ...(at !== undefined && { occurredAt: at }),
  };
}

/** The operator's time when Sinch has it, else when Sinch recorded the status. */
function occurredAt(json: Json): Date | undefined {
  return parseDate(stringField(json, 'operator_status_at')) ?? parseDate(stringField(json, 'at'));
}

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) {
    return undefined;
  }
  const date = new Date(value);

  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Sinch drops the `+`; numeric addresses get it back so MOs look like every other provider's. */
function msisdn(value: string): string {
  return /^\d+$/.test(value) ? `+${value}` : value;
}

function header(webhook: RawWebhook, name: string): string | undefined {
  const key = Object.keys(webhook.headers).find((candidate) => candidate.toLowerCase() === name);

  return key === undefined ? undefined : webhook.headers[key];
}

function parseJson(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);

    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(json: Json | undefined, name: string): string | undefined {
  const value = json?.[name];

  return typeof value === 'string' && value !== '' ? value : undefined;
}
