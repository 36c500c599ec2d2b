import { FormEvent, ReactNode, useState } from 'react';
import { Api, ApiError, mutate } from '../api';
import { FileComplaintDocument, type DataContext, type FileComplaintInput, type ProcessingRole } from '../graphql/generated';
import { CHANNELS, DataSubjectRight, IntakeChannel, REGIMES, RIGHTS, Regime, Viewer, label } from '../operations';

interface Form {
  name: string;
  email: string;
  phone: string;
  child: boolean;
  jurisdiction: string;
  regimes: Regime[];
  dataContext: DataContext;
  processingRole: ProcessingRole;
  rights: DataSubjectRight[];
  channel: IntakeChannel;
  summary: string;
  description: string;
  receivedAt: string;
  regulator: string;
  regulatorReference: string;
  respondBy: string;
}
const EMPTY: Form = {
  name: '',
  email: '',
  phone: '',
  child: false,
  jurisdiction: '',
  regimes: [],
  dataContext: 'CONSUMER',
  processingRole: 'CONTROLLER',
  rights: [],
  channel: 'EMAIL',
  summary: '',
  description: '',
  receivedAt: '',
  regulator: '',
  regulatorReference: '',
  respondBy: '',
};
const toInstant = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** Intake for fileComplaint: the server validates; its field errors are shown beside each field. */
export function Intake({ api, onFiled }: { api: Api; viewer: Viewer; onFiled: (id: string) => void }) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(() => crypto.randomUUID());
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  const toggle = <T extends string>(list: T[], value: T): T[] => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input: FileComplaintInput = {
      complainant: { name: form.name, email: form.email || undefined, phone: form.phone || undefined, involvesChildUnder13: form.child },
      jurisdiction: form.jurisdiction.trim().toUpperCase(),
      regimes: form.regimes.length ? form.regimes : undefined,
      dataContext: form.dataContext,
      processingRole: form.processingRole,
      rights: form.rights,
      channel: form.channel,
      summary: form.summary,
      description: form.description,
      receivedAt: toInstant(form.receivedAt),
    };
    if (form.channel === 'REGULATOR_REFERRAL') {
      input.regulatorReferral = { regulator: form.regulator, reference: form.regulatorReference || undefined, respondBy: toInstant(form.respondBy) };
    }
    setBusy(true);
    try {
      const data = await mutate(api, FileComplaintDocument, { input, key });
      onFiled(data.fileComplaint.id);
    } catch (err) {
      const problem = err instanceof ApiError ? err.problem : { message: 'The complaint could not be filed.', fields: {} };
      setFields(problem.fields);
      setError(problem.message);
    } finally {
      setBusy(false);
    }
  };

  const err = (name: string) => fields[name];
  const field = (name: string, text: string, control: ReactNode, hint?: string) => (
    <div className={`field${err(name) ? ' invalid' : ''}`}>
      <label htmlFor={`f-${name}`}>{text}</label>
      {control}
      {hint && (
        <p className="hint" id={`f-${name}-hint`}>
          {hint}
        </p>
      )}
      {err(name) && (
        <p className="field-error" id={`f-${name}-error`} role="alert">
          {err(name)}
        </p>
      )}
    </div>
  );
  const aria = (name: string) => ({
    id: `f-${name}`,
    'aria-invalid': err(name) ? true : undefined,
    'aria-describedby': err(name) ? `f-${name}-error` : undefined,
  });

  return (
    <section aria-labelledby="intake-title" className="intake">
      <div className="pagehead">
        <h1 id="intake-title">New complaint</h1>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <fieldset>
          <legend>Complainant</legend>
          {field(
            'complainant.name',
            'Name',
            <input {...aria('complainant.name')} value={form.name} onChange={(e) => set({ name: e.target.value })} required />,
          )}
          <div className="row">
            {field(
              'complainant.email',
              'Email',
              <input {...aria('complainant.email')} type="email" value={form.email} onChange={(e) => set({ email: e.target.value })} />,
            )}
            {field(
              'complainant.phone',
              'Phone',
              <input {...aria('complainant.phone')} type="tel" value={form.phone} onChange={(e) => set({ phone: e.target.value })} />,
              'Email or phone: at least one.',
            )}
          </div>
          <label className="check">
            <input type="checkbox" checked={form.child} onChange={(e) => set({ child: e.target.checked })} /> Involves a child under 13
          </label>
        </fieldset>
        <fieldset>
          <legend>The complaint</legend>
          <div className="row">
            {field(
              'channel',
              'Channel',
              <select {...aria('channel')} value={form.channel} onChange={(e) => set({ channel: e.target.value as IntakeChannel })}>
                {CHANNELS.map((c) => (
                  <option key={c} value={c}>
                    {label(c)}
                  </option>
                ))}
              </select>,
            )}
            {field(
              'jurisdiction',
              'Jurisdiction',
              <input {...aria('jurisdiction')} value={form.jurisdiction} onChange={(e) => set({ jurisdiction: e.target.value })} placeholder="DE, GB, US-CA" />,
              'ISO 3166 code',
            )}
            {field(
              'receivedAt',
              'Received at (optional)',
              <input {...aria('receivedAt')} type="datetime-local" value={form.receivedAt} onChange={(e) => set({ receivedAt: e.target.value })} />,
            )}
          </div>
          <div className="row">
            {field(
              'dataContext',
              'Data context',
              <select {...aria('dataContext')} value={form.dataContext} onChange={(e) => set({ dataContext: e.target.value as DataContext })}>
                <option value="CONSUMER">Consumer</option>
                <option value="EMPLOYMENT">Employment (HR)</option>
              </select>,
            )}
            {field(
              'processingRole',
              'Processing role',
              <select {...aria('processingRole')} value={form.processingRole} onChange={(e) => set({ processingRole: e.target.value as ProcessingRole })}>
                <option value="CONTROLLER">Controller</option>
                <option value="PROCESSOR">Processor</option>
              </select>,
            )}
          </div>
          {form.channel === 'REGULATOR_REFERRAL' && (
            <fieldset className="nested">
              <legend>Regulator referral</legend>
              <div className="row">
                {field(
                  'regulatorReferral.regulator',
                  'Regulator',
                  <input
                    {...aria('regulatorReferral.regulator')}
                    value={form.regulator}
                    onChange={(e) => set({ regulator: e.target.value })}
                    placeholder="FTC, CNIL…"
                  />,
                )}
                {field(
                  'regulatorReferral.reference',
                  'Regulator reference',
                  <input
                    {...aria('regulatorReferral.reference')}
                    value={form.regulatorReference}
                    onChange={(e) => set({ regulatorReference: e.target.value })}
                  />,
                )}
                {field(
                  'regulatorReferral.respondBy',
                  'Respond by',
                  <input
                    {...aria('regulatorReferral.respondBy')}
                    type="datetime-local"
                    value={form.respondBy}
                    onChange={(e) => set({ respondBy: e.target.value })}
                  />,
                )}
              </div>
              {err('regulatorReferral') && (
                <p className="field-error" role="alert">
                  {err('regulatorReferral')}
                </p>
              )}
            </fieldset>
          )}
          <fieldset className={`choices${err('rights') ? ' invalid' : ''}`} aria-describedby={err('rights') ? 'f-rights-error' : undefined}>
            <legend>Rights invoked</legend>
            {RIGHTS.map((r) => (
              <label key={r} className="check">
                <input type="checkbox" checked={form.rights.includes(r)} onChange={() => set({ rights: toggle(form.rights, r) })} /> {label(r)}
              </label>
            ))}
            {err('rights') && (
              <p className="field-error" id="f-rights-error" role="alert">
                {err('rights')}
              </p>
            )}
          </fieldset>
          <fieldset className={`choices${err('regimes') ? ' invalid' : ''}`}>
            <legend>Regimes (optional: derived from the jurisdiction)</legend>
            {REGIMES.map((r) => (
              <label key={r} className="check">
                <input type="checkbox" checked={form.regimes.includes(r)} onChange={() => set({ regimes: toggle(form.regimes, r) })} /> {r.replace(/_/g, ' ')}
              </label>
            ))}
            {err('regimes') && (
              <p className="field-error" role="alert">
                {err('regimes')}
              </p>
            )}
          </fieldset>
          {field('summary', 'Summary', <input {...aria('summary')} value={form.summary} onChange={(e) => set({ summary: e.target.value })} maxLength={300} />)}
          {field(
            'description',
            'Description',
            <textarea {...aria('description')} rows={5} value={form.description} onChange={(e) => set({ description: e.target.value })} />,
          )}
        </fieldset>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Filing…' : 'File complaint'}
          </button>
        </div>
      </form>
    </section>
  );
}
