import { FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { Api, ApiError, downloadWithBearer, mutate, query } from '../api';
import * as ops from '../operations';
import { Complaint, OUTCOMES, UserRef, Viewer, can, label, when } from '../operations';
import { StatusChip } from './Queue';

/** The case page: complainant as the role may see it, clocks and why they are due, actions, notes, live timeline. */
export function CaseView({ api, viewer, id }: { api: Api; viewer: Viewer; id: string }) {
  const [c, setC] = useState<Complaint | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [users, setUsers] = useState<UserRef[]>([]);
  const may = can(viewer.roles);

  const load = useCallback(async () => {
    try {
      const data = await query<{ complaint: Complaint | null }>(api, ops.COMPLAINT, { id });
      if (!data.complaint) setError('Not found: it may have been removed, or it belongs to another tenant.');
      setC(data.complaint);
    } catch (e) {
      setError(e instanceof ApiError ? e.problem.message : 'The case could not be loaded.');
    }
  }, [api, id]);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    if (!may.assignAnyone) return;
    query<{ users: UserRef[] }>(api, ops.USERS)
      .then((d) => setUsers(d.users))
      .catch(() => setUsers([]));
  }, [api, may.assignAnyone]);
  // The audit timeline follows the case live: every event on it reloads the page's data.
  useEffect(() => {
    const sub = api.client.subscription(ops.CASE_EVENTS, { id }).subscribe((r) => {
      if (r.data) void load();
    });
    return () => sub.unsubscribe();
  }, [api, id, load]);

  const act = async (done: string, document: string, variables: Record<string, unknown>) => {
    setError(null);
    try {
      await mutate(api, document, { id, v: c?.version, ...variables });
      setStatus(done);
      await load();
      return true;
    } catch (e) {
      setError(e instanceof ApiError ? e.problem.message : 'That did not work.');
      return false;
    }
  };

  if (!c)
    return error ? (
      <p className="error" role="alert">
        {error}
      </p>
    ) : (
      <p aria-busy="true">Loading…</p>
    );
  const open = c.status === 'OPEN' || c.status === 'AWAITING_COMPLAINANT';
  const events = [...c.auditTrail.edges.map((e) => e.node)].sort((a, b) => b.sequence - a.sequence);

  return (
    <article aria-labelledby="case-title" className="case">
      <div className="pagehead">
        <p className="crumbs">
          <a href="#/queue">Queue</a> / {c.reference}
        </p>
        <h1 id="case-title">
          {c.reference} <StatusChip status={c.status} /> <span className="chip stage">{label(c.stage)}</span>
        </h1>
        <p className="lead">{c.summary}</p>
      </div>
      <div role="status" aria-live="polite" className="status-line">
        {status}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}{' '}
          {error.includes('reload') && (
            <button
              type="button"
              className="secondary small"
              onClick={() => {
                setError(null);
                void load();
              }}
            >
              Reload
            </button>
          )}
        </p>
      )}
      <div className="grid">
        <div className="col">
          <section className="panel" aria-labelledby="h-details">
            <h2 id="h-details">Details</h2>
            <dl className="facts">
              <dt>Complainant</dt>
              <dd>{c.complainant.erasedAt ? <em>Erased {when(c.complainant.erasedAt)}</em> : (c.complainant.name ?? '—')}</dd>
              <dt>Email</dt>
              <dd>{c.complainant.email ?? '—'}</dd>
              <dt>Phone</dt>
              <dd>{c.complainant.phone ?? '—'}</dd>
              {c.complainant.involvesChildUnder13 && (
                <>
                  <dt>Child</dt>
                  <dd>
                    <span className="chip warn">Involves a child under 13</span>
                  </dd>
                </>
              )}
              <dt>Rights</dt>
              <dd>{c.rights.map(label).join(', ')}</dd>
              <dt>Regimes</dt>
              <dd>
                {c.regimes.join(', ')} · {c.jurisdiction}
              </dd>
              <dt>Context</dt>
              <dd>
                {label(c.dataContext)} · {label(c.processingRole)} · via {label(c.channel)}
              </dd>
              <dt>Received</dt>
              <dd>{when(c.receivedAt)}</dd>
              <dt>Acknowledged</dt>
              <dd>{when(c.acknowledgedAt)}</dd>
              <dt>Assignee</dt>
              <dd>{c.assignee?.name ?? 'Unassigned'}</dd>
              {c.regulatorReferral && (
                <>
                  <dt>Regulator</dt>
                  <dd>
                    {c.regulatorReferral.regulator} {c.regulatorReferral.reference}{' '}
                    {c.regulatorReferral.respondBy && `· respond by ${when(c.regulatorReferral.respondBy)}`}
                  </dd>
                </>
              )}
              {c.outcome && (
                <>
                  <dt>Outcome</dt>
                  <dd>
                    {label(c.outcome)} — {c.resolutionSummary}
                  </dd>
                </>
              )}
            </dl>
            <h3>Description</h3>
            <p className="prose">{c.description}</p>
          </section>

          <section className="panel" aria-labelledby="h-clocks">
            <h2 id="h-clocks">Clocks</h2>
            {c.slaTimers.length === 0 && <p className="muted">No clocks on this case.</p>}
            <ul className="clocks">
              {c.slaTimers.map((t) => (
                <li key={t.id} className={`clock ${t.status.toLowerCase()}`}>
                  <div className="clock-head">
                    <strong>{label(t.kind)}</strong>{' '}
                    <span className="muted">
                      {t.regime} · {label(t.stage)}
                    </span>
                    <span className={`chip timer-${t.status.toLowerCase()}`}>{label(t.status)}</span>
                    <span className="due">due {when(t.dueAt)}</span>
                  </div>
                  <details>
                    <summary>Why due then{t.policy ? ` (${t.policy.source})` : ''}</summary>
                    <ol className="steps">
                      {t.explanation.map((s, i) => (
                        <li key={i}>
                          <span className="chip step">{label(s.kind)}</span> {s.text}
                        </li>
                      ))}
                    </ol>
                  </details>
                </li>
              ))}
            </ul>
          </section>

          <Notes c={c} api={api} canWrite={may.work && c.status !== 'CLOSED'} onAdded={load} />
        </div>

        <div className="col side">
          {(may.work || may.evidence) && (
            <section className="panel" aria-labelledby="h-actions">
              <h2 id="h-actions">Actions</h2>
              {may.work && open && !c.acknowledgedAt && (
                <button type="button" onClick={() => act('Acknowledged', ops.ACKNOWLEDGE, {})}>
                  Acknowledge receipt
                </button>
              )}
              {may.work && open && <Assign c={c} viewer={viewer} users={users} onAssign={(to) => act('Assigned', ops.ASSIGN, { to })} />}
              {may.decide && open && c.availableEscalations.length > 0 && (
                <Escalate options={c.availableEscalations} onEscalate={(to, reason) => act(`Escalated to ${label(to)}`, ops.ESCALATE, { to, reason })} />
              )}
              {may.work && c.status === 'OPEN' && (
                <WithReason
                  title="Await complainant"
                  button="Await complainant"
                  onSubmit={(reason) => act('Awaiting the complainant', ops.AWAIT, { reason })}
                />
              )}
              {may.work && c.status === 'AWAITING_COMPLAINANT' && (
                <button type="button" onClick={() => act('Resumed', ops.RESUME, {})}>
                  Resume
                </button>
              )}
              {may.decide && open && <Resolve onResolve={(outcome, summary) => act('Resolved', ops.RESOLVE, { outcome, summary })} />}
              {may.decide && c.status === 'RESOLVED' && (
                <button type="button" onClick={() => act('Closed', ops.CLOSE, {})}>
                  Close case
                </button>
              )}
              {may.decide && (c.status === 'RESOLVED' || c.status === 'CLOSED') && (
                <WithReason title="Reopen" button="Reopen" onSubmit={(reason) => act('Reopened', ops.REOPEN, { reason })} />
              )}
              {may.evidence && <Evidence id={c.id} reference={c.reference} onError={setError} onDone={setStatus} />}
              {may.decide && !c.complainant.erasedAt && <Erase onErase={(reason) => act('Complainant data erased', ops.ERASE, { reason })} />}
            </section>
          )}
          <section className="panel" aria-labelledby="h-timeline">
            <h2 id="h-timeline">
              Timeline{' '}
              <span className="chip live" title="Updates live">
                live
              </span>
            </h2>
            <ol className="timeline" aria-live="polite">
              {events.map((e) => (
                <li key={e.id}>
                  <span className="seq">#{e.sequence}</span> <strong>{label(e.action)}</strong>
                  <div className="muted small">
                    {when(e.at)} · {e.actor?.name ?? 'System'}
                    {e.actorRole ? ` (${label(e.actorRole)})` : ''}
                  </div>
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </article>
  );
}

function Notes({ c, api, canWrite, onAdded }: { c: Complaint; api: Api; canWrite: boolean; onAdded: () => Promise<void> }) {
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await mutate(api, ops.ADD_NOTE, { id: c.id, body, internal });
      setBody('');
      setError(null);
      await onAdded();
    } catch (err) {
      setError(err instanceof ApiError ? (err.problem.fields.body ?? err.problem.message) : 'The note was not saved.');
    }
  };
  return (
    <section className="panel" aria-labelledby="h-notes">
      <h2 id="h-notes">Notes</h2>
      <ul className="notes">
        {c.notes.map((n) => (
          <li key={n.id}>
            <p className="prose">{n.body}</p>
            <div className="muted small">
              {n.author?.name ?? 'System'} · {when(n.createdAt)} {n.internal && <span className="chip">internal</span>}
            </div>
          </li>
        ))}
        {c.notes.length === 0 && <li className="muted">No notes yet.</li>}
      </ul>
      {canWrite && (
        <form onSubmit={submit} className="note-form">
          <label htmlFor="note-body">Add a note</label>
          <textarea id="note-body" rows={3} value={body} onChange={(e) => setBody(e.target.value)} />
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <label className="check">
            <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} /> Internal
          </label>
          <button type="submit" className="secondary" disabled={!body.trim()}>
            Add note
          </button>
        </form>
      )}
    </section>
  );
}

