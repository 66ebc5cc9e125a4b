import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { isDuplicateKeyError } from '@sms/persistence';
import { isSupportedCountryCode } from '@sms/phone';
import { ApiError, notFound, unprocessable } from '@sms/platform';
import type { DataSource, FindOptionsWhere } from 'typeorm';
import { CountryRuleEntity, SENDER_ID_POLICIES, type SenderIdPolicy } from '../database/entities/country-rule.entity';
import { NetworkRuleEntity } from '../database/entities/network-rule.entity';
import {
  DEFAULT_SEGMENTS_PER_SECOND,
  NUMBER_CAPABILITIES,
  type NumberCapability,
  PhoneNumberEntity,
  SENDER_TYPES,
  type SenderType,
} from '../database/entities/phone-number.entity';
import { ProviderEntity } from '../database/entities/provider.entity';
import { RouteRateEntity } from '../database/entities/route-rate.entity';
import {
  ACCOUNT_ID,
  BOOLEAN,
  checkNumberFormat,
  COUNTRY,
  CURRENCY,
  listOf,
  MCC,
  MNC,
  MONEY,
  NAME,
  optional,
  PREFIX,
  PROVIDER_ID,
  PROVIDER_KIND,
  readBody,
  required,
  SENDER_ID_POLICY,
  SENDER_TYPE,
  THROUGHPUT,
} from './operator-input';
import { mccMayBelongTo } from './country-mccs';
import type { CountryRuleView, NetworkRuleView, NumberView, ProviderView, RateView } from './operator.views';

const CAPABILITIES = listOf(NUMBER_CAPABILITIES, 'INVALID_CAPABILITIES');
const SENDER_TYPE_LIST = listOf(SENDER_TYPES, 'INVALID_SENDER_TYPE');

/**
 * The operator API over the router's tables (their one writer). Every change calls `changed()`,
 * which drops this replica's routing cache and tells the other replicas to drop theirs.
 */
