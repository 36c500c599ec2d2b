import { FormEvent, useEffect, useState } from 'react';
import { label } from '../operations';

interface DemoToken {
  role: string;
  sub: string;
  token: string;
}

/** Sign-in by pasting a bearer token; in development also a picker of the demo users. */
export function SignIn({ onSignIn, notice }: { onSignIn: (token: string) => void; notice: string | null }) {
  const [value, setValue] = useState('');
  const [demo, setDemo] = useState<DemoToken[]>([]);
  useEffect(() => {
    fetch('/desk/demo-tokens')
      .then((res) => (res.ok ? res.json() : []))
      .then((list: DemoToken[]) => setDemo(list))
      .catch(() => setDemo([]));
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const token = value.trim().replace(/^Bearer\s+/i, '');
    if (token) onSignIn(token);
  };
  return (
    <main className="signin">
      <div className="card">
        <h1>
          <span className="logo" aria-hidden="true">
            ◆
          </span>{' '}
          Case desk
        </h1>
        <p className="muted">Privacy complaints and disputes. Sign in with your bearer token.</p>
        {notice && (
          <p className="error" role="alert">
            {notice}
          </p>
        )}
        <form onSubmit={submit}>
          <label htmlFor="token">Bearer token</label>
          <textarea id="token" rows={4} value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" spellCheck={false} />
          <button type="submit" disabled={!value.trim()}>
            Sign in
          </button>
        </form>
        {demo.length > 0 && (
          <section aria-labelledby="demo-title" className="demo">
            <h2 id="demo-title">
              Demo users <span className="chip">development</span>
            </h2>
            <ul>
              {demo.map((d) => (
                <li key={d.sub}>
                  <button type="button" className="secondary" onClick={() => onSignIn(d.token)}>
                    Sign in as {label(d.role)} <span className="muted">({d.sub})</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
    </main>
  );
}
