import { SimMessageLog } from './sim-message.log';
import type { CallbackAttempt } from './simulator.callbacks';

export type AwsSimOutcome = 'delivered' | 'undelivered' | 'failed';
export type AwsSimApi = 'eum' | 'sns';

/** A message the simulated AWS accepted, with every event notification attempt made for it. */
export interface AwsSimMessage {
  readonly messageId: string;
  readonly api: AwsSimApi;
  readonly to: string;
  readonly originationIdentity: string | null;
  readonly body: string;
  readonly configurationSet: string | null;
  readonly context: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly outcome: AwsSimOutcome;
  /** True when the 200 was withheld past the client's timeout (`timeoutAfterAcceptRate`). */
  readonly responseWithheld: boolean;
  readonly events: (CallbackAttempt & { readonly eventType: string })[];
}

/** A request answered with an AWS error. */
export interface AwsSimRejection {
  readonly at: string;
  readonly api: AwsSimApi;
  readonly clientReference: string | null;
  readonly to: string | null;
  readonly httpStatus: number;
  readonly type: string;
  readonly reason: string | null;
}

/** What the simulated Aws received, submits per reference (submitsByReference), and its throttle bucket. */
export class AwsSimStore extends SimMessageLog<AwsSimMessage, AwsSimRejection, 'submitsByReference'> {
  constructor() {
    super('submitsByReference');
  }
}