function Assign({ c, viewer, users, onAssign }: { c: Complaint; viewer: Viewer; users: UserRef[]; onAssign: (to: string) => Promise<boolean> }) {
  const [to, setTo] = useState(c.assignee?.id ?? '');
  if (!viewer.roles.includes('DPO')) {
    return c.assignee?.id === viewer.user.id ? null : (
      <button type="button" className="secondary" onClick={() => onAssign(viewer.user.id)}>
        Assign to me
      </button>
    );
  }
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (to) void onAssign(to);
      }}
    >
      <label htmlFor="assign-to">Assignee</label>
      <select id="assign-to" value={to} onChange={(e) => setTo(e.target.value)}>
        <option value="">Choose…</option>
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name}
          </option>
        ))}
      </select>
      <button type="submit" className="secondary" disabled={!to}>
        Assign
      </button>
    </form>
  );
}

function Escalate({ options, onEscalate }: { options: string[]; onEscalate: (to: string, reason: string) => Promise<boolean> }) {
  const [reason, setReason] = useState('');
  return (
    <fieldset className="escalate">
      <legend>Escalate</legend>
      <label htmlFor="escalate-reason">Reason for escalating</label>
      <input id="escalate-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
      <div className="buttons">
        {options.map((to) => (
          <button
            key={to}
            type="button"
            disabled={!reason.trim()}
            onClick={async () => {
              if (await onEscalate(to, reason)) setReason('');
            }}
          >
            Escalate to {label(to)}
          </button>
        ))}
      </div>
    </fieldset>
  );
}

