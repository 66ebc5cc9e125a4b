import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServiceDataSource, type DatabaseConfig } from '@sms/persistence';
import { IsNull, type DataSource, type Repository } from 'typeorm';
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

  async create(
    name: string,
    scopes: readonly ApiScope[],
    key: string = generateApiKey(),
  ): Promise<{ key: string; view: ApiKeyView }> {
    const entity = this.repository.create({
      id: randomUUID(),
      keyHash: hashApiKey(key),
      prefix: key.slice(0, 12),
      name,
      scopes: [...new Set(scopes)].join(','),
      createdAt: new Date(),
      revokedAt: null,
    });
    await this.repository.insert(entity);

    return { key, view: toView(entity) };
  }

  /** Installs a known key (the embedded mode's configured key) unless it already exists. */
  async ensure(name: string, key: string, scopes: readonly ApiScope[]): Promise<void> {
    const existing = await this.repository.findOneBy({ keyHash: hashApiKey(key) });
    if (!existing) {
      await this.create(name, scopes, key);
    }
  }

  async list(): Promise<ApiKeyView[]> {
    return (await this.repository.find({ order: { createdAt: 'ASC' } })).map(toView);
  }

  /** True when a live key was revoked now. */
  async revoke(id: string): Promise<boolean> {
    const result = await this.repository.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
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
  name: entity.name,
  prefix: entity.prefix,
  scopes: entity.scopes.split(',') as ApiScope[],
  createdAt: entity.createdAt.toISOString(),
  revokedAt: entity.revokedAt ? entity.revokedAt.toISOString() : null,
});

/**
 * The key store outside a running service (CLI, test and bench set-up): opens the auth slice of a
 * database on one connection. Call `close()` when done.
 */
export async function openApiKeyService(
  database: DatabaseConfig,
): Promise<{ readonly keys: ApiKeyService; close(): Promise<void> }> {
  const dataSource = await createServiceDataSource({
    service: 'auth',
    database: database.kind === 'mysql' ? { ...database, poolSize: 1 } : database,
    entities: [ApiKeyEntity],
    migrations: [],
  }).initialize();

  return { keys: new ApiKeyService(dataSource), close: () => dataSource.destroy() };
}
