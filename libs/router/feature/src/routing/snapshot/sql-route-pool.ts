import type { DataSource } from 'typeorm';
import type { PhoneNumberEntity, SenderType } from '../../database/entities/phone-number.entity';
import {
  type CountryRule,
  DEFAULT_COUNTRY_RULE,
  type RoutePool,
  routeSnapshotOf,
  type RouteSnapshot,
  type SenderRun,
  SenderRuns,
} from './route-snapshot';
import { CountrySenders, JOINED_LENGTH_SQL, JOINED_NUMBERS_SQL } from './joined-senders';
import { isCompliantSender, isMaskingNumber } from './sender-compliance';

/**
 * The pool in the router's database, read per destination country on a cache miss. Raw SQL with only
 * the columns a decision reads: entity hydration cost several times the queries themselves, and a cold
 * decision waits for this load (bench/router.bench.ts). The country's rates, rules (its own and its
 * networks'), senders and the active providers come in one statement; a second runs only when a
 * provider with a rate there has no compliant sender of the country itself under one of those rules.
 */
export class SqlRoutePool implements RoutePool {
  constructor(private readonly dataSource: DataSource) {}

  async forCountry(country: string): Promise<RouteSnapshot> {
    const { providers, rates, rules, networkRules, local } = await this.readCountry(country);
    const rule = rules[0] ? toRule(rules[0]) : DEFAULT_COUNTRY_RULE;
    const networks = networkRules.map((row) => ({ ...toRule(row), mcc: row.mcc, mnc: row.mnc }));
    // Every rule a decision for the country may apply: the country's and each network's.
    const inForce: CountryRule[] = [rule, ...networks];
    const active = new Set(providers);
    const runs = new SenderRuns();
    /** provider → the rules in force that one of its local senders complies with. */
    const withLocalSender = new Map<string, Set<CountryRule>>();
    for (const [providerId, ofProvider] of local) {
      if (!active.has(providerId)) {
        continue;
      }
      const served = withLocalSender.get(providerId) ?? new Set<CountryRule>();
      withLocalSender.set(providerId, served);
      for (const run of ofProvider) {
        runs.addRun(providerId, run);
        for (const r of inForce) {
          if (isCompliantSender(run, r, country)) {
            served.add(r);
          }
        }
      }
    }
    // A provider without a compliant sender of the country may send from another country's number
    // (where no local number is required): only then are its other numbers needed. A network rule may be
    // looser than the country's, so a provider needs them when any rule in force finds no local sender.
    const needForeign = [...new Set(rates.map((r) => r.provider_id))].filter(
      (id) => active.has(id) && (withLocalSender.get(id)?.size ?? 0) < inForce.length,
    );
    if (needForeign.length > 0) {
      const foreign = await this.dataSource.query<NumberDbRow[]>(
        `SELECT number, provider_id, country, type, capabilities, segments_per_second FROM phone_numbers WHERE provider_id IN (${needForeign
          .map(() => '?')
          .join(',')}) AND country <> ? AND active = ? ORDER BY number`,
        [...needForeign, country, 1],
      );
      for (const row of foreign) {
        if (!isMaskingNumber({ capabilities: csv(row.capabilities) as PhoneNumberEntity['capabilities'] })) {
          runs.add(row.provider_id, row.country, row.type as SenderType, row.number, Number(row.segments_per_second));
        }
      }
    }

    return routeSnapshotOf(
      providers,
      runs.byProvider,
      rates.map((r) => ({
        providerId: r.provider_id,
        country,
        prefix: r.prefix ?? '',
        price: r.price,
        currency: r.currency,
        mcc: r.mcc,
        mnc: r.mnc,
      })),
      // No country row: the snapshot has no country rule, and decisions apply (and show) the defaults.
      [...(rules[0] ? [rule] : []), ...networks].map((r) => ({
        country,
        ...r,
        allowedSenderTypes: r.allowedSenderTypes as SenderType[],
      })),
    );
  }