export class OperatorService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly changed: () => Promise<void>,
    private readonly now: () => Date = () => new Date(),
    /** Whether an account exists, for a number given to one (absent: any well-formed id is taken). */
    private readonly accountExists?: (accountId: string) => Promise<boolean>,
  ) {}

  // ---- providers ----------------------------------------------------------------------------

  async listProviders(): Promise<ProviderView[]> {
    return (await this.dataSource.getRepository(ProviderEntity).find({ order: { id: 'ASC' } })).map(providerView);
  }

  async createProvider(input: unknown): Promise<ProviderView> {
    const body = readBody(input, ['id', 'kind', 'name', 'active']);
    const id = required(body, 'id', PROVIDER_ID);
    const row: ProviderEntity = {
      id,
      kind: optional(body, 'kind', PROVIDER_KIND) ?? required(body, 'id', PROVIDER_KIND),
      name: optional(body, 'name', NAME) ?? id,
      active: optional(body, 'active', BOOLEAN) ?? true,
      createdAt: this.now(),
    };
    await this.insert(ProviderEntity, row, 'PROVIDER_EXISTS', `provider '${id}' exists`);

    return providerView(row);
  }

  async updateProvider(id: string, input: unknown): Promise<ProviderView> {
    const body = readBody(input, ['name', 'active']);
    const row = await this.provider(id);
    row.name = optional(body, 'name', NAME) ?? row.name;
    row.active = optional(body, 'active', BOOLEAN) ?? row.active;
    await this.dataSource.getRepository(ProviderEntity).save(row);
    await this.changed();

    return providerView(row);
  }

  // ---- numbers ------------------------------------------------------------------------------

  async listNumbers(filter: {
    provider?: string;
    country?: string;
    capability?: string;
    type?: string;
    active?: string;
  }): Promise<NumberView[]> {
    const where: FindOptionsWhere<PhoneNumberEntity> = {};
    if (filter.provider) {
      where.providerId = filter.provider;
    }
    if (filter.country) {
      where.country = filter.country.toUpperCase();
    }
    if (filter.type) {
      where.type = filter.type as SenderType;
    }
    if (filter.active !== undefined) {
      if (filter.active !== 'true' && filter.active !== 'false') {
        throw unprocessable('INVALID_FIELD', 'active must be true or false', 'active');
      }
      where.active = filter.active === 'true';
    }
    if (filter.capability && !(NUMBER_CAPABILITIES as readonly string[]).includes(filter.capability)) {
      throw unprocessable(
        'INVALID_CAPABILITIES',
        `capability must be one of ${NUMBER_CAPABILITIES.join(', ')}`,
        'capability',
      );
    }
    const rows = await this.dataSource.getRepository(PhoneNumberEntity).find({ where, order: { number: 'ASC' } });

    return rows
      .filter((n) => !filter.capability || n.capabilities.includes(filter.capability as NumberCapability))
      .map(numberView);
  }

  async createNumber(input: unknown): Promise<NumberView> {
    const body = readBody(input, [
      'number',
      'provider',
      'country',
      'type',
      'capabilities',
      'monthlyCost',
      'segmentsPerSecond',
      'active',
      'accountId',
    ]);
    const type = required(body, 'type', SENDER_TYPE) as SenderType;
    const number = checkNumberFormat(body['number'], type);
    const providerId = required(body, 'provider', PROVIDER_ID);
    const country = this.country(required(body, 'country', COUNTRY), 'country');
    await this.provider(providerId, true);
    const row: PhoneNumberEntity = {
      number,
      providerId,
      country,
      type,
      capabilities: (optional(body, 'capabilities', CAPABILITIES) ?? ['sms']) as NumberCapability[],
      monthlyCost: optional(body, 'monthlyCost', MONEY) ?? null,
      segmentsPerSecond: optional(body, 'segmentsPerSecond', THROUGHPUT) ?? DEFAULT_SEGMENTS_PER_SECOND[type],
      active: optional(body, 'active', BOOLEAN) ?? true,
      accountId: (await this.account(body)) ?? DEFAULT_ACCOUNT_ID,
      createdAt: this.now(),
    };
    await this.insert(PhoneNumberEntity, row, 'NUMBER_EXISTS', 'the number is in the pool already');

    return numberView(row);
  }

  async updateNumber(number: string, input: unknown): Promise<NumberView> {
    const body = readBody(input, ['capabilities', 'monthlyCost', 'segmentsPerSecond', 'active', 'accountId']);
    const repository = this.dataSource.getRepository(PhoneNumberEntity);
    const row = await repository.findOneBy({ number });
    if (!row) {
      throw notFound('Number');
    }
    row.capabilities =
      (optional(body, 'capabilities', CAPABILITIES) as NumberCapability[] | undefined) ?? row.capabilities;
    row.monthlyCost = optional(body, 'monthlyCost', MONEY) ?? row.monthlyCost;
    row.segmentsPerSecond = optional(body, 'segmentsPerSecond', THROUGHPUT) ?? row.segmentsPerSecond;
    row.active = optional(body, 'active', BOOLEAN) ?? row.active;
    row.accountId = (await this.account(body)) ?? row.accountId;
    await repository.save(row);
    await this.changed();

    return numberView(row);
  }

  /** `accountId` of a number body, checked: 422 INVALID_ACCOUNT_ID malformed, 404 ACCOUNT_NOT_FOUND unknown. */
  private async account(body: Record<string, unknown>): Promise<string | undefined> {
    const accountId = optional(body, 'accountId', ACCOUNT_ID);
    if (accountId !== undefined && this.accountExists && !(await this.accountExists(accountId))) {
      throw new ApiError(404, 'ACCOUNT_NOT_FOUND', 'No account has this id', 'accountId');
    }

    return accountId;
  }

  // ---- rates and country rules ---------------------------------------------------------------

  async listRoutes(): Promise<{ rates: RateView[]; rules: CountryRuleView[]; networkRules: NetworkRuleView[] }> {
    const [rates, rules, networkRules] = await Promise.all([
      this.dataSource
        .getRepository(RouteRateEntity)
        .find({ order: { country: 'ASC', providerId: 'ASC', prefix: 'ASC', mcc: 'ASC', mnc: 'ASC' } }),
      this.dataSource.getRepository(CountryRuleEntity).find({ order: { country: 'ASC' } }),
      this.dataSource.getRepository(NetworkRuleEntity).find({ order: { country: 'ASC', mcc: 'ASC', mnc: 'ASC' } }),
    ]);

    return { rates: rates.map(rateView), rules: rules.map(ruleView), networkRules: networkRules.map(networkRuleView) };
  }

  async createRate(input: unknown): Promise<RateView> {
    const body = readBody(input, ['provider', 'country', 'prefix', 'mcc', 'mnc', 'price', 'currency']);
    const providerId = required(body, 'provider', PROVIDER_ID);
    const country = this.country(required(body, 'country', COUNTRY), 'country');
    const network = networkOf(body);
    const row = {
      providerId,
      country,
      prefix: optional(body, 'prefix', PREFIX) ?? '',
      ...network,
      price: required(body, 'price', MONEY),
      currency: optional(body, 'currency', CURRENCY) ?? 'USD',
    };
    await this.provider(providerId, true);
    const saved = await this.insert(
      RouteRateEntity,
      row,
      'ROUTE_EXISTS',
      `a rate for ${providerId} to ${country}${row.prefix ? ` prefix ${row.prefix}` : ''}${
        network.mcc ? ` network ${network.mcc}-${network.mnc}` : ''
      } exists`,
    );

    return rateView(saved as RouteRateEntity);
  }

  async updateRate(id: string, input: unknown): Promise<RateView> {
    const body = readBody(input, ['price', 'currency']);
    const row = await this.rate(id);
    row.price = optional(body, 'price', MONEY) ?? row.price;
    row.currency = optional(body, 'currency', CURRENCY) ?? row.currency;
    await this.dataSource.getRepository(RouteRateEntity).save(row);
    await this.changed();

    return rateView(row);
  }

  async deleteRate(id: string): Promise<void> {
    const row = await this.rate(id);
    await this.dataSource.getRepository(RouteRateEntity).delete({ id: row.id });
    await this.changed();
  }

  async putRule(countryParam: string, input: unknown): Promise<CountryRuleView> {
    const country = this.country(countryParam.toUpperCase(), 'country');
    const row: CountryRuleEntity = { country, ...ruleFields(input), updatedAt: this.now() };
    await this.dataSource.getRepository(CountryRuleEntity).save(row);
    await this.changed();

    return ruleView(row);
  }

  /** Sets one network's rule: it replaces the country's rule, whole, for numbers placed on that network. */
  async putNetworkRule(countryParam: string, networkParam: string, input: unknown): Promise<NetworkRuleView> {
    const country = this.country(countryParam.toUpperCase(), 'country');
    const { mcc, mnc } = networkOfPath(networkParam, country);
    const row: NetworkRuleEntity = { country, mcc, mnc, ...ruleFields(input), updatedAt: this.now() };
    await this.dataSource.getRepository(NetworkRuleEntity).save(row);
    await this.changed();

    return networkRuleView(row);
  }

  async deleteNetworkRule(countryParam: string, networkParam: string): Promise<void> {
    const country = countryParam.toUpperCase();
    const network = NETWORK_PARAM.exec(networkParam);
    const result = network
      ? await this.dataSource.getRepository(NetworkRuleEntity).delete({ country, mcc: network[1]!, mnc: network[2]! })
      : { affected: 0 };
    if (!result.affected) {
      throw notFound('Network rule');
    }
    await this.changed();
  }

  async deleteRule(countryParam: string): Promise<void> {
    const result = await this.dataSource
      .getRepository(CountryRuleEntity)
      .delete({ country: countryParam.toUpperCase() });
    if (!result.affected) {
      throw notFound('Country rule');
    }
    await this.changed();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private country(code: string, field: string): string {
    if (!isSupportedCountryCode(code)) {
      throw unprocessable('INVALID_COUNTRY', `${field} must be an ISO 3166-1 alpha-2 code such as GB`, field);
    }

    return code;
  }

  private async provider(id: string, referenced = false): Promise<ProviderEntity> {
    const row = await this.dataSource.getRepository(ProviderEntity).findOneBy({ id });
    if (!row) {
      throw referenced
        ? unprocessable('UNKNOWN_PROVIDER', `provider '${id}' does not exist`, 'provider')
        : notFound('Provider');
    }

    return row;
  }

  private async rate(id: string): Promise<RouteRateEntity> {
    const row = /^\d{1,18}$/.test(id) ? await this.dataSource.getRepository(RouteRateEntity).findOneBy({ id }) : null;
    if (!row) {
      throw notFound('Route');
    }

    return row;
  }

  private async insert<T extends object>(
    entity: new () => T,
    row: Partial<T>,
    code: string,
    message: string,
  ): Promise<Partial<T>> {
    try {
      const result = await this.dataSource.getRepository(entity).insert(row as never);
      const generated = result.identifiers[0] ?? {};
      await this.changed();

      return { ...row, ...generated };
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        throw new ApiError(409, code, message);
      }
      throw error;
    }
  }
}

