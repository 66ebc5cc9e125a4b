import { type OutboundPolicy, outboundUrlRefusal, STRICT_OUTBOUND_POLICY } from '@sms/platform';

/**
 * Registration check of a callbackUrl (reliability.md S8): the outbound address policy of @sms/platform,
 * the same rules dlr-processor's callback client applies before every attempt, so a URL accepted here is
 * never refused there for a reason it could have been refused for now (only a name's later DNS answers
 * can still differ). Returns why the URL is refused, or null.
 */
export const callbackUrlRefusal = (value: string, policy: OutboundPolicy = STRICT_OUTBOUND_POLICY): string | null =>
  outboundUrlRefusal(value, policy);
