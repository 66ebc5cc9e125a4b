import { decimalToMicros, microsToDecimal } from '@sms/counters';
import type { DataSource, Repository } from 'typeorm';
import { AccountLimitsEntity } from '../database/entities/account-limits.entity';
import type { AccountLimits, KeyLimits, NumberTypeName } from './limit-policy';

/** An account's limits as admission uses them. */
export interface AccountLimitSet {
  readonly account: AccountLimits;
  /** False when the account has no row and `account` is the configured defaults. */
  readonly stored: boolean;
  readonly keys: ReadonlyMap<string, KeyLimits>;
}

const CACHE_MAX_ENTRIES = 10_000;
const ACCOUNT_ROW = '';

/**
 * The `account_limits` table, read through a per-replica cache of LIMITS_CACHE_MS (one indexed read per
 * account per window instead of one per message). A change through this replica drops its entry at
 * once; other replicas see it within the cache time.
 */
export class LimitsStore {
  private readonly repository: Repository<AccountLimitsEntity>;
  private readonly cache = new Map<string, { value: AccountLimitSet; expiresAt: number }>();

  constructor(
    dataSource: DataSource,
    private readonly defaults: AccountLimits,
    private readonly cacheMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.repository = dataSource.getRepository(AccountLimitsEntity);
  }

  get defaultLimits(): AccountLimits {
    return this.defaults;
  }

  async forAccount(accountId: string): Promise<AccountLimitSet> {
    const cached = this.cache.get(accountId);
    if (cached && cached.expiresAt > this.now()) {
      return cached.value;
    }
    const rows = await this.repository.findBy({ accountId });
    const own = rows.find((row) => row.keyId === ACCOUNT_ROW);
    const value: AccountLimitSet = {
      account: own ? toAccountLimits(own, this.defaults) : this.defaults,
      stored: own !== undefined,
      keys: new Map(rows.filter((row) => row.keyId !== ACCOUNT_ROW).map((row) => [row.keyId, toKeyLimits(row)])),
    };
    if (this.cacheMs > 0) {
      if (this.cache.size >= CACHE_MAX_ENTRIES) {
        this.cache.clear();
      }
      this.cache.set(accountId, { value, expiresAt: this.now() + this.cacheMs });
    }

    return value;
  }

  async putAccount(accountId: string, limits: AccountLimits): Promise<void> {
    await this.repository.save(toRow(accountId, ACCOUNT_ROW, limits, new Date(this.now())));
    this.cache.delete(accountId);
  }

  /** True when the account had limits of its own (it has the defaults now). */
  async deleteAccount(accountId: string): Promise<boolean> {
    const result = await this.repository.delete({ accountId, keyId: ACCOUNT_ROW });
    this.cache.delete(accountId);

    return (result.affected ?? 0) > 0;
  }

  async putKey(accountId: string, keyId: string, limits: KeyLimits): Promise<void> {
    await this.repository.save(toRow(accountId, keyId, limits, new Date(this.now())));
    this.cache.delete(accountId);
  }

  async deleteKey(accountId: string, keyId: string): Promise<boolean> {
    const result = await this.repository.delete({ accountId, keyId });
    this.cache.delete(accountId);

    return (result.affected ?? 0) > 0;
  }
}

function toRow(
  accountId: string,
  keyId: string,
  limits: AccountLimits | KeyLimits,
  updatedAt: Date,
): AccountLimitsEntity {
  const money = (micros: number | null): string | null => (micros === null ? null : microsToDecimal(micros));
  const list = (values: '*' | readonly string[] | null): string | null =>
    values === null ? null : values === '*' ? '*' : values.join(',');

  return {
    accountId,
    keyId,
    messagesPerSecond: limits.messagesPerSecond,
    messagesPerDay: limits.messagesPerDay,
    segmentsPerDay: limits.segmentsPerDay,
    spendPerDay: money(limits.spendPerDayMicros),
    spendPerMonth: money(limits.spendPerMonthMicros),
    allowedCountries: list(limits.allowedCountries),
    blockedCountries: list(limits.blockedCountries),
    numberTypes: list(limits.numberTypes),
    updatedAt,
  };
}

const split = (text: string): string[] => text.split(',').filter((value) => value !== '');
const micros = (text: string | null): number | null => (text === null ? null : decimalToMicros(text));
const allowList = (text: string | null): '*' | string[] | null =>
  text === null ? null : text === '*' ? '*' : split(text);

function toKeyLimits(row: AccountLimitsEntity): KeyLimits {
  return {
    messagesPerSecond: row.messagesPerSecond,
    messagesPerDay: row.messagesPerDay,
    segmentsPerDay: row.segmentsPerDay,
    spendPerDayMicros: micros(row.spendPerDay),
    spendPerMonthMicros: micros(row.spendPerMonth),
    allowedCountries: allowList(row.allowedCountries),
    blockedCountries: row.blockedCountries === null ? null : split(row.blockedCountries),
    numberTypes: row.numberTypes === null ? null : (split(row.numberTypes) as NumberTypeName[]),
  };
}

/** An account row always has its lists; a null one (written by hand) falls back to the default. */
function toAccountLimits(row: AccountLimitsEntity, defaults: AccountLimits): AccountLimits {
  const key = toKeyLimits(row);

  return {
    ...key,
    allowedCountries: key.allowedCountries ?? defaults.allowedCountries,
    blockedCountries: key.blockedCountries ?? defaults.blockedCountries,
    numberTypes: key.numberTypes ?? defaults.numberTypes,
  };
}