const providerView = (p: ProviderEntity): ProviderView => ({
  id: p.id,
  kind: p.kind,
  name: p.name,
  active: p.active,
  createdAt: p.createdAt.toISOString(),
});

const numberView = (n: PhoneNumberEntity): NumberView => ({
  number: n.number,
  provider: n.providerId,
  country: n.country,
  type: n.type,
  capabilities: n.capabilities,
  monthlyCost: n.monthlyCost,
  segmentsPerSecond: n.segmentsPerSecond,
  active: n.active,
  accountId: n.accountId,
  createdAt: n.createdAt.toISOString(),
});

/** A rate's network: both codes or neither (a rate for a whole country's MCC would be every network of it). */
function networkOf(body: Record<string, unknown>): { mcc: string; mnc: string } {
  const mcc = optional(body, 'mcc', MCC);
  const mnc = optional(body, 'mnc', MNC);
  if ((mcc === undefined) !== (mnc === undefined)) {
    throw unprocessable('INVALID_NETWORK', 'mcc and mnc go together: give both or neither', mcc ? 'mnc' : 'mcc');
  }

  return { mcc: mcc ?? '', mnc: mnc ?? '' };
}

/** A rule's fields from a PUT body (country or network): absent fields take the defaults. */
function ruleFields(input: unknown): Omit<CountryRuleEntity, 'country' | 'updatedAt'> {
  const body = readBody(input, ['allowedSenderTypes', 'senderIdPolicy', 'localNumberRequired', 'blocked']);

  return {
    allowedSenderTypes: (optional(body, 'allowedSenderTypes', SENDER_TYPE_LIST) ?? []) as SenderType[],
    senderIdPolicy: (optional(body, 'senderIdPolicy', SENDER_ID_POLICY) ?? SENDER_ID_POLICIES[0]) as SenderIdPolicy,
    localNumberRequired: optional(body, 'localNumberRequired', BOOLEAN) ?? false,
    blocked: optional(body, 'blocked', BOOLEAN) ?? false,
  };
}

