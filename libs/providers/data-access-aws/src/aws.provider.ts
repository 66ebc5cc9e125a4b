import type { SendTextMessageCommandInput } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import {
  type DeliveryReport,
  DeliveryStatus,
  ErrorClass,
  type InboundMessage,
  type LookupResult,
  ProviderError,
  ProviderId,
  type RawWebhook,
  type SendRequest,
  type SendResult,
  type SmsProvider,
} from '@sms/provider-port';
import { classifyAwsError } from './aws.codes';
import type { AwsConfig } from './aws.config';
import { isAllowedCertUrl, parseSnsEnvelope, SnsCertificateCache, verifySnsSignature } from './aws.sns-signature';
import { awsSendError } from './aws.transport';
import { notificationOf, parseAwsEvent, parseAwsInbound } from './aws.webhook';

/** EUM accepts TimeToLive 5 s .. 72 h (the default); out-of-range values are a ValidationException, so clamp. */
const TTL_RANGE = { min: 5, max: 259_200 } as const;
/** The `Context` key carrying our message id; echoed in every event for this message (providers.md §6). */
export const CONTEXT_MESSAGE_ID = 'gwMessageId';

/** What the SDK clients need beyond the config; tests pass a request handler that records the wire request. */
export interface AwsClientOverrides {
  // The SDK's own handler type lives in @smithy/types; kept loose here so callers need not depend on it.
  readonly requestHandler?: unknown;
  readonly fetch?: typeof fetch;
}

/**
 * AWS as an upstream (providers.md §4): End User Messaging SMS v2 `SendTextMessage` (default, with events
 * through a configuration set → SNS → our HTTPS webhook) or SNS `Publish` (no receipts). Both through the
 * official SDK v3 clients, so SigV4, endpoints and the JSON/query protocols are AWS's own code.
 */
export class AwsSmsProvider implements SmsProvider {
  readonly id = ProviderId.Aws;
  /**
   * The SDK client, loaded on the first send: every service that builds the provider registry (router,
   * dlr-ingest, send-worker) would otherwise hold both SDK clients' modules in memory whether or not
   * AWS is ever used (docs/performance.md, "Memory").
   */
  private client: Promise<(request: SendRequest, signal: AbortSignal) => Promise<string | undefined>> | undefined;
  private readonly clientConfig: Record<string, unknown>;
  private readonly certificates: SnsCertificateCache;
  private readonly fetchImpl: typeof fetch;

  constructor(
    private readonly config: AwsConfig,
    overrides: AwsClientOverrides = {},
  ) {
    const clientConfig = {
      region: config.region,
      ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
      ...(config.accessKeyId !== '' && {
        credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      }),
      // One attempt: the SDK would also retry timeouts, and a create without idempotency token retried blindly
      // can send the SMS twice. Our own retry policy decides, after classification and reconciliation.
      maxAttempts: 1,
      ...(overrides.requestHandler !== undefined && { requestHandler: overrides.requestHandler as never }),
    };
    this.clientConfig = clientConfig;
    this.fetchImpl = overrides.fetch ?? fetch;
    this.certificates = new SnsCertificateCache(config.snsCertUrlAllow, config.requestTimeoutMs, this.fetchImpl);
  }

  async send(request: SendRequest): Promise<SendResult> {
    const signal = AbortSignal.timeout(this.config.requestTimeoutMs);
    let messageId: string | undefined;
    try {
      this.client ??= this.loadClient();
      messageId = await (await this.client)(request, signal);
    } catch (error) {
      throw awsSendError(error);
    }
    if (!messageId) {
      throw new ProviderError(ErrorClass.Transient, 'BAD_RESPONSE', 'AWS answered 2xx without a MessageId', true);
    }

    return { providerMessageId: messageId, status: DeliveryStatus.Queued };
  }

  private async loadClient(): Promise<(request: SendRequest, signal: AbortSignal) => Promise<string | undefined>> {
    if (this.config.mode === 'sns') {
      const { PublishCommand, SNSClient } = await import('@aws-sdk/client-sns');
      const sns = new SNSClient(this.clientConfig);

      return async (request, abortSignal) =>
        (await sns.send(new PublishCommand(this.publishInput(request)), { abortSignal })).MessageId;
    }
    const { PinpointSMSVoiceV2Client, SendTextMessageCommand } = await import('@aws-sdk/client-pinpoint-sms-voice-v2');
    const eum = new PinpointSMSVoiceV2Client(this.clientConfig);

    return async (request, abortSignal) =>
      (await eum.send(new SendTextMessageCommand(this.sendTextInput(request)), { abortSignal })).MessageId;
  }

  /** The routed sender wins over the configured identity: the router picked it for this destination. */
  private originationIdentity(request: SendRequest): string | undefined {
    return request.from.trim() || this.config.originationIdentity;
  }

  private sendTextInput(request: SendRequest): SendTextMessageCommandInput {
    const origination = this.originationIdentity(request);

    return {
      DestinationPhoneNumber: request.to,
      ...(origination !== undefined && { OriginationIdentity: origination }),
      MessageBody: request.body,
      MessageType: this.config.messageType,
      ...(this.config.configurationSet !== undefined && { ConfigurationSetName: this.config.configurationSet }),
      Context: { [CONTEXT_MESSAGE_ID]: request.messageId },
      ...(request.validitySeconds !== undefined && {
        TimeToLive: Math.min(TTL_RANGE.max, Math.max(TTL_RANGE.min, Math.round(request.validitySeconds))),
      }),
    };
  }

