/**
 * The number directory: which account owns each pool number that belongs to an account other than the
 * default one. The router owns the numbers and publishes it into the KeyValueStore at boot, whenever a
 * number changes and periodically; intake reads it to file an inbound message under the account of the
 * number it was sent to. A number left out (most of a shared pool) belongs to DEFAULT_ACCOUNT_ID.
 */
export interface NumberOwners {
  /** Number as the pool stores it (E.164, or short code digits) → account id. */
  readonly owners: Readonly<Record<string, string>>;
  readonly publishedAt: string;
}

/** Where the directory lives; `namespace` keeps deployments sharing one Redis apart (REDIS_KEY_PREFIX). */
export const numberOwnersKey = (namespace: string): string => `${namespace}number-owners:v1`;

/** Republished well within this, so it only lapses when no router has run for a week. */
export const NUMBER_OWNERS_TTL_MS = 7 * 24 * 3600 * 1000;

/** Parses a stored directory; null when it is not one (never trusted blindly: another process wrote it). */
export function parseNumberOwners(text: string | null): NumberOwners | null {
  if (text === null) {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<NumberOwners>;
    const owners = value.owners;
    if (typeof owners !== 'object' || owners === null || Array.isArray(owners)) {
      return null;
    }
    if (!Object.values(owners).every((account) => typeof account === 'string' && account.length > 0)) {
      return null;
    }

    return { owners, publishedAt: String(value.publishedAt ?? '') };
  } catch {
    return null;
  }
}
