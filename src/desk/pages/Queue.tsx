import { FormEvent, useCallback, useEffect, useState } from 'react';
import { Api, ApiError, query } from '../api';
import { QueueDocument, type ComplaintFilter, type QueueQuery } from '../graphql/generated';
import { ComplaintStage, ComplaintStatus, QueueRow, REGIMES, Regime, STAGES, STATUSES, Viewer, label, when } from '../operations';

interface Filters {
  stage: string;
  status: string;
  regime: string;
  mine: boolean;
  breached: boolean;
  search: string;
}
type Page = QueueQuery['complaints'];

/** A case's clock state for the queue: breached beats warned. */
export function clockState(row: Pick<QueueRow, 'slaTimers'>, now = Date.now()): 'breached' | 'warned' | null {
  if (row.slaTimers.some((t) => t.status === 'BREACHED')) return 'breached';
  if (row.slaTimers.some((t) => t.status === 'RUNNING' && t.warnAt && Date.parse(t.warnAt) <= now)) return 'warned';
  return null;
}

export function StatusChip({ status }: { status: string }) {
  return <span className={`chip status-${status.toLowerCase()}`}>{label(status)}</span>;
}

export function Queue({ api, viewer }: { api: Api; viewer: Viewer }) {
  const [filters, setFilters] = useState<Filters>({ stage: '', status: '', regime: '', mine: false, breached: false, search: '' });
  const [search, setSearch] = useState('');
  const [rows, setRows] = useState<QueueRow[]>([]);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (after: string | null) => {
      const filter: ComplaintFilter = {};
      if (filters.stage) filter.stage = [filters.stage as ComplaintStage];
      if (filters.status) filter.status = [filters.status as ComplaintStatus];
      if (filters.regime) filter.regime = [filters.regime as Regime];
      if (filters.mine) filter.assigneeId = viewer.user.id;
      if (filters.breached) filter.breached = true;
      if (filters.search) filter.search = filters.search;
      setLoading(true);
      try {
        const data = await query(api, QueueDocument, { filter, after });
        setPage(data.complaints);
        setRows((prev) => (after ? [...prev, ...data.complaints.edges.map((e) => e.node)] : data.complaints.edges.map((e) => e.node)));
        setError(null);
      } catch (e) {
        setError(e instanceof ApiError ? e.problem.message : 'The queue could not be loaded.');
      } finally {
        setLoading(false);
      }
    },
    [api, filters, viewer.user.id],
  );

  useEffect(() => void load(null), [load]);
  // A live SLA alert changes what is breached and what is due first: reload the first page.
  useEffect(() => {
    const reload = () => void load(null);
    window.addEventListener('cms:sla-alert', reload);
    return () => window.removeEventListener('cms:sla-alert', reload);
  }, [load]);
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const submitSearch = (e: FormEvent) => {
    e.preventDefault();
    set({ search: search.trim() });
  };

  return (
    <section aria-labelledby="queue-title">
      <div className="pagehead">
        <h1 id="queue-title">Queue</h1>
        <p className="muted">{page ? `${page.totalCount} case${page.totalCount === 1 ? '' : 's'}, next due first` : ' '}</p>
      </div>
      <div className="filters" role="group" aria-label="Filters">
        <form onSubmit={submitSearch} className="search">
          <label htmlFor="q-search">Search</label>
          <input id="q-search" type="search" placeholder="Reference, summary, name or email" value={search} onChange={(e) => setSearch(e.target.value)} />
          <button type="submit" className="secondary">
            Search
          </button>
        </form>
        <Select id="q-stage" text="Stage" value={filters.stage} options={STAGES} onChange={(stage) => set({ stage })} />
        <Select id="q-status" text="Status" value={filters.status} options={STATUSES} onChange={(status) => set({ status })} />
        <Select id="q-regime" text="Regime" value={filters.regime} options={REGIMES} onChange={(regime) => set({ regime })} raw />
        <label className="check">
          <input type="checkbox" checked={filters.mine} onChange={(e) => set({ mine: e.target.checked })} /> Assigned to me
        </label>
        <label className="check">
          <input type="checkbox" checked={filters.breached} onChange={(e) => set({ breached: e.target.checked })} /> Breached only
        </label>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="queue">
        <caption className="sr-only">Complaints ordered by next due date</caption>
        <thead>
          <tr>
            <th scope="col">Reference</th>
            <th scope="col">Summary</th>
            <th scope="col">Complainant</th>
            <th scope="col">Stage</th>
            <th scope="col">Status</th>
            <th scope="col">Regimes</th>
            <th scope="col">Assignee</th>
            <th scope="col">Next due</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const clock = clockState(row);
            return (
              <tr key={row.id} className={clock ?? undefined}>
                <td>
                  <a href={`#/case/${row.id}`} className="ref">
                    {row.reference}
                  </a>
                </td>
                <td className="summary">{row.summary}</td>
                <td>{row.complainant.name ?? <span className="muted">erased</span>}</td>
                <td className="nowrap">{label(row.stage)}</td>
                <td>
                  <StatusChip status={row.status} />
                </td>
                <td>{row.regimes.join(', ')}</td>
                <td>{row.assignee?.name ?? <span className="muted">Unassigned</span>}</td>
                <td className="due">
                  {when(row.nextDueAt)}
                  {clock === 'breached' && <span className="chip breach">Breached</span>}
                  {clock === 'warned' && <span className="chip warn">Due soon</span>}
                </td>
              </tr>
            );
          })}
          {rows.length === 0 && !loading && (
            <tr>
              <td colSpan={8} className="empty">
                No cases match these filters.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {page?.pageInfo.hasNextPage && (
        <button type="button" className="secondary more" disabled={loading} onClick={() => load(page.pageInfo.endCursor)}>
          Load more
        </button>
      )}
    </section>
  );
}

function Select({
  id,
  text,
  value,
  options,
  onChange,
  raw,
}: {
  id: string;
  text: string;
  value: string;
  options: readonly string[];
  onChange: (v: string) => void;
  raw?: boolean;
}) {
  return (
    <span className="field-inline">
      <label htmlFor={id}>{text}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {raw ? o.replace(/_/g, ' ') : label(o)}
          </option>
        ))}
      </select>
    </span>
  );
}
