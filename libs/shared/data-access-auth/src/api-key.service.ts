import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { createServiceDataSource, type DatabaseConfig } from '@sms/persistence';
import { IsNull, type DataSource, type FindOptionsWhere, type Repository } from 'typeorm';
import { AccountEntity } from './account.entity';
import { AccountService } from './account.service';
import { ApiKeyEntity } from './api-key.entity';

export enum ApiScope {
  Send = 'send',
  Read = 'read',
  /** Everything within the key's own account: keys, limits it may lower, opt-outs, masks. */
  Admin = 'admin',
  /** The platform: providers, numbers, routes, accounts and their limits. Not implied by admin. */
  Operator = 'operator',
}

export const ALL_SCOPES: readonly ApiScope[] = [ApiScope.Send, ApiScope.Read, ApiScope.Admin, ApiScope.Operator];

/** Who is calling: the key, the account it belongs to (every read and write is scoped to it), its scopes. */
export interface ApiPrincipal {
  readonly keyId: string;
  readonly accountId: string;
  readonly scopes: ReadonlySet<ApiScope>;
}

export interface ApiKeyView {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly prefix: string;
  readonly scopes: ApiScope[];
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** How long a verified key is trusted without asking the database; revocation takes at most this long. */
const CACHE_TTL_MS = 10_000;
const CACHE_MAX_ENTRIES = 10_000;

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** Keys look like `smsgw_<32 base64url chars>`; the prefix makes a leaked key easy to grep for. */
export const generateApiKey = (): string => `smsgw_${randomBytes(24).toString('base64url')}`;

export class ApiKeyService {
  private readonly cache = new Map<string, { principal: ApiPrincipal | null; expiresAt: number }>();
  private readonly repository: Repository<ApiKeyEntity>;

  constructor(dataSource: DataSource) {
    this.repository = dataSource.getRepository(ApiKeyEntity);
  }

  /** A new key in `accountId` (the default account unless named); the caller checks the account exists. */
  async create(
    name: string,
    scopes: readonly ApiScope[],
    options: { readonly key?: string; readonly accountId?: string } = {},
  ): Promise<{ key: string; view: ApiKeyView }> {
    const key = options.key ?? generateApiKey();
    const entity = this.repository.create({
      id: randomUUID(),
      keyHash: hashApiKey(key),
      prefix: key.slice(0, 12),
      accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
      name,
      scopes: [...new Set(scopes)].join(','),
      createdAt: new Date(),
      revokedAt: null,
    });
    await this.repository.insert(entity);

    return { key, view: toView(entity) };
  }

  /**
   * Installs a known key (the embedded mode's configured key) unless it already exists; an existing
   * one gains the scopes it lacks, so a data folder from before the `operator` scope still gets a key
   * that holds every scope. A revoked key stays revoked.
   */
  async ensure(
    name: string,
    key: string,
    scopes: readonly ApiScope[],
    accountId: string = DEFAULT_ACCOUNT_ID,
  ): Promise<void> {
    const existing = await this.repository.findOneBy({ keyHash: hashApiKey(key) });
    if (!existing) {
      await this.create(name, scopes, { key, accountId });

      return;
    }
    const held = new Set(existing.scopes.split(','));
    if (scopes.some((scope) => !held.has(scope))) {
      await this.repository.update({ id: existing.id }, { scopes: [...new Set([...held, ...scopes])].join(',') });
      this.cache.clear();
    }
  }

  /** The keys of one account, or of every account when `accountId` is null (the operator's view). */
  async list(accountId: string | null): Promise<ApiKeyView[]> {
    const where: FindOptionsWhere<ApiKeyEntity> = accountId === null ? {} : { accountId };

    return (await this.repository.find({ where, order: { createdAt: 'ASC', id: 'ASC' } })).map(toView);
  }

  /** A key by id, within one account (null: any account); null when absent or in another account. */
  async find(id: string, accountId: string | null): Promise<ApiKeyView | null> {
    const entity = await this.repository.findOneBy(accountId === null ? { id } : { id, accountId });

    return entity ? toView(entity) : null;
  }

  /**
   * True when a live key was revoked now. Within `accountId` only (null: any account), so a key of
   * another account is "not found", exactly like an absent one.
   */
  async revoke(id: string, accountId: string | null = null): Promise<boolean> {
    const where: FindOptionsWhere<ApiKeyEntity> = {
      id,
      revokedAt: IsNull(),
      ...(accountId === null ? {} : { accountId }),
    };
    const result = await this.repository.update(where, { revokedAt: new Date() });
    this.cache.clear();

    return (result.affected ?? 0) > 0;
  }

  /** The principal of a presented key, or null for unknown and revoked keys alike. */
  async verify(presented: string): Promise<ApiPrincipal | null> {
    if (presented.length < 10 || presented.length > 200) {
      return null;
    }
    const hash = hashApiKey(presented);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > now) {
      return cached.principal;
    }
    // The lookup is by the hash's unique index, so the comparison itself leaks nothing about the key.
    const entity = await this.repository.findOneBy({ keyHash: hash });
    const principal =
      entity && entity.revokedAt === null
        ? { keyId: entity.id, accountId: entity.accountId, scopes: new Set(entity.scopes.split(',') as ApiScope[]) }
        : null;
    if (this.cache.size >= CACHE_MAX_ENTRIES) {
      this.cache.clear();
    }
    this.cache.set(hash, { principal, expiresAt: now + CACHE_TTL_MS });

    return principal;
  }
}

const toView = (entity: ApiKeyEntity): ApiKeyView => ({
  id: entity.id,
  accountId: entity.accountId,
  name: entity.name,
  prefix: entity.prefix,
  scopes: entity.scopes.split(',') as ApiScope[],
  createdAt: entity.createdAt.toISOString(),
  revokedAt: entity.revokedAt ? entity.revokedAt.toISOString() : null,
});

/**
 * The key and account store outside a running service (CLI, test and bench set-up): opens the auth
 * slice of a database on one connection (MySQL: migrated already; SQLite: the schema follows the
 * entities, and the default account is made sure of, as the embedded boot does). Call `close()` when done.
 */
export async function openApiKeyService(database: DatabaseConfig): Promise<{
  readonly keys: ApiKeyService;
  readonly accounts: AccountService;
  close(): Promise<void>;
}> {
  const dataSource = await createServiceDataSource({
    service: 'auth',
    database: database.kind === 'mysql' ? { ...database, poolSize: 1 } : database,
    entities: [ApiKeyEntity, AccountEntity],
    migrations: [],
  }).initialize();
  const accounts = new AccountService(dataSource);
  if (database.kind === 'sqlite') {
    await accounts.ensureDefault();
  }

  return { keys: new ApiKeyService(dataSource), accounts, close: () => dataSource.destroy() };
}
