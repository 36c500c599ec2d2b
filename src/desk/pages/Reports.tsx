import { FormEvent, useEffect, useRef, useState } from 'react';
import { BarController, BarElement, CategoryScale, Chart, ChartConfiguration, Legend, LinearScale, Tooltip } from 'chart.js';
import { Api, ApiError, downloadWithBearer, query } from '../api';
import { ReportDocument } from '../graphql/generated';
import { Report, Viewer, can, label } from '../operations';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const day = (d: Date) => d.toISOString().slice(0, 10);
const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);

/** The compliance report for a chosen window, as charts, and the CSV export. */
export function Reports({ api, viewer }: { api: Api; viewer: Viewer }) {
  const today = new Date();
  const [from, setFrom] = useState(day(new Date(today.getTime() - 30 * 86400_000)));
  const [to, setTo] = useState(day(new Date(today.getTime() + 86400_000)));
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const may = can(viewer.roles);

  const load = async () => {
    try {
      const data = await query(api, ReportDocument, { from: `${from}T00:00:00.000Z`, to: `${to}T00:00:00.000Z` });
      setReport(data.complianceReport);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.problem.message : 'The report could not be loaded.');
    }
  };
  useEffect(() => void load(), []); // once, for the default window: later loads come from the form
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void load();
  };
  const csv = async () => {
    try {
      const name = await downloadWithBearer(`/reports/complaints.csv?from=${from}T00:00:00.000Z&to=${to}T00:00:00.000Z`, `complaints-${from}-${to}.csv`);
      setStatus(`Saved ${name}`);
    } catch (e) {
      setError(e instanceof ApiError ? e.problem.message : 'The CSV could not be downloaded.');
    }
  };

  if (!may.report)
    return (
      <p className="error" role="alert">
        Reports are for the DPO, compliance officers and admins.
      </p>
    );
  return (
    <section aria-labelledby="reports-title" className="reports">
      <div className="pagehead">
        <h1 id="reports-title">Compliance report</h1>
      </div>
      <form className="filters" onSubmit={submit}>
        <span className="field-inline">
          <label htmlFor="r-from">From</label>
          <input id="r-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </span>
        <span className="field-inline">
          <label htmlFor="r-to">To</label>
          <input id="r-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </span>
        <button type="submit" className="secondary">
          Show
        </button>
        {may.csv && (
          <button type="button" onClick={csv}>
            Download CSV
          </button>
        )}
      </form>
      <div role="status" aria-live="polite" className="status-line">
        {status}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <>
          <div className="cards">
            <Card title="Received" value={String(report.received)} />
            <Card title="Resolved" value={String(report.resolved)} />
            <Card title="Open at end" value={String(report.openAtEnd)} />
            <Card title="SLA compliance" value={pct(report.sla.complianceRate)} />
            <Card title="Median days to resolve" value={report.medianDaysToResolution === null ? '—' : report.medianDaysToResolution.toFixed(1)} />
            <Card title="Escalation rate" value={pct(report.escalationRate)} />
          </div>
          <div className="charts">
            <BarChart
              title="SLA compliance by kind"
              empty="No clock was met or breached in this window yet."
              labels={report.sla.byKind.map((k) => label(k.kind))}
              stacked
              series={[
                { label: 'Met', data: report.sla.byKind.map((k) => k.met), color: '#2f855a' },
                { label: 'Breached', data: report.sla.byKind.map((k) => k.breached), color: '#c53030' },
              ]}
            />
            <BarChart
              title="Open cases by age (days)"
              labels={report.aging.map((a) => a.label)}
              series={[{ label: 'Open cases', data: report.aging.map((a) => a.count), color: '#2b6cb0' }]}
            />
            <BarChart
              title="By stage"
              labels={report.byStage.map((s) => label(s.stage))}
              series={[{ label: 'Complaints', data: report.byStage.map((s) => s.count), color: '#6b46c1' }]}
            />
            <BarChart
              title="By regime"
              labels={report.byRegime.map((r) => r.regime)}
              series={[{ label: 'Complaints', data: report.byRegime.map((r) => r.count), color: '#b7791f' }]}
            />
          </div>
        </>
      )}
    </section>
  );
}

function Card({ title, value }: { title: string; value: string }) {
  return (
    <div className="card stat">
      <div className="muted small">{title}</div>
      <div className="big">{value}</div>
    </div>
  );
}

interface Series {
  label: string;
  data: number[];
  color: string;
}

function BarChart({ title, labels, series, stacked, empty }: { title: string; labels: string[]; series: Series[]; stacked?: boolean; empty?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const config: ChartConfiguration<'bar'> = {
      type: 'bar',
      data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.color, borderRadius: 3 })) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: series.length > 1, position: 'bottom' } },
        scales: { x: { stacked: !!stacked }, y: { stacked: !!stacked, beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
    const chart = new Chart(canvas.current!, config);
    return () => chart.destroy();
  }, [labels, series, stacked]);
  const summary = labels.map((l, i) => `${l}: ${series.map((s) => `${s.label} ${s.data[i]}`).join(', ')}`).join('; ');
  return (
    <figure className="panel chart">
      <figcaption>{title}</figcaption>
      {empty && series.every((s) => s.data.every((n) => n === 0)) && <p className="muted small">{empty}</p>}
      <div className="canvas-box">
        <canvas ref={canvas} role="img" aria-label={`${title}. ${summary || 'No data'}`} />
      </div>
    </figure>
  );
}
