import { FormEvent, ReactNode, useId, useRef, useState } from 'react';
import type { Problem } from '../api';

/** A field's server message: by its name, or by the last segment of a nested path (`input.reason` → `reason`). */
export const fieldError = (problem: Problem | null, name: string): string | undefined => {
  if (!problem) return undefined;
  if (problem.fields[name]) return problem.fields[name];
  const key = Object.keys(problem.fields).find((k) => k.endsWith(`.${name}`));
  return key ? problem.fields[key] : undefined;
};

/** A failed action in words, with a way out when the case moved on underneath (CONFLICT). */
export function ProblemNote({ problem, onReload }: { problem: Problem | null; onReload: () => void }) {
  if (!problem) return null;
  return (
    <p className="error" role="alert">
      {problem.message}{' '}
      {problem.code === 'CONFLICT' && (
        <button type="button" className="secondary small" onClick={onReload}>
          Reload
        </button>
      )}
    </p>
  );
}

export interface FieldProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/** A labelled control with its hint and the server's message for it. */
export function Field({
  name,
  text,
  hint,
  problem,
  control,
}: {
  name: string;
  text: string;
  hint?: string;
  problem: Problem | null;
  control: (props: FieldProps) => ReactNode;
}) {
  const id = `${useId()}-${name}`;
  const error = fieldError(problem, name);
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{text}</label>
      {control({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy || undefined })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * A case action that needs details (a reason, a date): a button that opens a modal dialog
 * (native <dialog>: focus moves in, Escape closes, focus returns to the button). The server's
 * field errors stay beside their fields; other problems are said in words inside the dialog.
 */
export function ActionDialog({
  trigger,
  title,
  intro,
  submit,
  danger,
  onSubmit,
  onReload,
  children,
}: {
  trigger: string;
  title: string;
  intro?: ReactNode;
  submit: string;
  danger?: boolean;
  onSubmit: () => Promise<Problem | null>;
  onReload: () => void;
  children: (problem: Problem | null) => ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const close = () => {
    setProblem(null);
    dialog.current?.close();
  };
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const result = await onSubmit();
    setBusy(false);
    setProblem(result);
    if (!result) dialog.current?.close();
  };
  return (
    <>
      <button type="button" className={danger ? 'danger' : 'secondary'} onClick={() => dialog.current?.showModal()}>
        {trigger}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="dialog" onClose={() => setProblem(null)}>
        <form onSubmit={send} noValidate>
          <h2 id={titleId}>{title}</h2>
          {intro && <div className="muted">{intro}</div>}
          <ProblemNote
            problem={
              problem && Object.keys(problem.fields).length === 0 ? problem : problem ? { ...problem, message: 'Please correct the fields below.' } : null
            }
            onReload={() => {
              close();
              onReload();
            }}
          />
          {children(problem)}
          <div className="buttons">
            <button type="button" className="secondary" onClick={close}>
              Cancel
            </button>
            <button type="submit" className={danger ? 'danger' : undefined} disabled={busy}>
              {busy ? 'Saving…' : submit}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** A datetime-local value (the browser's zone) as an ISO instant, or undefined when empty. */
export const toInstant = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);
/** Now as a datetime-local value in the browser's zone, to the minute. */
export const nowLocal = (): string => {
  const d = new Date();
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
