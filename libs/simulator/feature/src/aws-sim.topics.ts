import { randomUUID } from 'node:crypto';
import { SnsIdentityHolder, signedSnsEnvelope, snsDeliveryHeaders, type SnsMessageType } from './aws-sim.sns';
import { type CallbackAttempt, type CallbackSettings, postWebhook } from './simulator.callbacks';

/** The two SNS topics of the simulated account: configuration-set events, and two-way (MO) messages. */
export type SnsTopic = 'events' | 'inbound';
export const SNS_TOPICS: readonly SnsTopic[] = ['events', 'inbound'];

interface Subscription {
  readonly url: string;
  confirmed: boolean;
  readonly token: string;
}

export interface SnsTopicsOptions {
  readonly region: string;
  readonly accountId: string;
  /** Absolute URL of the AWS mount point: SigningCertURL, SubscribeURL and UnsubscribeURL live under it. */
  readonly publicUrl: string;
  readonly signatureVersion: '1' | '2';
  readonly callback: CallbackSettings;
}

/**
 * SNS as far as HTTPS subscribers see it: one subscription per topic, confirmed before anything else is
 * delivered (SubscriptionConfirmation → GET SubscribeURL), and every delivery signed with the simulator's key.
 */
export class SnsTopics {
  readonly arns: Readonly<Record<SnsTopic, string>>;
  private readonly subscriptions = new Map<SnsTopic, Subscription>();
  private readonly identity = new SnsIdentityHolder();

  constructor(private readonly options: SnsTopicsOptions) {
    const prefix = `arn:aws:sns:${options.region}:${options.accountId}`;
    this.arns = { events: `${prefix}:sms-events`, inbound: `${prefix}:sms-inbound` };
  }

  get certificateUrl(): string {
    return `${this.options.publicUrl}/sns-cert.pem`;
  }

  async certificatePem(): Promise<string> {
    return (await this.identity.get()).certificatePem;
  }

  /** A subscription set up out of band (configuration), already confirmed. */
  presubscribe(topic: SnsTopic, url: string | null | undefined): void {
    if (url) {
      this.subscriptions.set(topic, { url, confirmed: true, token: randomUUID() });
    }
  }

  /** SNS `Subscribe`: replaces the topic's endpoint and posts it a signed SubscriptionConfirmation. */
  async subscribe(topic: SnsTopic, url: string): Promise<CallbackAttempt[]> {
    const subscription: Subscription = { url, confirmed: false, token: randomUUID() };
    this.subscriptions.set(topic, subscription);
    const message =
      `You have chosen to subscribe to the topic ${this.arns[topic]}.\n` +
      'To confirm the subscription, visit the SubscribeURL included in this message.';

    return this.deliver(topic, 'SubscriptionConfirmation', subscription, message);
  }

  unsubscribe(topic: SnsTopic): void {
    this.subscriptions.delete(topic);
  }

  /** The SubscribeURL's work: the subscription holding this token becomes confirmed; its ARN, or null. */
  confirm(token: string | undefined): string | null {
    for (const [topic, subscription] of this.subscriptions) {
      if (token !== undefined && subscription.token === token) {
        subscription.confirmed = true;

        return `${this.arns[topic]}:${subscription.token}`;
      }
    }

    return null;
  }

  describe(): Record<string, { url: string; confirmed: boolean }> {
    return Object.fromEntries(
      [...this.subscriptions].map(([topic, { url, confirmed }]) => [topic, { url, confirmed }]),
    );
  }

  /**
   * Delivers a Notification to the topic's confirmed subscriber, or to `endpoint` when given (a one-off
   * delivery for tests). Null when nobody confirmed listens: SNS then drops the message.
   */
  async publish(topic: SnsTopic, message: string, endpoint?: string): Promise<CallbackAttempt[] | null> {
    const subscription =
      endpoint === undefined ? this.subscriptions.get(topic) : { url: endpoint, confirmed: true, token: '' };
    if (subscription === undefined || !subscription.confirmed) {
      return null;
    }

    return this.deliver(topic, 'Notification', subscription, message);
  }

  private async deliver(
    topic: SnsTopic,
    type: SnsMessageType,
    subscription: Subscription,
    message: string,
  ): Promise<CallbackAttempt[]> {
    const { publicUrl, signatureVersion } = this.options;
    const arn = this.arns[topic];
    const envelope = signedSnsEnvelope(
      {
        type,
        topicArn: arn,
        message,
        signingCertUrl: this.certificateUrl,
        unsubscribeBaseUrl: `${publicUrl}/`,
        signatureVersion,
        ...(type === 'SubscriptionConfirmation' && {
          token: subscription.token,
          subscribeUrl: `${publicUrl}/confirm-subscription?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(
            arn,
          )}&Token=${subscription.token}`,
        }),
      },
      await this.identity.get(),
    );

    return postWebhook(
      { url: subscription.url, body: JSON.stringify(envelope), headers: snsDeliveryHeaders(envelope), label: type },
      this.options.callback,
    );
  }
}
