import { MessageClass } from '@sms/contracts';
import { dbValue, isMysql, type SqlRunner } from '@sms/persistence';
import { unprocessable } from '@sms/platform';
import type { DataSource } from 'typeorm';

/** An overdue re-send policy as stored and shown: whether it is on, and for which message classes. */
export interface ResendPolicy {
  readonly enabled: boolean;
  readonly classes: readonly MessageClass[];
}

/** Who decided the policy in force for an account: its own row, the operator's default, or the environment. */
export type ResendPolicySource = 'account' | 'operator' | 'env';

export interface EffectiveResendPolicy extends ResendPolicy {
  readonly source: ResendPolicySource;
}

/** The scope of the operator's default row: account ids are UUIDs, so it never names an account. */
export const OPERATOR_SCOPE = '*';

const CLASSES: ReadonlySet<string> = new Set(Object.values(MessageClass));
const FIELDS: ReadonlySet<string> = new Set(['enabled', 'classes']);

/** The classes a policy re-sends: none when it is off. */
export const resentClasses = (policy: ResendPolicy): readonly MessageClass[] => (policy.enabled ? policy.classes : []);

/** RESEND_ON_RECEIPT_TIMEOUT as a policy (the boot default): on when it names a class. */
export function envResendPolicy(classes: readonly string[]): ResendPolicy {
  const known = [...new Set(classes)].filter((value): value is MessageClass => CLASSES.has(value));

  return { enabled: known.length > 0, classes: known };
}

/**
 * A PUT body (`{ enabled, classes }`, both required: a PUT is the whole policy). 422 with a stable code and
 * the field: INVALID_REQUEST (not an object), UNKNOWN_FIELD, INVALID_ENABLED, INVALID_MESSAGE_CLASS, and
 * RESEND_CLASSES_REQUIRED for a policy turned on for no class (it would re-send nothing, which is `false`).
 */
export function parseResendPolicy(input: unknown): ResendPolicy {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw unprocessable('INVALID_REQUEST', 'Request body must be a JSON object');
  }
  const body = input as Record<string, unknown>;
  for (const field of Object.keys(body)) {
    if (!FIELDS.has(field)) {
      throw unprocessable('UNKNOWN_FIELD', `Unknown field '${field.slice(0, 64)}'`, field.slice(0, 64));
    }
  }
  if (typeof body['enabled'] !== 'boolean') {
    throw unprocessable('INVALID_ENABLED', 'enabled must be true or false', 'enabled');
  }
  const classes = body['classes'];
  if (!Array.isArray(classes) || classes.length > CLASSES.size * 2) {
    throw unprocessable('INVALID_MESSAGE_CLASS', `classes must be a list of ${[...CLASSES].join(', ')}`, 'classes');
  }
  for (const [index, value] of classes.entries()) {
    if (typeof value !== 'string' || !CLASSES.has(value)) {
      throw unprocessable(
        'INVALID_MESSAGE_CLASS',
        `classes[${index}] must be one of ${[...CLASSES].join(', ')}`,
        `classes[${index}]`,
      );
    }
  }
  const unique = [...new Set(classes as MessageClass[])];
  if (body['enabled'] && unique.length === 0) {
    throw unprocessable('RESEND_CLASSES_REQUIRED', 'An enabled re-send policy names at least one class', 'classes');
  }

  return { enabled: body['enabled'], classes: unique };
}

interface PolicyRow {
  scope: string;
  enabled: number | boolean | string;
  classes: string;
}

const CACHE_MS = 5_000;
const CACHE_MAX_ENTRIES = 10_000;

/**
 * The `resend_policies` table (intake's): the operator's default and accounts' own policies, resolved
 * account > operator default > RESEND_ON_RECEIPT_TIMEOUT. The status applier asks once per overdue receipt
 * that may re-send, inside its batch transaction, so a miss reads through that transaction's runner; answers
 * are cached per replica for a few seconds (a change through this replica drops them at once, other replicas
 * and the consumer-only intake see it within the cache time: no restart in either mode).
 */
export class ResendPolicyStore {
  private readonly cache = new Map<string, { value: ResendPolicy | null; expiresAt: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly envDefault: ResendPolicy,
    private readonly now: () => number = Date.now,
    private readonly cacheMs: number = CACHE_MS,
  ) {}

  /** The policy in force for an account, and who set it. */
  async effective(accountId: string | null, sql?: SqlRunner): Promise<EffectiveResendPolicy> {
    const own = accountId ? await this.stored(accountId, sql) : null;
    if (own) {
      return { ...own, source: 'account' };
    }
    const operator = await this.stored(OPERATOR_SCOPE, sql);

    return operator ? { ...operator, source: 'operator' } : { ...this.envDefault, source: 'env' };
  }

  /** The classes an overdue receipt re-sends for this account (the status applier's question). */
  async classesFor(accountId: string | null, sql?: SqlRunner): Promise<readonly MessageClass[]> {
    return resentClasses(await this.effective(accountId, sql));
  }

  /** A scope's own row (the operator's default, or an account's override), null when it has none. */
  async stored(scope: string, sql?: SqlRunner): Promise<ResendPolicy | null> {
    const cached = this.cache.get(scope);
    if (cached && cached.expiresAt > this.now()) {
      return cached.value;
    }
    const query = 'SELECT scope, enabled, classes FROM resend_policies WHERE scope = ?';
    const rows = sql
      ? await sql.query<PolicyRow>(query, [scope])
      : await this.dataSource.query<PolicyRow[]>(query, [scope]);
    const row = rows[0];
    const value = row ? toPolicy(row) : null;
    if (this.cacheMs > 0) {
      if (this.cache.size >= CACHE_MAX_ENTRIES) {
        this.cache.clear();
      }
      this.cache.set(scope, { value, expiresAt: this.now() + this.cacheMs });
    }

    return value;
  }

  async put(scope: string, policy: ResendPolicy): Promise<void> {
    const values = [scope, policy.enabled, policy.classes.join(','), new Date(this.now())].map((value) =>
      dbValue(this.dataSource, value),
    );
    await this.dataSource.query(
      isMysql(this.dataSource)
        ? `INSERT INTO resend_policies (scope, enabled, classes, updated_at) VALUES (?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE enabled = VALUES(enabled), classes = VALUES(classes), updated_at = VALUES(updated_at)`
        : `INSERT INTO resend_policies (scope, enabled, classes, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (scope) DO UPDATE SET enabled = excluded.enabled, classes = excluded.classes,
           updated_at = excluded.updated_at`,
      values,
    );
    this.cache.delete(scope);
  }

  /** True when the scope had a row of its own (the next scope decides now). */
  async remove(scope: string): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from('resend_policies')
      .where('scope = :scope', { scope })
      .execute();
    this.cache.delete(scope);

    return (result.affected ?? 0) > 0;
  }
}

function toPolicy(row: PolicyRow): ResendPolicy {
  const enabled = row.enabled === true || Number(row.enabled) === 1;
  const classes = row.classes.split(',').filter((value): value is MessageClass => CLASSES.has(value));

  return { enabled, classes };
}
