import type { RouteRequest, SenderRefusal } from './route-request';
import { type AppliedRule, ruleFor, type RouteSnapshot } from '../snapshot/route-snapshot';

const NUMERIC_SENDER = /^\+?\d{3,15}$/;

/**
 * An explicit `from` that no provider may use in the destination country, with the rule it breaks; null
 * when the message names no sender or its sender may send there.
 */
export function refusalOfExplicitSender(
  request: RouteRequest,
  snapshot: RouteSnapshot,
  applied: AppliedRule = ruleFor(snapshot, request.country, request.network),
): SenderRefusal | null {
  const { from } = request;
  if (!from) {
    return null;
  }
  const { rule } = applied;
  // Reasons name what the rule is for: the country, or the one network of it whose rule applied.
  const where = applied.level === 'network' ? `${request.country} network ${applied.network}` : request.country;
  const entry = snapshot.numbersByValue.get(from);
  const alphanumeric = entry ? entry.type === 'alphanumeric' : !NUMERIC_SENDER.test(from);
  if (!entry && !alphanumeric) {
    return { kind: 'refused', code: 'SENDER_NOT_ALLOWED', reason: 'from is not an active number of the pool' };
  }
  const types = rule.allowedSenderTypes;
  if (alphanumeric) {
    if (rule.senderIdPolicy === 'forbidden' || (types.length > 0 && !types.includes('alphanumeric'))) {
      return {
        kind: 'refused',
        code: 'SENDER_ID_NOT_ALLOWED',
        reason: `${where} does not allow alphanumeric sender IDs`,
      };
    }
    if (rule.senderIdPolicy === 'registration' && (!entry || entry.country !== request.country)) {
      return {
        kind: 'refused',
        code: 'SENDER_ID_NOT_REGISTERED',
        reason: `${where} requires a registered sender ID and this one is not registered there`,
      };
    }

    return null;
  }
  const type = entry?.type ?? 'alphanumeric';
  if (types.length > 0 && !types.includes(type)) {
    return { kind: 'refused', code: 'SENDER_NOT_ALLOWED', reason: `${where} does not allow ${type} senders` };
  }
  if (entry && entry.country !== request.country && (rule.localNumberRequired || type === 'shortcode')) {
    return {
      kind: 'refused',
      code: 'SENDER_NOT_ALLOWED',
      reason: type === 'shortcode' ? 'short codes send only domestically' : `${where} requires a local number`,
    };
  }

  return null;
}
