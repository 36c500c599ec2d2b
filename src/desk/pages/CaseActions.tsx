import { useState } from 'react';
import type { AnyVariables } from 'urql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { Problem } from '../api';
import {
  EscalateDocument,
  ExtendTimerDocument,
  RecordAuthorityNotifiedDocument,
  RecordBreachDocument,
  RecordPanelAdviceDocument,
  ResolveDocument,
  UpdateComplainantDocument,
} from '../graphql/generated';
import { Complaint, ComplaintOutcome, ComplaintStage, OUTCOMES, SlaTimer, label, when } from '../operations';
import { ActionDialog, Field, nowLocal, toInstant } from './ActionDialog';

/** Runs one mutation on the case, reloads it on success, and answers the problem (or null). */
export type Run = <T, V extends AnyVariables>(done: string, document: TypedDocumentNode<T, V>, variables: V) => Promise<Problem | null>;

interface ActionProps {
  c: Complaint;
  run: Run;
  onReload: () => void;
}

/** A required field left empty, said before the call (the server says the same). */
const missing = (fields: Record<string, string>): Problem | null =>
  Object.keys(fields).length ? { code: 'BAD_USER_INPUT', message: 'Please correct the highlighted fields.', fields } : null;

/** Escalation buttons: exactly the stages `availableEscalations` lists for this case, now. */
export function Escalate({ c, run, onReload }: ActionProps) {
  const [reason, setReason] = useState('');
  return (
    <>
      {c.availableEscalations.map((to: ComplaintStage) => (
        <ActionDialog
          key={to}
          trigger={`Escalate to ${label(to)}`}
          title={`Escalate ${c.reference} to ${label(to)}`}
          intro={
            <p>
              The clocks of {label(c.stage)} stop and those of {label(to)} start now.
            </p>
          }
          submit={`Escalate to ${label(to)}`}
          onReload={onReload}
          onSubmit={async () => {
            const problem = missing(reason.trim() ? {} : { reason: 'Give the reason for escalating.' });
            const result = problem ?? (await run(`Escalated to ${label(to)}`, EscalateDocument, { id: c.id, to, reason, v: c.version }));
            if (!result) setReason('');
            return result;
          }}
        >
          {(problem) => (
            <Field
              name="reason"
              text="Reason for escalating"
              problem={problem}
              control={(p) => <textarea {...p} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />}
            />
          )}
        </ActionDialog>
      ))}
    </>
  );
}

/** A dialog asking for one reason (await the complainant, reopen, erase). */
export function ReasonAction({
  onReload,
  trigger,
  title,
  intro,
  danger,
  send,
}: {
  onReload: () => void;
  trigger: string;
  title: string;
  intro?: string;
  danger?: boolean;
  send: (reason: string) => Promise<Problem | null>;
}) {
  const [reason, setReason] = useState('');
  return (
    <ActionDialog
      trigger={trigger}
      title={title}
      intro={intro && <p>{intro}</p>}
      submit={trigger.replace(/…$/, '')}
      danger={danger}
      onReload={onReload}
      onSubmit={async () => {
        const result = missing(reason.trim() ? {} : { reason: 'Give a reason.' }) ?? (await send(reason));
        if (!result) setReason('');
        return result;
      }}
    >
      {(problem) => (
        <Field
          name="reason"
          text="Reason"
          problem={problem}
          control={(p) => <textarea {...p} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />}
        />
      )}
    </ActionDialog>
  );
}

