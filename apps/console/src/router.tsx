import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';

/** The console lives under /console/; every in-app path below is relative to it ("/messages/01a2…"). */
export const BASE = '/console';

interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

interface RouterValue extends Location {
  navigate(to: string, options?: { replace?: boolean }): void;
}

const RouterContext = createContext<RouterValue | null>(null);

function current(): Location {
  const raw = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : '/';

  return { path: raw === '' ? '/' : raw, query: new URLSearchParams(window.location.search) };
}

/** A small history router: real URLs (deep links work, the server answers index.html), back/forward kept. */
export function Router({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const onPop = (): void => setLocation(current());
    window.addEventListener('popstate', onPop);

    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string, options?: { replace?: boolean }) => {
    const url = `${BASE}${to}`;
    if (options?.replace) {
      window.history.replaceState(null, '', url);
    } else {
      window.history.pushState(null, '', url);
    }
    setLocation(current());
  }, []);
  const value = useMemo(() => ({ ...location, navigate }), [location, navigate]);

  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  const value = useContext(RouterContext);
  if (!value) {
    throw new Error('useRouter outside <Router>');
  }

  return value;
}

/** An in-app link: a real <a href> (open in a new tab works) that navigates without a reload on a plain click. */
export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const { navigate, path } = useRouter();
  const active = to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`);

  return (
    <a
      href={`${BASE}${to}`}
      className={className}
      aria-current={active ? 'page' : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
          return;
        }
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
