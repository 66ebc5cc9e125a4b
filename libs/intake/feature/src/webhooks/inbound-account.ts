import { DEFAULT_ACCOUNT_ID, type InboundReceivedV1 } from '@sms/contracts';

/**
 * The account an inbound message belongs to: the owner of the number it was sent to. The one place the
 * webhooks ask, so it can follow the inbound store's resolution when that lands.
 *
 * Today the router's numbers are the platform's and name no owner (docs/accounts.md: numbers, providers and
 * routes are operator objects), so every inbound message belongs to the default account, the account the
 * gateway's own sends on a number (opt-out confirmations, masking forwards) are made under as well.
 */
export type InboundAccountResolver = (inbound: InboundReceivedV1) => Promise<string | null>;

export const inboundAccountOf: InboundAccountResolver = () => Promise.resolve(DEFAULT_ACCOUNT_ID);
