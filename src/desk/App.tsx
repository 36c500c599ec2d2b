import { useCallback, useEffect, useMemo, useState } from 'react';
import { Api, ApiError, clearToken, createApi, getToken, query, setToken, setUnauthenticatedHandler } from './api';
import { MeDocument } from './graphql/generated';
import { Viewer, label } from './operations';
import { SignIn } from './pages/SignIn';
import { Queue } from './pages/Queue';
import { Intake } from './pages/Intake';
import { CaseView } from './pages/CaseView';
import { Reports } from './pages/Reports';
import { SlaAlerts } from './SlaAlerts';

/** Hash routes keep the desk a set of static files: #/queue, #/new, #/case/<id>, #/reports. */
function useRoute(): [string, (to: string) => void] {
  const [hash, setHash] = useState(location.hash || '#/queue');
  useEffect(() => {
    const onChange = () => setHash(location.hash || '#/queue');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return [hash, (to) => (location.hash = to)];
}

export function App() {
  const [token, setTokenState] = useState<string | null>(getToken());
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [route, navigate] = useRoute();
  const api = useMemo<Api | null>(() => (token ? createApi(token) : null), [token]);
  useEffect(() => () => api?.dispose(), [api]);

  const signOut = useCallback((message: string | null = null) => {
    clearToken();
    setViewer(null);
    setTokenState(null);
    setNotice(message);
  }, []);
  useEffect(() => setUnauthenticatedHandler((message) => signOut(message)), [signOut]);

  useEffect(() => {
    if (!api) return;
    query(api, MeDocument, {})
      .then((data) => setViewer(data.me))
      .catch((error) => signOut(error instanceof ApiError ? error.problem.message : 'Sign-in failed.'));
  }, [api, signOut]);

  const signIn = (value: string) => {
    setToken(value);
    setNotice(null);
    setTokenState(value);
  };

  if (!token || !api) return <SignIn onSignIn={signIn} notice={notice} />;
  if (!viewer)
    return (
      <main className="loading" aria-busy="true">
        Signing in…
      </main>
    );

  const [, page, id] = route.split('/');
  const nav = [
    { href: '#/queue', text: 'Queue', active: page === 'queue' || page === 'case' },
    ...(viewer.roles.includes('AGENT') || viewer.roles.includes('DPO') ? [{ href: '#/new', text: 'New complaint', active: page === 'new' }] : []),
    ...(viewer.roles.some((r) => r !== 'AGENT') ? [{ href: '#/reports', text: 'Reports', active: page === 'reports' }] : []),
  ];
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ◆
          </span>{' '}
          Case desk
        </div>
        <div className="who" aria-label="Signed in">
          <span className="tenant" title="Tenant">
            Tenant <strong>{viewer.tenantId}</strong>
          </span>
          <span className="user">{viewer.user.name}</span>
          {viewer.roles.map((r) => (
            <span key={r} className="chip role">
              {label(r)}
            </span>
          ))}
          <button type="button" className="ghost" onClick={() => signOut(null)}>
            Sign out
          </button>
        </div>
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {nav.map((n) => (
            <li key={n.href}>
              <a href={n.href} aria-current={n.active ? 'page' : undefined}>
                {n.text}
              </a>
            </li>
          ))}
          <li>
            <a href="/graphql">GraphQL IDE</a>
          </li>
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <SlaAlerts api={api} />
        {page === 'new' ? (
          <Intake api={api} viewer={viewer} onFiled={(cid) => navigate(`#/case/${cid}`)} />
        ) : page === 'case' && id ? (
          <CaseView key={id} api={api} viewer={viewer} id={id} />
        ) : page === 'reports' ? (
          <Reports api={api} viewer={viewer} />
        ) : (
          <Queue api={api} viewer={viewer} />
        )}
      </main>
    </div>
  );
}
