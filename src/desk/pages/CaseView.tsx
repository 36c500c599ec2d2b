import { Children, ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import type { AnyVariables } from 'urql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Api, ApiError, Problem, mutate, query } from '../api';
import {
  AcknowledgeDocument,
  AssignDocument,
  AwaitDocument,
  CaseDocument,
  CaseEventsDocument,
  CaseTimelineDocument,
  CloseDocument,
  EraseDocument,
  ReopenDocument,
  ResumeDocument,
  UsersDocument,
  type AuditEntryFragment as AuditEntry,
} from '../graphql/generated';
import { Complaint, SlaTimer, UserRef, Viewer, can, label, when } from '../operations';
import { ProblemNote } from './ActionDialog';
import { AuthorityNotified, EditComplainant, Escalate, ExtendClock, PanelAdvice, ReasonAction, RecordBreach, Resolve, Run } from './CaseActions';
import { Assign, Evidence, Notes, VerifyTrail } from './CaseParts';
import { StatusChip } from './Queue';

const failed = (e: unknown, fallback: string): Problem => (e instanceof ApiError ? e.problem : { code: 'ERROR', message: fallback, fields: {} });

/** A clock the DPO may still extend: its policy has an extension, not yet used, and it is not due (SPEC §5). */
const extendable = (t: SlaTimer, now = Date.now()) =>
  (t.status === 'RUNNING' || t.status === 'PAUSED') && !t.extended && !!t.policy?.extension && Date.parse(t.dueAt) > now;

/** The case page: complainant as the role may see it, clocks and why they are due, actions, notes, live timeline. */
export function CaseView({ api, viewer, id }: { api: Api; viewer: Viewer; id: string }) {
  const [c, setC] = useState<Complaint | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [users, setUsers] = useState<UserRef[]>([]);
  const may = can(viewer.roles);

  const [timeline, setTimeline] = useState<AuditEntry[]>([]);
  // Someone else changed the case since it was loaded: the facts shown (and the version actions send) are stale.
  const [changed, setChanged] = useState(false);
  const shownVersion = useRef<number | null>(null);
  const acting = useRef(false);

  const load = useCallback(async () => {
    try {
      const data = await query(api, CaseDocument, { id });
      if (!data.complaint) setError({ code: 'NOT_FOUND', message: 'Not found: it may have been removed, or it belongs to another tenant.', fields: {} });
      setC(data.complaint ?? null);
      setTimeline(data.complaint?.auditTrail.edges.map((e) => e.node) ?? []);
      shownVersion.current = data.complaint?.version ?? null;
      setChanged(false);
    } catch (e) {
      setError(failed(e, 'The case could not be loaded.'));
    }
  }, [api, id]);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    if (!may.assignAnyone) return;
    query(api, UsersDocument, {})
      .then((d) => setUsers(d.users))
      .catch(() => setUsers([]));
  }, [api, may.assignAnyone]);
  // The audit timeline follows the case live. The facts do not change under the user's eyes (an
  // action is checked against the version they saw): a change by someone else is announced instead.
  useEffect(() => {
    const sub = api.client.subscription(CaseEventsDocument, { id }).subscribe((r) => {
      if (!r.data) return;
      query(api, CaseTimelineDocument, { id })
        .then((data) => {
          if (!data.complaint) return;
          setTimeline(data.complaint.auditTrail.edges.map((e) => e.node));
          if (!acting.current && shownVersion.current !== null && data.complaint.version > shownVersion.current) setChanged(true);
        })
        .catch(() => undefined);
    });
    return () => sub.unsubscribe();
  }, [api, id]);

  const reload = () => {
    setError(null);
    setStatus(null);
    void load();
  };
  const run: Run = async <T, V extends AnyVariables>(done: string, document: TypedDocumentNode<T, V>, variables: V) => {
    setError(null);
    acting.current = true;
    try {
      await mutate(api, document, variables);
      setStatus(done);
      await load();
      return null;
    } catch (e) {
      return failed(e, 'That did not work.');
    } finally {
      acting.current = false;
    }
  };
  /** A one-click action (no details to ask): its problem shows at the top of the page. */
  const act = async <T, V extends AnyVariables>(done: string, document: TypedDocumentNode<T, V>, variables: V) => {
    const problem = await run(done, document, variables);
    if (problem) setError(problem);
    return !problem;
  };

  if (!c) return error ? <ProblemNote problem={error} onReload={reload} /> : <p aria-busy="true">Loading…</p>;
  const open = c.status === 'OPEN' || c.status === 'AWAITING_COMPLAINANT';
  const closed = c.status === 'CLOSED';
  const events = [...timeline].sort((a, b) => b.sequence - a.sequence);
  const props = { c, run, onReload: reload };
  // Panel advice is recorded once (its COMPLY clock, or the event, shows it was).
  const adviceRecorded = c.slaTimers.some((t) => t.kind === 'COMPLY') || events.some((e) => e.action === 'PANEL_ADVICE_RECORDED');
  const breach = c.personalDataBreach;

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
      <ProblemNote problem={error} onReload={reload} />
      {changed && !error && (
        <p className="notice" role="status">
          Someone else changed this case since you opened it.{' '}
          <button type="button" className="secondary small" onClick={reload}>
            Reload
          </button>
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
              {breach && (
                <>
                  <dt>Data breach</dt>
                  <dd>
                    Aware {when(breach.awareAt)} · recorded {when(breach.recordedAt)}
                    <br />
                    {breach.authorityNotifiedAt
                      ? `${breach.authority} notified ${when(breach.authorityNotifiedAt)}${breach.authorityReference ? ` (ref. ${breach.authorityReference})` : ''}`
                      : 'Authority not yet notified'}
                    <br />
                    <span className="muted">{breach.summary}</span>
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
                  {may.decide && !closed && extendable(t) && (
                    <div className="clock-actions">
                      <ExtendClock {...props} timer={t} />
                    </div>
                  )}
                  {t.extended && <p className="muted small">Extended once: {t.extensionReason}</p>}
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

          <Notes c={c} api={api} canWrite={may.work && !closed} onAdded={load} />
        </div>

        <div className="col side">
          {(may.work || may.evidence || may.report) && (
            <section className="panel" aria-labelledby="h-actions">
              <h2 id="h-actions">Actions</h2>
              <ActionGroup title="Intake">
                {may.work && open && !c.acknowledgedAt && (
                  <button type="button" onClick={() => act('Acknowledged', AcknowledgeDocument, { id: c.id, v: c.version })}>
                    Acknowledge receipt
                  </button>
                )}
                {may.work && open && (
                  <Assign c={c} viewer={viewer} users={users} onAssign={(to) => act('Assigned', AssignDocument, { id: c.id, to, v: c.version })} />
                )}
                {may.work && !closed && !c.complainant.erasedAt && (may.decide || !c.complainant.involvesChildUnder13) && <EditComplainant {...props} />}
              </ActionGroup>
              <ActionGroup title="Escalation">
                {may.decide && !closed && c.availableEscalations.length > 0 && <Escalate {...props} />}
                {may.decide && c.stage === 'DPA_PANEL' && open && !adviceRecorded && <PanelAdvice {...props} />}
              </ActionGroup>
              <ActionGroup title="Status">
                {may.work && c.status === 'OPEN' && (
                  <ReasonAction
                    onReload={reload}
                    trigger="Await complainant…"
                    title="Wait for the complainant"
                    intro="Pausable clocks pause until the case is resumed."
                    send={(reason) => run('Awaiting the complainant', AwaitDocument, { id: c.id, reason, v: c.version })}
                  />
                )}
                {may.work && c.status === 'AWAITING_COMPLAINANT' && (
                  <button type="button" className="secondary" onClick={() => act('Resumed', ResumeDocument, { id: c.id, v: c.version })}>
                    Resume
                  </button>
                )}
                {may.decide && open && <Resolve {...props} />}
                {may.decide && c.status === 'RESOLVED' && (
                  <ReasonAction
                    onReload={reload}
                    trigger="Reopen…"
                    title={`Reopen ${c.reference}`}
                    intro="The case returns to Open at the same stage; its stage clocks start afresh."
                    send={(reason) => run('Reopened', ReopenDocument, { id: c.id, reason, v: c.version })}
                  />
                )}
                {may.decide && c.status === 'RESOLVED' && (
                  <button type="button" className="secondary" onClick={() => act('Closed', CloseDocument, { id: c.id, v: c.version })}>
                    Close case
                  </button>
                )}
              </ActionGroup>
              <ActionGroup title="Breach and erasure">
                {may.decide && !closed && !breach && <RecordBreach {...props} />}
                {may.decide && !closed && breach && !breach.authorityNotifiedAt && <AuthorityNotified {...props} />}
                {may.decide && !c.complainant.erasedAt && (
                  <ReasonAction
                    onReload={reload}
                    trigger="Erase complainant data…"
                    title="Erase the complainant's personal data?"
                    intro="Name, email and phone are removed for good and the case's free text reads [erased]. The audit trail keeps that it happened, not the data."
                    danger
                    send={(reason) => run('Complainant data erased', EraseDocument, { id: c.id, reason })}
                  />
                )}
              </ActionGroup>
              <ActionGroup title="Evidence">
                {may.evidence && (
                  <Evidence id={c.id} reference={c.reference} onError={(message) => setError({ code: 'ERROR', message, fields: {} })} onDone={setStatus} />
                )}
                {may.report && <VerifyTrail api={api} id={c.id} />}
              </ActionGroup>
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
                  {eventDetail(e.changes) && <span className="detail"> · {eventDetail(e.changes)}</span>}
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

const isMove = (v: unknown): v is { from: unknown; to: string } => typeof v === 'object' && v !== null && typeof (v as { to?: unknown }).to === 'string';
/**
 * What an audit event was about, from the enum-valued parts of its changes only (which clock,
 * which stage or status move): never a PII or free-text field, whose values the trail does not hold anyway.
 */
function eventDetail(changes: unknown): string | null {
  if (typeof changes !== 'object' || changes === null) return null;
  const { kind, regime, stage, status } = changes as Record<string, unknown>;
  if (typeof kind === 'string' && typeof regime === 'string') return `${label(kind)} (${regime})`;
  const move = isMove(stage) ? stage : isMove(status) ? status : null;
  if (!move) return null;
  return typeof move.from === 'string' ? `${label(move.from)} → ${label(move.to)}` : label(move.to);
}

/** A titled group of actions, shown only when the user may take at least one of them now. */
function ActionGroup({ title, children }: { title: string; children: ReactNode }) {
  const items = Children.toArray(children);
  if (items.length === 0) return null;
  return (
    <div className="action-group" role="group" aria-label={title}>
      <h3>{title}</h3>
      {items}
    </div>
  );
}
