import { MessageClass } from '@sms/contracts';
import {
  DEFAULT_SEGMENTS_PER_SECOND,
  type PhoneNumberEntity,
  type SenderType,
} from '../../database/entities/phone-number.entity';
import { type AppliedRule, ruleFor, type RouteSnapshot } from '../snapshot/route-snapshot';
import { isCompliantSender } from '../snapshot/sender-compliance';
import type { RouteRequest } from './route-request';
import { type RouteSlot, SenderList } from './sender-list';

/** Sender types in order of preference per message class (architecture.md: capability filter). */
export const TYPE_PREFERENCE: Readonly<Record<MessageClass, readonly SenderType[]>> = {
  [MessageClass.Transactional]: ['longcode', 'tollfree', 'shortcode'],
  [MessageClass.Marketing]: ['shortcode', 'longcode', 'tollfree'],
};

/** A provider's senders for the message: one type, the most preferred it has. */
export interface SenderSet {
  readonly list: SenderList;
  readonly type: string;
}

const slotOf = (n: PhoneNumberEntity): RouteSlot => ({
  number: n.number,
  providerId: n.providerId,
  segmentsPerSecond: n.segmentsPerSecond,
});

/** The provider's compliant senders of the preferred type, or why it has none. */
export function sendersOf(providerId: string, request: RouteRequest, snapshot: RouteSnapshot): SenderSet | string {
  if (request.from) {
    return explicitSender(providerId, request.from, snapshot);
  }
  // Computed once per snapshot and rule in force (it depends on nothing else), kept with the snapshot.
  const applied = ruleFor(snapshot, request.country, request.network);
  const key = `senders|${providerId}|${request.country}|${applied.network ?? ''}|${request.messageClass}`;
  let senders = snapshot.derived.get(key) as SenderSet | string | undefined;
  if (senders === undefined) {
    senders = poolSenders(providerId, request, snapshot, applied);
    snapshot.derived.set(key, senders);
  }

  return senders;
}

function explicitSender(providerId: string, from: string, snapshot: RouteSnapshot): SenderSet | string {
  const entry = snapshot.numbersByValue.get(from);
  if (entry) {
    return entry.providerId === providerId
      ? { list: SenderList.of(slotOf(entry)), type: entry.type }
      : `the requested sender belongs to ${entry.providerId}`;
  }

  // An unregistered alphanumeric ID where the country allows any: every provider may carry it.
  return {
    list: SenderList.of({ number: from, providerId, segmentsPerSecond: DEFAULT_SEGMENTS_PER_SECOND.alphanumeric }),
    type: 'alphanumeric',
  };
}

function poolSenders(
  providerId: string,
  request: RouteRequest,
  snapshot: RouteSnapshot,
  { rule, network }: AppliedRule,
): SenderSet | string {
  const { country } = request;
  // Runs, not numbers: a run's senders share the country and type the rules look at.
  const all = snapshot.sendersByProvider.get(providerId) ?? [];
  const compliant = all.filter((run) => isCompliantSender(run, rule, country));
  if (compliant.length === 0) {
    return all.length === 0
      ? 'no active sender number'
      : `no compliant sender number for ${country}${network ? ` network ${network}` : ''} (${
          rule.localNumberRequired ? 'local number required; ' : ''
        }short codes domestic only)`;
  }
  const local = compliant.filter((run) => run.country === country);
  const choices = local.length > 0 ? local : compliant;
  for (const type of TYPE_PREFERENCE[request.messageClass]) {
    const ofType = choices.filter((run) => run.type === type);
    if (ofType.length > 0) {
      return { list: SenderList.ofRuns(providerId, ofType), type };
    }
  }

  return 'no active sender number';
}
