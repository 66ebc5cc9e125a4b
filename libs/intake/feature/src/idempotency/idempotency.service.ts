import { createHash } from 'node:crypto';
import type { KeyValueStore } from '@sms/counters';
import { ApiError } from '@sms/platform';
import { LessThanOrEqual, type DataSource } from 'typeorm';
import { IdempotencyKeyEntity } from '../database/entities/idempotency-key.entity';

/** api.md: keys live 24 h. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long an in-flight marker may outlive a crashed request before the key can be used again. */
const IN_FLIGHT_TTL_MS = 30_000;
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

export type IdempotencyClaim =
  | { readonly kind: 'claimed'; readonly scopeKey: string; readonly fingerprint: string }
  | { readonly kind: 'replay'; readonly response: StoredResponse };

/**
 * `Idempotency-Key` exactly as api.md says: the same key and body within 24 h returns the first
 * response; another body is 422 IDEMPOTENCY_KEY_REUSED; a retry while the first is in flight is 409.
 * The key-value store holds the in-flight marker and a cache; the ledger database holds the durable
 * record, written in the same transaction as the message. Failed requests store nothing, so they can
 * be retried with the same key.
 */
export class IdempotencyService {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly dataSource: DataSource,
  ) {}

  static validateKey(key: string): void {
    if (!KEY_PATTERN.test(key)) {
      throw new ApiError(400, 'INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1-255 printable ASCII characters');
    }
  }

  static fingerprint(body: unknown): string {
    return createHash('sha256').update(stableStringify(body)).digest('hex');
  }

  async claim(callerId: string, key: string, body: unknown): Promise<IdempotencyClaim> {
    IdempotencyService.validateKey(key);
    const scopeKey = `${callerId}:${key}`;
    const fingerprint = IdempotencyService.fingerprint(body);
    const kvKey = `idem:${scopeKey}`;
    for (let tries = 0; tries < 3; tries++) {
      const known = await this.lookup(kvKey, scopeKey);
      if (known) {
        return this.resolveKnown(known, fingerprint);
      }
      if (await this.kv.setIfAbsent(kvKey, `inflight:${fingerprint}`, IN_FLIGHT_TTL_MS)) {
        return { kind: 'claimed', scopeKey, fingerprint };
      }
    }
    throw conflict();
  }

  /** The request succeeded: cache its response (the durable copy was written with the message). */
  async complete(scopeKey: string, fingerprint: string, response: StoredResponse): Promise<void> {
    await this.kv.set(`idem:${scopeKey}`, `done:${fingerprint}:${JSON.stringify(response)}`, IDEMPOTENCY_TTL_MS);
  }

  /** The request failed: nothing was stored, the key is free again. */
  async release(scopeKey: string): Promise<void> {
    await this.kv.delete(`idem:${scopeKey}`);
  }

  private async lookup(kvKey: string, scopeKey: string): Promise<string | null> {
    const cached = await this.kv.get(kvKey);
    if (cached) {
      return cached;
    }
    const repository = this.dataSource.getRepository(IdempotencyKeyEntity);
    const row = await repository.findOneBy({ scopeKey });
    if (!row) {
      return null;
    }
    if (row.expiresAt.getTime() <= Date.now()) {
      // Past 24 h the key is free again: forget the old response so the new request can store its own.
      await repository.delete({ scopeKey, expiresAt: LessThanOrEqual(new Date()) });

      return null;
    }
    const value = `done:${row.fingerprint}:${row.response}`;
    await this.kv.set(kvKey, value, Math.max(row.expiresAt.getTime() - Date.now(), 1000));

    return value;
  }

  private resolveKnown(value: string, fingerprint: string): IdempotencyClaim {
    const [state, storedFingerprint] = value.split(':', 2);
    if (storedFingerprint !== fingerprint) {
      throw new ApiError(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used with a different request body',
        undefined,
      );
    }
    if (state === 'inflight') {
      throw conflict();
    }
    const response = JSON.parse(value.slice(`done:${fingerprint}:`.length)) as StoredResponse;

    return { kind: 'replay', response };
  }
}

export const conflict = (): ApiError =>
  new ApiError(
    409,
    'IDEMPOTENCY_KEY_IN_FLIGHT',
    'A request with this Idempotency-Key is still being processed',
    undefined,
    {
      'retry-after': '1',
    },
  );

/** JSON with sorted keys, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(stableStringify).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;

    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(record[k])}`)
      .join(',')}}`;
  }

  return JSON.stringify(value) ?? 'null';
}
