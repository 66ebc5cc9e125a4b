import type { DataSource } from 'typeorm';
import type { PhoneNumberEntity, SenderType } from '../database/entities/phone-number.entity';
import {
  buildRouteSnapshot,
  type CountryRule,
  DEFAULT_COUNTRY_RULE,
  type RoutePool,
  type RouteSnapshot,
} from './route-snapshot';
import { isCompliantSender } from './sender-compliance';

/**
 * The pool in the router's database, read per destination country on a cache miss. Raw SQL with only
 * the columns a decision reads: entity hydration cost several times the queries themselves, and a cold
 * decision waits for this load (bench/router.bench.ts). The four reads of a country run side by side;
 * a fifth runs only when a provider with a rate there has no compliant sender of the country itself.
 */
export class SqlRoutePool implements RoutePool {
  constructor(private readonly dataSource: DataSource) {}

  async forCountry(country: string): Promise<RouteSnapshot> {
    const { providers, rates, rules, local } = await this.readCountry(country);
    const rule = rules[0] ? toRule(rules[0]) : DEFAULT_COUNTRY_RULE;
    const active = new Set(providers);
    const numbers = local.map((row) => toNumber(row, country, NOT_MASKING));
    // A provider without a compliant sender of the country may send from another country's number
    // (where no local number is required): only then are its other numbers needed.
    const withLocalSender = new Set(
      numbers.filter((n) => isCompliantSender(n, rule, country)).map((n) => n.providerId),
    );
    const needForeign = [...new Set(rates.map((r) => r.provider_id))].filter(
      (id) => active.has(id) && !withLocalSender.has(id),
    );
    if (needForeign.length > 0) {
      const foreign = await this.dataSource.query<NumberDbRow[]>(
        `SELECT number, provider_id, country, type, capabilities, segments_per_second FROM phone_numbers WHERE provider_id IN (${needForeign
          .map(() => '?')
          .join(',')}) AND country <> ? AND active = ? ORDER BY number`,
        [...needForeign, country, 1],
      );
      for (const row of foreign) {
        numbers.push(toNumber(row, row.country, csv(row.capabilities)));
      }
    }

    return buildRouteSnapshot(
      providers,
      numbers,
      rates.map((r) => ({
        providerId: r.provider_id,
        country,
        prefix: r.prefix ?? '',
        price: r.price,
        currency: r.currency,
      })),
      [{ country, ...rule, allowedSenderTypes: rule.allowedSenderTypes as SenderType[] }],
      false,
    );
  }

  /**
   * The country's rates and rule, its senders and the active providers in ONE statement (UNION ALL,
   * each branch on its own index, a tag column telling the rows apart). Four parallel queries cost four
   * round trips and wait for the slowest of four answers: on a small VM that tail set the cold decision's
   * p99 (bench/router.bench.ts). The senders' branch leaves masking numbers out (never picked for ordinary
   * traffic; an explicit `from` is looked up by sender()).
   */
  private async readCountry(country: string): Promise<{
    providers: string[];
    rates: RateDbRow[];
    rules: RuleDbRow[];
    local: LocalNumberDbRow[];
  }> {
    const rows = await this.dataSource.query<UnionRow[]>(
      `SELECT 'n' AS k, number AS a, provider_id AS b, type AS c, segments_per_second AS d
         FROM phone_numbers WHERE country = ? AND active = ? AND capabilities NOT LIKE '%masking%'
       UNION ALL SELECT 'r', provider_id, prefix, price, currency FROM route_rates WHERE country = ?
       UNION ALL SELECT 'u', allowed_sender_types, sender_id_policy, local_number_required, blocked
         FROM country_rules WHERE country = ?
       UNION ALL SELECT 'p', id, NULL, NULL, NULL FROM sms_providers WHERE active = ?`,
      // 1, not true: booleans are tinyint(1) in MySQL and integers in SQLite, and better-sqlite3 binds no booleans.
      [country, 1, country, country, 1],
    );
    const result = {
      providers: [] as string[],
      rates: [] as RateDbRow[],
      rules: [] as RuleDbRow[],
      local: [] as LocalNumberDbRow[],
    };
    for (const row of rows) {
      switch (row.k) {
        case 'n':
          result.local.push({
            number: String(row.a),
            provider_id: String(row.b),
            type: String(row.c),
            segments_per_second: row.d ?? 0,
          });
          break;
        case 'r':
          result.rates.push({
            provider_id: String(row.a),
            prefix: row.b === null ? null : String(row.b),
            price: String(row.c),
            currency: String(row.d),
          });
          break;
        case 'u':
          result.rules.push({
            allowed_sender_types: row.a === null ? null : String(row.a),
            sender_id_policy: String(row.b),
            local_number_required: row.c ?? 0,
            blocked: row.d ?? 0,
          });
          break;
        case 'p':
          result.providers.push(String(row.a));
          break;
      }
    }
    // Sorted here, not by the statement: the senders' order is the round-robin order.
    result.local.sort((x, y) => (x.number < y.number ? -1 : x.number > y.number ? 1 : 0));
    result.providers.sort();

    return result;
  }

  async sender(value: string): Promise<PhoneNumberEntity | null> {
    const rows = await this.dataSource.query<NumberDbRow[]>(
      'SELECT n.number, n.provider_id, n.country, n.type, n.capabilities, n.segments_per_second FROM phone_numbers n JOIN sms_providers p ON p.id = n.provider_id WHERE n.number = ? AND n.active = ? AND p.active = ?',
      [value, 1, 1],
    );
    // MySQL compares case- and trailing-space-insensitively; a sender is the exact value or none.
    const row = rows.find((r) => r.number === value);

    return row ? toNumber(row, row.country, csv(row.capabilities)) : null;
  }

  async activeProviders(): Promise<readonly string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>('SELECT id FROM sms_providers WHERE active = ?', [1]);

    return rows.map((r) => r.id).sort();
  }
}

/** One row of readCountry's UNION: `k` tags the branch; a–d are its columns in branch order. */
interface UnionRow {
  k: 'n' | 'r' | 'u' | 'p';
  a: string | null;
  b: string | null;
  c: string | number | null;
  d: string | number | null;
}

interface NumberDbRow {
  number: string;
  provider_id: string;
  country: string;
  type: string;
  capabilities: string | null;
  segments_per_second: number | string;
}

type LocalNumberDbRow = Omit<NumberDbRow, 'country' | 'capabilities'>;

interface RateDbRow {
  provider_id: string;
  prefix: string | null;
  price: string;
  currency: string;
}

interface RuleDbRow {
  allowed_sender_types: string | null;
  sender_id_policy: string;
  local_number_required: number | string | boolean;
  blocked: number | string | boolean;
}

const csv = (value: string | null): string[] => (value ?? '').split(',').filter(Boolean);
const flag = (value: number | string | boolean): boolean => value === true || Number(value) === 1;

/** What the country's read leaves out: its rows are never masking numbers. */
const NOT_MASKING: PhoneNumberEntity['capabilities'] = ['sms'];
/** Not read by routing; one shared value instead of a Date per row. */
const NOT_LOADED = new Date(0);

/** Field by field: spreading the driver's row objects was the cold load's largest CPU cost. */
function toNumber(row: LocalNumberDbRow, country: string, capabilities: readonly string[]): PhoneNumberEntity {
  return {
    number: row.number,
    providerId: row.provider_id,
    country,
    type: row.type as SenderType,
    capabilities: capabilities as PhoneNumberEntity['capabilities'],
    monthlyCost: null,
    segmentsPerSecond: Number(row.segments_per_second),
    active: true,
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