/** A network in a path: MCC-MNC, as explain shows it (`234-30`). */
const NETWORK_PARAM = /^(\d{3})-(\d{2,3})$/;

/** The path's network, checked: its format, and that its MCC is one of the country's where that is known. */
function networkOfPath(value: string, country: string): { mcc: string; mnc: string } {
  const match = NETWORK_PARAM.exec(value);
  if (!match) {
    throw unprocessable(
      'INVALID_NETWORK',
      'network must be MCC-MNC: 3 digits, a dash, 2-3 digits, such as 234-30',
      'network',
    );
  }
  const [, mcc, mnc] = match as unknown as [string, string, string];
  if (!mccMayBelongTo(mcc, country)) {
    throw unprocessable('NETWORK_NOT_IN_COUNTRY', `MCC ${mcc} is not a mobile country code of ${country}`, 'network');
  }

  return { mcc, mnc };
}

const rateView = (r: RouteRateEntity): RateView => ({
  id: String(r.id),
  provider: r.providerId,
  country: r.country,
  prefix: r.prefix,
  mcc: r.mcc || null,
  mnc: r.mnc || null,
  price: r.price,
  currency: r.currency,
});

const ruleView = (r: CountryRuleEntity): CountryRuleView => ({
  country: r.country,
  allowedSenderTypes: r.allowedSenderTypes,
  senderIdPolicy: r.senderIdPolicy,
  localNumberRequired: r.localNumberRequired,
  blocked: r.blocked,
  updatedAt: r.updatedAt.toISOString(),
});

const networkRuleView = (r: NetworkRuleEntity): NetworkRuleView => ({
  ...ruleView(r),
  network: `${r.mcc}-${r.mnc}`,
  mcc: r.mcc,
  mnc: r.mnc,
});

/**
 * Numbers the masking service may hand out as proxy numbers: active, flagged `masking`, of an active
 * provider, optionally in one country. (Masking numbers are never picked for ordinary routing.)
 */
export async function listMaskingNumbers(dataSource: DataSource, country?: string): Promise<PhoneNumberEntity[]> {
  const rows = await dataSource
    .getRepository(PhoneNumberEntity)
    .createQueryBuilder('n')
    .innerJoin(ProviderEntity, 'p', 'p.id = n.provider_id AND p.active = :active', { active: true })
    .where('n.active = :active', { active: true })
    // A closed set of words, none containing another, so a substring match is exact (and portable
    // between MySQL and SQLite, which disagree on string concatenation).
    .andWhere('n.capabilities LIKE :flag', { flag: '%masking%' })
    .andWhere(country ? 'n.country = :country' : '1 = 1', { country })
    .orderBy('n.number', 'ASC')
    .getMany();

  return rows;
}