export function Resolve({ c, run, onReload }: ActionProps) {
  const [outcome, setOutcome] = useState<ComplaintOutcome | ''>('');
  const [summary, setSummary] = useState('');
  return (
    <ActionDialog
      trigger="Resolve…"
      title={`Resolve ${c.reference}`}
      intro={c.stage === 'ARBITRATION_PANEL' ? <p>The panel orders non-monetary relief only: record which in the summary.</p> : undefined}
      submit="Resolve"
      onReload={onReload}
      onSubmit={async () => {
        const problem = missing({
          ...(outcome ? {} : { outcome: 'Choose the outcome.' }),
          ...(summary.trim() ? {} : { summary: 'Summarise the resolution.' }),
        });
        return problem ?? (outcome ? run('Resolved', ResolveDocument, { id: c.id, outcome, summary, v: c.version }) : null);
      }}
    >
      {(problem) => (
        <>
          <Field
            name="outcome"
            text="Outcome"
            problem={problem}
            control={(p) => (
              <select {...p} value={outcome} onChange={(e) => setOutcome(e.target.value as ComplaintOutcome)}>
                <option value="">Choose…</option>
                {OUTCOMES.map((o) => (
                  <option key={o} value={o}>
                    {label(o)}
                  </option>
                ))}
              </select>
            )}
          />
          <Field
            name="summary"
            text="Resolution summary"
            problem={problem}
            control={(p) => <textarea {...p} rows={3} value={summary} onChange={(e) => setSummary(e.target.value)} />}
          />
        </>
      )}
    </ActionDialog>
  );
}

/** DPF Supplemental Principle 5: the EU DPA panel's advice starts the 25-day COMPLY clock. */
export function PanelAdvice({ c, run, onReload }: ActionProps) {
  const [summary, setSummary] = useState('');
  const [deliveredAt, setDeliveredAt] = useState('');
  return (
    <ActionDialog
      trigger="Record panel advice…"
      title="Record the EU DPA panel's advice"
      intro={<p>Starts the clock to comply with the advice (DPF Supplemental Principle 5). Recorded once per case.</p>}
      submit="Record advice"
      onReload={onReload}
      onSubmit={() =>
        Promise.resolve(missing(summary.trim() ? {} : { summary: "Summarise the panel's advice." })).then(
          (problem) =>
            problem ?? run('Panel advice recorded', RecordPanelAdviceDocument, { id: c.id, summary, deliveredAt: toInstant(deliveredAt), v: c.version }),
        )
      }
    >
      {(problem) => (
        <>
          <Field
            name="summary"
            text="Advice summary"
            problem={problem}
            control={(p) => <textarea {...p} rows={4} value={summary} onChange={(e) => setSummary(e.target.value)} />}
          />
          <Field
            name="deliveredAt"
            text="Delivered at (optional)"
            hint="Your local time; empty for now. Not in the future, nor before the case reached the panel."
            problem={problem}
            control={(p) => <input {...p} type="datetime-local" value={deliveredAt} onChange={(e) => setDeliveredAt(e.target.value)} />}
          />
        </>
      )}
    </ActionDialog>
  );
}

/** GDPR Art. 33(1): recording a breach starts the 72-hour NOTIFY_AUTHORITY clocks from awareAt. */
export function RecordBreach({ c, run, onReload }: ActionProps) {
  const [summary, setSummary] = useState('');
  const [awareAt, setAwareAt] = useState(nowLocal);
  return (
    <ActionDialog
      trigger="Record personal data breach…"
      title="Record a personal data breach"
      intro={<p>Starts the clocks to notify the supervisory authority from when you became aware (72 hours under GDPR and UK GDPR Art. 33(1)).</p>}
      submit="Record breach"
      danger
      onReload={onReload}
      onSubmit={async () => {
        const problem = missing({
          ...(summary.trim() ? {} : { summary: 'Describe the breach.' }),
          ...(awareAt ? {} : { awareAt: 'Give when you became aware of it.' }),
        });
        return problem ?? run('Personal data breach recorded', RecordBreachDocument, { id: c.id, summary, awareAt: toInstant(awareAt) ?? '', v: c.version });
      }}
    >
      {(problem) => (
        <>
          <Field
            name="awareAt"
            text="Became aware at"
            hint="Your local time; not in the future."
            problem={problem}
            control={(p) => <input {...p} type="datetime-local" value={awareAt} onChange={(e) => setAwareAt(e.target.value)} />}
          />
          <Field
            name="summary"
            text="What happened"
            problem={problem}
            control={(p) => <textarea {...p} rows={4} value={summary} onChange={(e) => setSummary(e.target.value)} />}
          />
        </>
      )}
    </ActionDialog>
  );
}

