import { FormEvent, useState } from 'react';
import { Api, ApiError, downloadWithBearer, mutate, query } from '../api';
import { AddNoteDocument, VerifyAuditTrailDocument } from '../graphql/generated';
import { Complaint, UserRef, Viewer, when } from '../operations';

/** The case page's smaller panels and controls: notes, assignment, evidence download, audit verification. */

const message = (e: unknown, fallback: string): string => (e instanceof ApiError ? e.problem.message : fallback);

export function Notes({ c, api, canWrite, onAdded }: { c: Complaint; api: Api; canWrite: boolean; onAdded: () => Promise<void> }) {
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await mutate(api, AddNoteDocument, { id: c.id, body, internal });
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

export function Assign({ c, viewer, users, onAssign }: { c: Complaint; viewer: Viewer; users: UserRef[]; onAssign: (to: string) => Promise<boolean> }) {
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

/** verifyAuditTrail: recomputes the case's hash chain (and checks it against the latest checkpoint) and says the result in words. */
export function VerifyTrail({ api, id }: { api: Api; id: string }) {
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const verify = async () => {
    setBusy(true);
    try {
      const { verifyAuditTrail: v } = await query(api, VerifyAuditTrailDocument, { id });
      setResult(
        v.valid
          ? `Audit trail intact: ${v.eventsChecked} event${v.eventsChecked === 1 ? '' : 's'} checked.`
          : `Audit trail broken at event #${v.brokenAtSequence ?? '?'} (${v.eventsChecked} checked).`,
      );
    } catch (e) {
      setResult(message(e, 'The audit trail could not be verified.'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="secondary" disabled={busy} onClick={verify}>
        Verify audit trail
      </button>
      <p className="muted small" role="status">
        {result}
      </p>
    </>
  );
}

export function Evidence({ id, reference, onError, onDone }: { id: string; reference: string; onError: (m: string) => void; onDone: (m: string) => void }) {
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
