import type { InboundReceivedV1 } from '@sms/contracts';
import { inboundNumber } from '../inbound/inbound.store';
import type { InboundAccountResolver as NumberOwnerLookup } from '../inbound/number-owners.reader';

/**
 * The account an inbound message belongs to, for its `message.inbound` event: the owner of the number it
 * was sent to, asked of the same number directory the inbound store files it by, so an event and the
 * stored message never name different accounts.
 */
export type InboundAccountResolver = (inbound: InboundReceivedV1) => Promise<string | null>;

export const inboundAccountFrom =
  (owners: NumberOwnerLookup): InboundAccountResolver =>
  (inbound) =>
    owners.accountOf(inboundNumber(inbound.to));