function WithReason({ title, button, onSubmit }: { title: string; button: string; onSubmit: (reason: string) => Promise<boolean> }) {
  const [reason, setReason] = useState('');
  const id = `reason-${title.replace(/\W/g, '').toLowerCase()}`;
  return (
    <form
      className="inline"
      onSubmit={async (e) => {
        e.preventDefault();
        if (await onSubmit(reason)) setReason('');
      }}
    >
      <label htmlFor={id}>{title}: reason</label>
      <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} />
      <button type="submit" className="secondary" disabled={!reason.trim()}>
        {button}
      </button>
    </form>
  );
}

function Resolve({ onResolve }: { onResolve: (outcome: string, summary: string) => Promise<boolean> }) {
  const [outcome, setOutcome] = useState('');
  const [summary, setSummary] = useState('');
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        void onResolve(outcome, summary);
      }}
    >
      <label htmlFor="resolve-outcome">Outcome</label>
      <select id="resolve-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)}>
        <option value="">Choose…</option>
        {OUTCOMES.map((o) => (
          <option key={o} value={o}>
            {label(o)}
          </option>
        ))}
      </select>
      <label htmlFor="resolve-summary">Resolution summary</label>
      <input id="resolve-summary" value={summary} onChange={(e) => setSummary(e.target.value)} />
      <button type="submit" className="secondary" disabled={!outcome || !summary.trim()}>
        Resolve
      </button>
    </form>
  );
}

function Evidence({ id, reference, onError, onDone }: { id: string; reference: string; onError: (m: string) => void; onDone: (m: string) => void }) {
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      const name = await downloadWithBearer(`/complaints/${encodeURIComponent(id)}/evidence`, `${reference}-evidence.jws`);
      onDone(`Evidence bundle saved as ${name}`);
    } catch (e) {
      onError(e instanceof ApiError ? e.problem.message : 'The evidence bundle could not be downloaded.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className="secondary" disabled={busy} onClick={download}>
      Download evidence bundle
    </button>
  );
}

/** Erasure is irreversible: a modal dialog asks for a reason and a second confirmation. */
function Erase({ onErase }: { onErase: (reason: string) => Promise<boolean> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  return (
    <>
      <button type="button" className="danger" onClick={() => dialog.current?.showModal()}>
        Erase complainant data…
      </button>
      <dialog ref={dialog} aria-labelledby="erase-title" className="dialog">
        <form
          method="dialog"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await onErase(reason)) {
              setReason('');
              dialog.current?.close();
            }
          }}
        >
          <h2 id="erase-title">Erase the complainant's personal data?</h2>
          <p>Name, email and phone are removed for good. The audit trail keeps that it happened, not the data.</p>
          <label htmlFor="erase-reason">Reason</label>
          <input id="erase-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          <div className="buttons">
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="danger" disabled={!reason.trim()}>
              Erase data
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
