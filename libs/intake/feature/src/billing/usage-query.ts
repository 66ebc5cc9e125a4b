import { ApiError, unprocessable } from '@sms/platform';
import { checkRange, list, parseInstant, readQuery, single } from '../search/query-params';

/** What usage can be grouped by, besides the currency it is always grouped by (sums never mix currencies). */
export const USAGE_GROUPS = ['account', 'country', 'provider', 'day'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

/** The longest range one request may sum: a year and a day, so a calendar year always fits. */
export const MAX_USAGE_DAYS = 366;
const DAY_MS = 86_400_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UsageQuery {
  /** Charges at or after this instant… */
  readonly from: Date;
  /** …and before this one. */
  readonly to: Date;
  /** In the order asked for, without repeats. */
  readonly groupBy: readonly UsageGroup[];
  /** One account, or null for every account (operators only). */
  readonly accountId: string | null;
}

/** Who asks: their own account, and whether they hold the operator scope (which may name any account). */
export interface UsageCaller {
  readonly accountId: string;
  readonly operator: boolean;
}

/**
 * `GET /v1/usage?from=&to=&groupBy=&account=`. `from` and `to` are required ISO 8601 instants (a date alone
 * is its midnight UTC), `from` before `to`, at most {@link MAX_USAGE_DAYS} apart. `groupBy` is any of
 * {@link USAGE_GROUPS}, comma-separated or repeated; none sums the whole range per currency. `account` is for
 * operators: an account id, or `all`; everyone else sees their own account only (403 when they name
 * another). Unknown parameters are refused (UNKNOWN_PARAMETER).
 */
export function parseUsageQuery(input: unknown, caller: UsageCaller): UsageQuery {
  const query = readQuery(input, ['from', 'to', 'groupBy', 'account']);
  const from = parseInstant(query, 'from');
  const to = parseInstant(query, 'to');
  if (from === undefined || to === undefined) {
    const missing = from === undefined ? 'from' : 'to';
    throw unprocessable('INVALID_DATE', `${missing} is required: an ISO 8601 date or date and time`, missing);
  }
  checkRange(from, to, 'from', 'to');
  if (to.getTime() - from.getTime() > MAX_USAGE_DAYS * DAY_MS) {
    throw unprocessable(
      'DATE_RANGE_TOO_LONG',
      `from and to may be at most ${MAX_USAGE_DAYS} days apart; ask for several ranges`,
      'to',
    );
  }
  const groups = list(query, 'groupBy');
  const unknown = groups.find((group) => !(USAGE_GROUPS as readonly string[]).includes(group));
  if (unknown !== undefined) {
    throw unprocessable(
      'INVALID_GROUP_BY',
      `groupBy takes ${USAGE_GROUPS.join(', ')} (comma-separated), not ${JSON.stringify(unknown.slice(0, 32))}`,
      'groupBy',
    );
  }

  return {
    from,
    to,
    groupBy: groups as UsageGroup[],
    accountId: accountOf(single(query, 'account', 'INVALID_ACCOUNT'), caller),
  };
}

function accountOf(account: string | undefined, caller: UsageCaller): string | null {
  if (account === undefined) {
    return caller.accountId;
  }
  if (account !== 'all' && !UUID.test(account)) {
    throw unprocessable('INVALID_ACCOUNT', 'account must be an account id or all', 'account');
  }
  const named = account === 'all' ? null : account.toLowerCase();
  if (!caller.operator && named !== caller.accountId) {
    throw new ApiError(403, 'FORBIDDEN', "Only an operator key may read another account's usage", 'account');
  }

  return named;
}
