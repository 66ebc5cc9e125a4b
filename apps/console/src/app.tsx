import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { Scope } from './api/client';
import { simulatorApi } from './api/simulator';
import { ApiKeysPage } from './pages/api-keys';
import { ExplainPage } from './pages/explain';
import { HealthPage } from './pages/health';
import { InboundPage } from './pages/inbound';
import { LimitsPage } from './pages/limits';
import { MasksPage } from './pages/masks';
import { MessagePage } from './pages/message';
import { MessagesPage } from './pages/messages';
import { OptOutsPage } from './pages/opt-outs';
import { OverviewPage } from './pages/overview';
import { RoutingPage } from './pages/routing';
import { SignInPage } from './pages/sign-in';
import { SimulatorPage } from './pages/simulator';
import { WebhooksPage } from './pages/webhooks';
import { Link, Router, useRouter } from './router';
import { SessionProvider, useSession, useSessionState } from './session';
import { Loading } from './ui/components';

interface NavItem {
  readonly to: string;
  readonly label: string;
  /** Shown only to a key holding one of these (empty: every key). */
  readonly scopes: readonly Scope[];
  readonly embeddedOnly?: boolean;
}

const NAV: readonly NavItem[] = [
  { to: '/', label: 'Overview', scopes: ['read'] },
  { to: '/messages', label: 'Messages', scopes: ['read'] },
  { to: '/inbound', label: 'Inbound', scopes: ['read'] },
  { to: '/routing', label: 'Routing', scopes: ['operator'] },
  { to: '/explain', label: 'Explain a route', scopes: ['read', 'send'] },
  { to: '/health', label: 'Provider health', scopes: ['read', 'operator'] },
  { to: '/opt-outs', label: 'Opt-outs', scopes: ['read'] },
  { to: '/masks', label: 'Masks', scopes: ['read', 'send'] },
  { to: '/api-keys', label: 'API keys', scopes: ['admin'] },
  { to: '/webhooks', label: 'Webhooks', scopes: ['admin'] },
  { to: '/limits', label: 'Quotas and spend', scopes: ['admin', 'operator'] },
  { to: '/simulator', label: 'Simulator', scopes: ['admin'], embeddedOnly: true },
];

export function App() {
  return (
    <Router>
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </Router>
  );
}

function Shell() {
  const { session, restoring } = useSessionState();
  if (restoring) {
    return (
      <main id="main">
        <Loading what="your session" />
      </main>
    );
  }

  return session ? <SignedIn /> : <SignInPage />;
}

/** Whether the embedded simulator answers (the distributed mode has none): decides the Simulator entry. */
function useSimulatorPresent(key: string, allowed: boolean): boolean {
  const [present, setPresent] = useState(false);
  useEffect(() => {
    if (!allowed) {
      return;
    }
    simulatorApi(key)
      .knobs()
      .then(
        () => setPresent(true),
        () => setPresent(false),
      );
  }, [key, allowed]);

  return present;
}

function SignedIn() {
  const session = useSession();
  const { path } = useRouter();
  const simulator = useSimulatorPresent(session.key, session.can('admin'));
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const visible = NAV.filter(
    (item) =>
      (item.scopes.length === 0 || item.scopes.some((scope) => session.can(scope))) &&
      (!item.embeddedOnly || simulator),
  );
  // A new page moves focus to its content, so keyboard and screen-reader users land on what changed.
  useEffect(() => {
    setMenuOpen(false);
    main.current?.focus();
  }, [path]);

  return (
    <div className="layout">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">SMS gateway</span>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="site-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <div className="who" aria-label="Signed in as">
          <span>
            {session.account.name} <span className="muted">({session.account.id})</span>
          </span>
          <span className="scopes" aria-label="Scopes of this key">
            {session.account.scopes.map((scope) => (
              <code key={scope}>{scope}</code>
            ))}
          </span>
          <button type="button" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="site-nav" className={menuOpen ? 'sidebar open' : 'sidebar'} aria-label="Console">
        <ul>
          {visible.map((item) => (
            <li key={item.to}>
              <Link to={item.to}>{item.label}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1} aria-labelledby="page-title">
        <Page path={path} simulator={simulator} />
      </main>
    </div>
  );
}

function Page({ path, simulator }: { path: string; simulator: boolean }): ReactNode {
  const message = /^\/messages\/([^/]+)$/.exec(path);
  if (message?.[1]) {
    return <MessagePage id={decodeURIComponent(message[1])} />;
  }
  switch (path) {
    case '/':
      return <OverviewPage />;
    case '/messages':
      return <MessagesPage />;
    case '/inbound':
      return <InboundPage />;
    case '/routing':
      return <RoutingPage />;
    case '/explain':
      return <ExplainPage />;
    case '/health':
      return <HealthPage />;
    case '/opt-outs':
      return <OptOutsPage />;
    case '/masks':
      return <MasksPage />;
    case '/api-keys':
      return <ApiKeysPage />;
    case '/webhooks':
      return <WebhooksPage />;
    case '/limits':
      return <LimitsPage />;
    case '/simulator':
      return simulator ? <SimulatorPage /> : <NotFound />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  return (
    <>
      <h1 id="page-title">Not found</h1>
      <p>
        No console page here. <Link to="/">Back to the overview</Link>.
      </p>
    </>
  );
}