  /**
   * The country's rates and rule, its senders and the active providers in ONE statement (UNION ALL,
   * each branch on its own index, a tag column telling the rows apart). Four parallel queries cost four
   * round trips and wait for the slowest of four answers: on a small VM that tail set the cold decision's
   * p99 (bench/router.bench.ts). The senders come one row per provider, type and rate limit with the
   * numbers joined (joined-senders.ts): parsing hundreds of rows into objects was most of a load's CPU
   * and allocation. Masking numbers are left out (never picked for ordinary traffic; an explicit `from`
   * is looked up by sender()).
   */
  private async readCountry(country: string): Promise<{
    providers: string[];
    rates: RateDbRow[];
    rules: RuleDbRow[];
    networkRules: (RuleDbRow & { mcc: string; mnc: string })[];
    /** provider → its runs, one per type, in number order. */
    local: Map<string, SenderRun[]>;
  }> {
    const rows = await this.dataSource.query<UnionRow[]>(
      `SELECT 'n' AS k, ${JOINED_NUMBERS_SQL} AS a, provider_id AS b, type AS c, segments_per_second AS d,
              COUNT(*) AS e, ${JOINED_LENGTH_SQL} AS f
         FROM phone_numbers WHERE country = ? AND active = ? AND capabilities NOT LIKE '%masking%'
         GROUP BY provider_id, type, segments_per_second
       UNION ALL SELECT 'r', provider_id, prefix, price, currency, mcc, mnc FROM route_rates WHERE country = ?
       UNION ALL SELECT 'u', allowed_sender_types, sender_id_policy, local_number_required, blocked, NULL, NULL
         FROM country_rules WHERE country = ?
       UNION ALL SELECT 'w', allowed_sender_types, sender_id_policy, local_number_required, blocked, mcc, mnc
         FROM network_rules WHERE country = ?
       UNION ALL SELECT 'p', id, NULL, NULL, NULL, NULL, NULL FROM sms_providers WHERE active = ?`,
      // 1, not true: booleans are tinyint(1) in MySQL and integers in SQLite, and better-sqlite3 binds no booleans.
      [country, 1, country, country, country, 1],
    );
    const providers: string[] = [];
    const rates: RateDbRow[] = [];
    const rules: RuleDbRow[] = [];
    const networkRules: (RuleDbRow & { mcc: string; mnc: string })[] = [];
    const senders = new CountrySenders(country);
    let complete = true;
    for (const row of rows) {
      switch (row.k) {
        case 'n':
          complete &&= senders.addJoined(
            String(row.b),
            String(row.c),
            Number(row.d),
            String(row.a),
            Number(row.e),
            Number(row.f),
          );
          break;
        case 'r':
          rates.push({
            provider_id: String(row.a),
            prefix: row.b === null ? null : String(row.b),
            price: String(row.c),
            currency: String(row.d),
            mcc: row.e === null ? '' : String(row.e),
            mnc: row.f === null ? '' : String(row.f),
          });
          break;
        case 'u':
          rules.push({
            allowed_sender_types: row.a === null ? null : String(row.a),
            sender_id_policy: String(row.b),
            local_number_required: row.c ?? 0,
            blocked: row.d ?? 0,
          });
          break;
        case 'w':
          networkRules.push({
            allowed_sender_types: row.a === null ? null : String(row.a),
            sender_id_policy: String(row.b),
            local_number_required: row.c ?? 0,
            blocked: row.d ?? 0,
            mcc: String(row.e),
            mnc: String(row.f),
          });
          break;
        case 'p':
          providers.push(String(row.a));
          break;
      }
    }
    providers.sort();
    if (!complete) {
      senders.clear();
      await this.readSendersByRow(country, senders);
    }

    return { providers, rates, rules, networkRules, local: senders.runs() };
  }

  /** The country's senders one row each: only when a joined list did not add up (CountrySenders.addJoined). */
  private async readSendersByRow(country: string, into: CountrySenders): Promise<void> {
    const rows = await this.dataSource.query<Omit<NumberDbRow, 'country' | 'capabilities'>[]>(
      `SELECT number, provider_id, type, segments_per_second FROM phone_numbers
         WHERE country = ? AND active = ? AND capabilities NOT LIKE '%masking%'`,
      [country, 1],
    );
    for (const row of rows) {
      into.add(row.provider_id, row.type as SenderType, row.number, Number(row.segments_per_second));
    }
  }

  async sender(value: string): Promise<PhoneNumberEntity | null> {
    const rows = await this.dataSource.query<NumberDbRow[]>(
      'SELECT n.number, n.provider_id, n.country, n.type, n.capabilities, n.segments_per_second FROM phone_numbers n JOIN sms_providers p ON p.id = n.provider_id WHERE n.number = ? AND n.active = ? AND p.active = ?',
      [value, 1, 1],
    );
    // MySQL compares case- and trailing-space-insensitively; a sender is the exact value or none.
    const row = rows.find((r) => r.number === value);

    return row ? toNumber(row) : null;
  }

  async activeProviders(): Promise<readonly string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>('SELECT id FROM sms_providers WHERE active = ?', [1]);

    return rows.map((r) => r.id).sort();
  }
}

/** One row of readCountry's UNION: `k` tags the branch; a–f are its columns in branch order. */
interface UnionRow {
  k: 'n' | 'r' | 'u' | 'w' | 'p';
  a: string | null;
  b: string | null;
  c: string | number | null;
  d: string | number | null;
  e: string | number | null;
  f: string | number | null;
}

interface NumberDbRow {
  number: string;
  provider_id: string;
  country: string;
  type: string;
  capabilities: string | null;
  segments_per_second: number | string;
}

interface RateDbRow {
  provider_id: string;
  prefix: string | null;
  price: string;
  currency: string;
  mcc: string;
  mnc: string;
}

interface RuleDbRow {
  allowed_sender_types: string | null;
  sender_id_policy: string;
  local_number_required: number | string | boolean;
  blocked: number | string | boolean;
}

const csv = (value: string | null): string[] => (value ?? '').split(',').filter(Boolean);
const flag = (value: number | string | boolean): boolean => value === true || Number(value) === 1;

/** Not read by routing; one shared value instead of a Date per row. */
const NOT_LOADED = new Date(0);

/** Field by field: spreading the driver's row objects cost more than the query. */
function toNumber(row: NumberDbRow): PhoneNumberEntity {
  return {
    number: row.number,
    providerId: row.provider_id,
    country: row.country,
    type: row.type as SenderType,
    capabilities: csv(row.capabilities) as PhoneNumberEntity['capabilities'],
    monthlyCost: null,
    segmentsPerSecond: Number(row.segments_per_second),
    active: true,
    // Whose inbound messages the number receives is not read by routing.
    accountId: '',
    createdAt: NOT_LOADED,
  };
}

function toRule(row: RuleDbRow): CountryRule {
  return {
    allowedSenderTypes: csv(row.allowed_sender_types),
    senderIdPolicy: row.sender_id_policy as CountryRule['senderIdPolicy'],
    localNumberRequired: flag(row.local_number_required),
    blocked: flag(row.blocked),
  };
}
