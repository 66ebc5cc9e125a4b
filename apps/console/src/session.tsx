import type { ApiClient } from '@sms/api-client';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, apiClientFor, type Schemas, type Scope, unwrap } from './api/client';

/** sessionStorage only: the key lives as long as the tab, never in localStorage or a cookie. */
const STORAGE_KEY = 'sms-console.api-key';

export interface Session {
  readonly key: string;
  readonly client: ApiClient;
  readonly account: Schemas['OwnAccountDto'];
  /** As the API decides: admin holds every scope but operator. */
  can(scope: Scope): boolean;
  signOut(): void;
}

interface SessionState {
  readonly session: Session | null;
  readonly restoring: boolean;
  signIn(key: string): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/** The account a key belongs to, and its scopes: GET /v1/account (any valid key). */
async function accountOf(key: string): Promise<Schemas['OwnAccountDto']> {
  return unwrap(apiClientFor(key).GET('/v1/account'));
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => sessionStorage.getItem(STORAGE_KEY) !== null);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    setSession(null);
  }, []);
  const open = useCallback(
    (key: string, account: Schemas['OwnAccountDto']): Session => {
      const scopes = new Set<Scope>(account.scopes);

      return {
        key,
        client: apiClientFor(key),
        account,
        can: (scope) => scopes.has(scope) || (scope !== 'operator' && scopes.has('admin')),
        signOut,
      };
    },
    [signOut],
  );
  const signIn = useCallback(
    async (key: string) => {
      const account = await accountOf(key.trim());
      sessionStorage.setItem(STORAGE_KEY, key.trim());
      setSession(open(key.trim(), account));
    },
    [open],
  );

  useEffect(() => {
    const stored = sessionStorage.getItem(STORAGE_KEY);
    if (stored === null) {
      return;
    }
    accountOf(stored)
      .then((account) => setSession(open(stored, account)))
      .catch((error: unknown) => {
        // A revoked key signs out; a gateway that is down keeps the key for the next try.
        if (error instanceof ApiError && error.status === 401) {
          sessionStorage.removeItem(STORAGE_KEY);
        }
      })
      .finally(() => setRestoring(false));
  }, [open]);

  const value = useMemo(() => ({ session, restoring, signIn }), [session, restoring, signIn]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionState {
  const value = useContext(SessionContext);
  if (!value) {
    throw new Error('useSessionState outside <SessionProvider>');
  }

  return value;
}

/** The signed-in session (pages render only inside one). */
export function useSession(): Session {
  const { session } = useSessionState();
  if (!session) {
    throw new Error('useSession without a signed-in session');
  }

  return session;
}
