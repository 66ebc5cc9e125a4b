import { randomUUID } from 'node:crypto';
import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import type { DataSource, Repository } from 'typeorm';
import { AccountEntity } from './account.entity';

export interface AccountView {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  /** Sends replace GSM-7 look-alikes unless the request says otherwise (docs/api.md "Smart encoding"). */
  readonly smartEncoding: boolean;
  /** The region its messages are kept in; null: by the recipient's country (docs/regions.md). */
  readonly dataResidency: string | null;
}

/** What every send reads of its account, cached: one query for both. */
interface SendSettings {
  readonly smartEncoding: boolean;
  readonly dataResidency: string | null;
  readonly until: number;
}

/** The name the default account gets where nothing named it (fresh embedded data folder, migration). */
export const DEFAULT_ACCOUNT_NAME = 'default';

/**
 * How long "no such account" is believed. Accounts are never deleted, so a known account is cached for
 * good; an unknown one is asked again soon, since another process may have just created it.
 */
const MISSING_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 10_000;
/**
 * How long an account's settings are believed at send time: every send reads them, so they are cached;
 * a change reaches this process at once and other replicas within this long.
 */
const SETTINGS_TTL_MS = 5_000;

/** The `accounts` table of the auth slice. */
export class AccountService {
  private readonly repository: Repository<AccountEntity>;
  private readonly known = new Set<string>();
  private readonly missing = new Map<string, number>();
  private readonly settings = new Map<string, SendSettings>();

  constructor(dataSource: DataSource) {
    this.repository = dataSource.getRepository(AccountEntity);
  }

  async create(name: string, id: string = randomUUID(), dataResidency: string | null = null): Promise<AccountView> {
    const entity = this.repository.create({ id, name, createdAt: new Date(), smartEncoding: false, dataResidency });
    await this.repository.insert(entity);
    this.missing.delete(id);

    return toView(entity);
  }

  async list(): Promise<AccountView[]> {
    return (await this.repository.find({ order: { createdAt: 'ASC', id: 'ASC' } })).map(toView);
  }

  async find(id: string): Promise<AccountView | null> {
    const entity = await this.repository.findOneBy({ id });

    return entity ? toView(entity) : null;
  }

  /** Changes the account's own settings; null when there is no such account. */
  async updateSettings(
    id: string,
    changes: { readonly smartEncoding?: boolean; readonly dataResidency?: string | null },
  ): Promise<AccountView | null> {
    if (changes.smartEncoding !== undefined || changes.dataResidency !== undefined) {
      await this.repository.update(
        { id },
        {
          ...(changes.smartEncoding === undefined ? {} : { smartEncoding: changes.smartEncoding }),
          ...(changes.dataResidency === undefined ? {} : { dataResidency: changes.dataResidency }),
        },
      );
    }
    this.settings.delete(id);

    return this.find(id);
  }

  /** The account's smart-encoding default, cached for SETTINGS_TTL_MS; false for an unknown account. */
  async smartEncodingDefault(id: string): Promise<boolean> {
    return (await this.sendSettings(id)).smartEncoding;
  }

  /** The account's data-residency region, cached with the smart-encoding default; null when none or unknown. */
  async dataResidencyOf(id: string): Promise<string | null> {
    return (await this.sendSettings(id)).dataResidency;
  }

  private async sendSettings(id: string): Promise<SendSettings> {
    const cached = this.settings.get(id);
    if (cached !== undefined && cached.until > Date.now()) {
      return cached;
    }
    const entity = await this.repository.findOne({
      where: { id },
      select: { id: true, smartEncoding: true, dataResidency: true },
    });
    if (this.settings.size >= CACHE_MAX_ENTRIES) {
      this.settings.clear();
    }
    const settings = {
      smartEncoding: entity?.smartEncoding === true,
      dataResidency: entity?.dataResidency ?? null,
      until: Date.now() + SETTINGS_TTL_MS,
    };
    this.settings.set(id, settings);

    return settings;
  }

  /** True when the account exists; cached, for the bus consumers that check every record's account. */
  async exists(id: string): Promise<boolean> {
    if (this.known.has(id)) {
      return true;
    }
    const missingUntil = this.missing.get(id);
    if (missingUntil !== undefined && missingUntil > Date.now()) {
      return false;
    }
    const found = await this.repository.exists({ where: { id } });
    if (this.known.size >= CACHE_MAX_ENTRIES) {
      this.known.clear();
    }
    if (this.missing.size >= CACHE_MAX_ENTRIES) {
      this.missing.clear();
    }
    if (found) {
      this.known.add(id);
      this.missing.delete(id);
    } else {
      this.missing.set(id, Date.now() + MISSING_TTL_MS);
    }

    return found;
  }

  /**
   * Makes sure the default account exists: every key and message written before accounts existed
   * points at it. The MySQL migration inserts it too; the embedded mode has no migrations, so its boot
   * calls this. Idempotent, and safe when two processes race (the insert ignores a duplicate).
   */
  async ensureDefault(): Promise<void> {
    await this.repository
      .createQueryBuilder()
      .insert()
      .into(AccountEntity)
      .values({ id: DEFAULT_ACCOUNT_ID, name: DEFAULT_ACCOUNT_NAME, createdAt: new Date() })
      .orIgnore()
      .execute();
  }
}

const toView = (entity: AccountEntity): AccountView => ({
  id: entity.id,
  name: entity.name,
  createdAt: entity.createdAt.toISOString(),
  smartEncoding: entity.smartEncoding === true,
  dataResidency: entity.dataResidency ?? null,
});