  private publishInput(request: SendRequest): PublishCommandInput {
    const origination = this.originationIdentity(request);
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    const smsType = this.config.messageType === 'PROMOTIONAL' ? 'Promotional' : 'Transactional';
    // A number goes in AWS.MM.SMS.OriginationNumber (not AWS.SNS…), an alphanumeric sender in SenderID.
    const attributes: Record<string, { DataType: string; StringValue: string }> = {
      'AWS.SNS.SMS.SMSType': attribute(smsType),
    };
    if (origination !== undefined) {
      attributes[/^\+\d+$/.test(origination) ? 'AWS.MM.SMS.OriginationNumber' : 'AWS.SNS.SMS.SenderID'] =
        attribute(origination);
    }

    return { PhoneNumber: request.to, Message: request.body, MessageAttributes: attributes };
  }

  /**
   * SNS `Publish` returns a MessageId but SNS has no API that reads a message back, and AWS End User Messaging
   * SMS (pinpoint-sms-voice-v2) has none either: a message's fate is told only by the events it emits (SNS
   * delivery-status logging to CloudWatch Logs, or End User Messaging event destinations: CloudWatch, Firehose,
   * SNS), which reach us as receipts. Nothing can be asked, so the answer is always `unknown`.
   */
  lookup(): Promise<LookupResult> {
    return Promise.resolve({ outcome: 'unknown', reason: 'AWS SMS has no per-message lookup API' });
  }

  classifyError(code: string, httpStatus?: number): ErrorClass {
    return classifyAwsError(code, httpStatus);
  }

  /** Loads (once, cached) the signing certificate the envelope names, if its URL is allowed. Never throws. */
  async prepareWebhook(webhook: RawWebhook): Promise<void> {
    const envelope = parseSnsEnvelope(webhook.body);
    if (envelope !== undefined) {
      await this.certificates.load(envelope.SigningCertURL);
    }
  }

  /**
   * True for an SNS envelope from an expected topic, signed by an allowed certificate. The certificate must
   * have been loaded by {@link prepareWebhook}; verification itself stays synchronous and offline.
   */
  /** SNS puts the signature in the envelope (`Signature`), not in a header. */
  carriesSignature(webhook: RawWebhook): boolean {
    try {
      return /"Signature"\s*:\s*"[^"]+"/.test(webhook.body);
    } catch {
      return false;
    }
  }

  /** The envelope's `Timestamp` (when SNS published it), which the SNS signature covers. */
  webhookSignedAt(webhook: RawWebhook): Date | undefined {
    try {
      const published = new Date(parseSnsEnvelope(webhook.body)?.Timestamp ?? '');

      return Number.isNaN(published.getTime()) ? undefined : published;
    } catch {
      return undefined;
    }
  }

  verifyWebhook(webhook: RawWebhook): boolean {
    try {
      const envelope = parseSnsEnvelope(webhook.body);
      if (envelope === undefined || !isAllowedCertUrl(envelope.SigningCertURL, this.config.snsCertUrlAllow)) {
        return false;
      }
      if (this.config.snsTopicArns.length > 0 && !this.config.snsTopicArns.includes(envelope.TopicArn)) {
        return false;
      }
      const certificate = this.certificates.get(envelope.SigningCertURL);

      return certificate !== undefined && verifySnsSignature(envelope, certificate);
    } catch {
      return false;
    }
  }

  /**
   * Confirms an SNS subscription: GET its SubscribeURL, only when the webhook verified and the URL is on the
   * same allow-list as certificates (it is an outbound request chosen by the payload). True when confirmed.
   */
  async acknowledgeWebhook(webhook: RawWebhook): Promise<boolean> {
    try {
      const envelope = parseSnsEnvelope(webhook.body);
      const url = envelope?.SubscribeURL;
      if (envelope?.Type !== 'SubscriptionConfirmation' || url === undefined || !this.isAllowedSubscribeUrl(url)) {
        return false;
      }
      if (!this.verifyWebhook(webhook)) {
        return false;
      }
      const response = await this.fetchImpl(url, {
        redirect: 'error',
        signal: AbortSignal.timeout(this.config.requestTimeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);

      return response.ok;
    } catch {
      return false;
    }
  }

  private isAllowedSubscribeUrl(url: string): boolean {
    try {
      return this.config.snsCertUrlAllow.test(url) && new URL(url).username === '';
    } catch {
      return false;
    }
  }

  parseDeliveryReports(webhook: RawWebhook): DeliveryReport[] {
    try {
      const envelope = notificationOf(webhook);

      return envelope === undefined ? [] : parseAwsEvent(envelope.Message);
    } catch {
      return [];
    }
  }

  parseInbound(webhook: RawWebhook): InboundMessage | null {
    try {
      const envelope = notificationOf(webhook);

      return envelope === undefined ? null : parseAwsInbound(envelope);
    } catch {
      return null;
    }
  }
}