export function AuthorityNotified({ c, run, onReload }: ActionProps) {
  const [authority, setAuthority] = useState('');
  const [reference, setReference] = useState('');
  const [notifiedAt, setNotifiedAt] = useState(nowLocal);
  return (
    <ActionDialog
      trigger="Record authority notified…"
      title="Record that the authority was notified"
      intro={<p>Meets the notification clocks at the time given; a clock already breached stays breached.</p>}
      submit="Record notification"
      onReload={onReload}
      onSubmit={async () => {
        const problem = missing({
          ...(authority.trim() ? {} : { authority: 'Name the authority.' }),
          ...(notifiedAt ? {} : { notifiedAt: 'Give when it was notified.' }),
        });
        return (
          problem ??
          run('Authority notification recorded', RecordAuthorityNotifiedDocument, {
            id: c.id,
            authority,
            reference: reference.trim() || null,
            notifiedAt: toInstant(notifiedAt) ?? '',
            v: c.version,
          })
        );
      }}
    >
      {(problem) => (
        <>
          <Field
            name="authority"
            text="Authority"
            problem={problem}
            control={(p) => <input {...p} value={authority} onChange={(e) => setAuthority(e.target.value)} placeholder="e.g. BfDI, ICO, CNIL" />}
          />
          <Field
            name="reference"
            text="Authority's reference (optional)"
            problem={problem}
            control={(p) => <input {...p} value={reference} onChange={(e) => setReference(e.target.value)} />}
          />
          <Field
            name="notifiedAt"
            text="Notified at"
            hint="Your local time; not before the breach's awareness, not in the future."
            problem={problem}
            control={(p) => <input {...p} type="datetime-local" value={notifiedAt} onChange={(e) => setNotifiedAt(e.target.value)} />}
          />
        </>
      )}
    </ActionDialog>
  );
}

/** extendSlaTimer: once per clock, by its policy's extension, before it is due (e.g. GDPR Art. 12(3): by two months). */
export function ExtendClock({ c, timer, run, onReload }: ActionProps & { timer: SlaTimer }) {
  const [reason, setReason] = useState('');
  const what = `${label(timer.kind)} (${timer.regime})`;
  return (
    <ActionDialog
      trigger={`Extend ${what}…`}
      title={`Extend the ${what} clock`}
      intro={
        <p>
          Due {when(timer.dueAt)}; the extension ({timer.policy?.extension}, {timer.policy?.source}) is granted once and moves it later.
        </p>
      }
      submit="Extend clock"
      onReload={onReload}
      onSubmit={async () => {
        const result =
          missing(reason.trim() ? {} : { reason: 'Give the reason for the extension.' }) ??
          (await run(`${what} extended`, ExtendTimerDocument, { timerId: timer.id, reason }));
        if (!result) setReason('');
        return result;
      }}
    >
      {(problem) => (
        <Field
          name="reason"
          text="Reason for the extension"
          hint={`Case ${c.reference}. Told to the complainant with the reasons for the delay.`}
          problem={problem}
          control={(p) => <textarea {...p} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />}
        />
      )}
    </ActionDialog>
  );
}

/** Correct the complainant's contact details (PII: the audit trail records which fields changed, never values). */
export function EditComplainant({ c, run, onReload }: ActionProps) {
  const [name, setName] = useState(c.complainant.name ?? '');
  const [email, setEmail] = useState(c.complainant.email ?? '');
  const [phone, setPhone] = useState(c.complainant.phone ?? '');
  return (
    <ActionDialog
      trigger="Edit complainant…"
      title="Complainant's details"
      submit="Save details"
      onReload={onReload}
      onSubmit={() => {
        // Only what changed is sent: an emptied field is cleared (null), an untouched one left alone.
        const changed = (value: string, before: string | null | undefined) => (value.trim() === (before ?? '') ? undefined : value.trim() || null);
        const input = { name: changed(name, c.complainant.name), email: changed(email, c.complainant.email), phone: changed(phone, c.complainant.phone) };
        return run('Complainant updated', UpdateComplainantDocument, { id: c.id, input, v: c.version });
      }}
    >
      {(problem) => (
        <>
          <Field name="name" text="Name" problem={problem} control={(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />} />
          <Field
            name="email"
            text="Email"
            problem={problem}
            control={(p) => <input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
          />
          <Field
            name="phone"
            text="Phone"
            hint="Email or phone: at least one."
            problem={problem}
            control={(p) => <input {...p} type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} />}
          />
        </>
      )}
    </ActionDialog>
  );
}
