import { SimMessageLog } from './sim-message.log';
import type { CallbackAttempt } from './simulator.callbacks';

export type TwilioSimOutcome = 'delivered' | 'undelivered' | 'failed';

/** A message the simulated API accepted (201), with every status callback attempt made for it. */
export interface TwilioSimMessage {
  readonly sid: string;
  readonly to: string;
  readonly from: string;
  readonly body: string;
  readonly statusCallback: string | null;
  readonly idempotencyToken: string | null;
  readonly createdAt: string;
  readonly outcome: TwilioSimOutcome;
  /** When the final status callback is due: the lookup APIs answer `sent` before it and the outcome after. */
  readonly finalAt: string;
  /** True when the 201 was withheld past the client's timeout (`timeoutAfterAcceptRate`). */
  readonly responseWithheld: boolean;
  readonly callbacks: (CallbackAttempt & { readonly status: string })[];
}

/** A submit answered with an error: the client learnt (or could have learnt) nothing was created. */
export interface TwilioSimRejection {
  readonly at: string;
  readonly idempotencyToken: string | null;
  readonly to: string | null;
  readonly httpStatus: number;
  readonly code: number;
}

/** What the simulated Twilio received, submits per reference (submitsByToken), and its throttle bucket. */
export class TwilioSimStore extends SimMessageLog<TwilioSimMessage, TwilioSimRejection, 'submitsByToken'> {
  constructor() {
    super('submitsByToken');
  }
}
