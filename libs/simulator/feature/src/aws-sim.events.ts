import type { AwsSimMessage, AwsSimOutcome } from './aws-sim.store';
import { pickOne, type Rng } from './simulator.rng';

/** The final EUM event for an outcome, among the types AWS really emits for it (providers.md §4b). */
export function finalEventType(rng: Rng, outcome: AwsSimOutcome): string {
  switch (outcome) {
    case 'delivered':
      // Countries without handset receipts end on TEXT_SUCCESSFUL (final) instead of TEXT_DELIVERED.
      return pickOne(rng, ['TEXT_DELIVERED', 'TEXT_SUCCESSFUL'] as const);
    case 'undelivered':
      return pickOne(rng, [
        'TEXT_CARRIER_UNREACHABLE',
        'TEXT_UNREACHABLE',
        'TEXT_BLOCKED',
        'TEXT_TTL_EXPIRED',
      ] as const);
    case 'failed':
      return pickOne(rng, ['TEXT_INVALID', 'TEXT_PROTECT_BLOCKED'] as const);
  }
}

/** An SMS event as the configuration set's SNS destination publishes it, `Context` echoed. */
export function eventJson(message: AwsSimMessage, eventType: string, now = Date.now()): string {
  const status = eventType.replace(/^TEXT_/, '');

  return JSON.stringify({
    eventType,
    eventVersion: '1.0',
    eventTimestamp: now,
    isFinal: eventType !== 'TEXT_SENT',
    originationPhoneNumber: message.originationIdentity ?? '+12065550152',
    destinationPhoneNumber: message.to,
    isInternationalSend: false,
    isoCountryCode: 'US',
    mcc: '310',
    mnc: '800',
    messageId: message.messageId,
    messageRequestTimestamp: Date.parse(message.createdAt),
    messageEncoding: /^[\x20-\x7e\r\n]*$/.test(message.body) ? 'GSM' : 'UCS2',
    messageType: 'TRANSACTIONAL',
    messageStatus: status,
    messageStatusDescription: `Simulated ${status.toLowerCase().replace(/_/g, ' ')}`,
    context: message.context,
    totalMessageParts: 1,
    totalMessagePrice: 0.00645,
    totalCarrierFee: 0.0,
  });
}
