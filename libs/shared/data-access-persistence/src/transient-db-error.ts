/**
 * MySQL errors after which the whole transaction should simply be run again (the manual: "always be
 * prepared to re-issue a transaction" after a deadlock), and SQLite's busy error.
 */
const RETRYABLE_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY', 'SQLITE_LOCKED']);

/** Errors that mean the database is unreachable: the caller answers 503, a consumer retries. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'POOL_CLOSED',
  'POOL_ENQUEUELIMIT',
]);

const codeOf = (error: unknown): string | undefined => {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = candidate.code ?? candidate.driverError?.code;

  return typeof code === 'string' ? code : undefined;
};

export const isRetryableTransactionError = (error: unknown): boolean => RETRYABLE_CODES.has(codeOf(error) ?? '');

export const isDatabaseUnavailableError = (error: unknown): boolean => {
  const code = codeOf(error);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
    return true;
  }

  return error instanceof Error && /connection|pool is closed|queue limit/i.test(error.message) && code === undefined;
};

export const isDuplicateKeyError = (error: unknown): boolean => {
  const code = codeOf(error);

  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

/** Runs `work` and re-runs it on a deadlock or lock timeout, a few times with a short jittered pause. */
export async function withTransactionRetry<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isRetryableTransactionError(error)) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
    }
  }
}
