import { writeFileSync } from 'node:fs';

/** One line of the bench table: a figure, its floor from the same run, the ratio and the target. */
export interface BenchFigure {
  figure: string;
  value: number | null;
  unit: string;
  floor: number | null;
  /** value / floor (throughput: share of the floor; latency: times the floor). */
  ratio: number | null;
  target: string;
  /** null: no target for this figure (shown for context). */
  pass: boolean | null;
  note?: string;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  /** loadAverage: the 1-minute load average at the start and at the end (a shared machine's noise). */
  machine: { cpus: number; node: string; postgres: string; loadAverage: [number, number] };
  settings: Record<string, string | number | boolean>;
  figures: BenchFigure[];
}

/** A figure measured against its floor; `atLeast` (e.g. 0.5 of the floor) or `atMost` (an absolute bound) decide PASS. */
export function figure(
  name: string,
  value: number | null,
  unit: string,
  floor: number | null,
  check: { atLeastShare?: number; atMost?: number; atMostLabel?: string } = {},
  note?: string,
): BenchFigure {
  const ratio = value !== null && floor !== null && floor > 0 ? value / floor : null;
  let target = '—';
  let pass: boolean | null = null;
  if (check.atLeastShare !== undefined) {
    target = `≥ ${Math.round(check.atLeastShare * 100)} % of floor`;
    pass = ratio !== null && ratio >= check.atLeastShare;
  } else if (check.atMost !== undefined) {
    target = check.atMostLabel ?? `≤ ${check.atMost} ${unit}`;
    pass = value !== null && value <= check.atMost;
  }
  return { figure: name, value, unit, floor, ratio, target, pass, ...(note ? { note } : {}) };
}

function show(value: number | null, unit: string): string {
  if (value === null || Number.isNaN(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`.trim();
}

function rows(results: BenchResults): string[][] {
  return results.figures.map((f) => [
    f.figure,
    show(f.value, f.unit),
    f.floor === null ? '—' : show(f.floor, f.unit),
    f.ratio === null ? '—' : f.ratio.toFixed(2),
    f.target,
    f.pass === null ? '' : f.pass ? 'PASS' : 'FAIL',
  ]);
}

const HEADER = ['figure', 'measured', 'floor', 'ratio', 'target', 'result'];

/** The table as printed on the terminal. */
export function formatTable(results: BenchResults): string {
  const table = [HEADER, ...rows(results)];
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => [...r[i]].length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  const notes = results.figures.filter((f) => f.note).map((f) => `  ${f.figure}: ${f.note}`);
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}

/** The same table in Markdown, for the README. */
export function formatMarkdown(results: BenchResults): string {
  const md = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const settings = Object.entries(results.settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return [
    `Measured ${results.finishedAt} on ${results.machine.cpus} cores (load average ${results.machine.loadAverage.map((l) => l.toFixed(1)).join(' → ')}), Node ${results.machine.node}, PostgreSQL ${results.machine.postgres} (${settings}).`,
    '',
    md(HEADER),
    md(HEADER.map(() => '---')),
    ...rows(results).map(md),
    ...results.figures.filter((f) => f.note).map((f) => `\n- ${f.figure}: ${f.note}`),
    '',
  ].join('\n');
}

export function writeResults(results: BenchResults, jsonPath: string, markdownPath: string): void {
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(markdownPath, formatMarkdown(results));
}
