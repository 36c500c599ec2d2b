import { execFile } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { ACTOR, BenchContext, LOAD_PREFIX, SETTINGS } from './bench-context';
import { BenchFigure, figure } from './bench-results';
import { gql, percentile, sampleSerial } from './http-load';
import { fileComplaintScript, FloorSamples, runPgbench } from './sql-floor';
import { deComplaint, fileVariables } from './write-path-bench';

export const PAGE_QUERY = `query Page {
  complaints(first: 100) {
    edges { node {
      id reference stage status receivedAt nextDueAt version
      assignee { id name }
      slaTimers { id kind regime stage status dueAt }
      notes { id body createdAt }
      stageHistory { from to at reason }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** What the page needs, as plain SELECTs in one read transaction through the app's gate. */
const PAGE_FLOOR = [
  `SELECT * FROM complaints ORDER BY received_at DESC, id DESC LIMIT 101`,
  `SELECT * FROM users WHERE id = ANY($1)`,
  `SELECT * FROM sla_timers WHERE complaint_id = ANY($1) ORDER BY complaint_id, started_at, id`,
  `SELECT * FROM notes WHERE complaint_id = ANY($1) ORDER BY complaint_id, created_at, id`,
  `SELECT * FROM stage_transitions WHERE complaint_id = ANY($1) ORDER BY complaint_id, at, id`,
];

/**
 * A page of 100 with assignee, timers, notes and stage history (the newest 100 of one
 * tenant, each assigned and with two notes), next to the same SELECTs sent directly.
 */
export async function nestedPage(ctx: BenchContext): Promise<BenchFigure[]> {
  const tenant = `${LOAD_PREFIX}01`;
  const { rows } = await ctx.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM complaints WHERE tenant_id = $1', [tenant]);
  if (rows[0].n < 100) await importComplaints(ctx, tenant, 100 - rows[0].n); // a short run filed fewer: top up, untimed
  await ctx.owner.query(
    `WITH page AS (SELECT id FROM complaints WHERE tenant_id = $1 ORDER BY received_at DESC, id DESC LIMIT 100),
     a AS (UPDATE complaints SET assignee_id = $2 WHERE id IN (SELECT id FROM page))
     INSERT INTO notes (tenant_id, complaint_id, body, internal, author_id)
     SELECT $1, page.id, 'Called the complainant back; waiting for the ID copy.', true, $2 FROM page CROSS JOIN generate_series(1, 2)`,
    [tenant, ACTOR],
  );
  const token = ctx.token(tenant);
  const app = await sampleSerial(SETTINGS.pageRuns, 3, async () => {
    const data = await gql<{ complaints: { edges: unknown[] } }>(ctx.baseUrl, token, PAGE_QUERY);
    if (data.complaints.edges.length !== 100) throw new Error(`page of ${data.complaints.edges.length}, not 100`);
  });
  const client = new Client({ connectionString: ctx.databaseUrl, options: '-c role=cms_app' });
  await client.connect();
  let floor: number[];
  try {
    floor = await sampleSerial(SETTINGS.pageRuns, 3, async () => {
      await client.query('BEGIN');
      await client.query('SELECT cms_enter_tenant($1)', [tenant]);
      const page = (await client.query<{ id: string; assignee_id: string | null }>(PAGE_FLOOR[0])).rows;
      const ids = page.slice(0, 100).map((r) => r.id);
      await client.query(PAGE_FLOOR[1], [[...new Set(page.map((r) => r.assignee_id).filter(Boolean))]]);
      for (const sql of PAGE_FLOOR.slice(2)) await client.query(sql, [ids]);
      await client.query('COMMIT');
    });
  } finally {
    await client.end();
  }
  const note = `${SETTINGS.pageRuns} runs one at a time; floor: the page's 5 SELECTs in one read transaction through the tenant gate, from Node`;
  return [
    figure('page of 100 with nested fields p50', percentile(app, 0.5), 'ms', percentile(floor, 0.5), {}, note),
    figure('page of 100 with nested fields p95', percentile(app, 0.95), 'ms', percentile(floor, 0.95)),
  ];
}

/** One importComplaints request of `count` back-dated DE complaints; returns how many were imported. */
async function importComplaints(ctx: BenchContext, tenant: string, count: number): Promise<number> {
  const batch = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const items = Array.from({ length: count }, (_, i) => ({
    idempotencyKey: `bench-${batch}-${i}`,
    complaint: { ...deComplaint(), receivedAt: new Date(Date.now() - (i + 1) * 60_000).toISOString() },
  }));
  const data = await gql<{ importComplaints: { complaint: { id: string } | null }[] }>(
    ctx.baseUrl,
    ctx.token(tenant),
    `mutation Import($items: [ImportComplaintInput!]!) { importComplaints(items: $items) { index complaint { id } } }`,
    { items },
  );
  return data.importComplaints.filter((r) => r.complaint).length;
}

/** importComplaints of SETTINGS.importItems DE complaints in one request; floor: the same number of floor filings by one client. */
export async function importBatch(ctx: BenchContext, samples: FloorSamples): Promise<BenchFigure[]> {
  const started = performance.now();
  const imported = await importComplaints(ctx, `${LOAD_PREFIX}02`, SETTINGS.importItems);
  const seconds = (performance.now() - started) / 1000;
  const floor = await runPgbench({
    url: ctx.databaseUrl,
    script: fileComplaintScript(),
    clients: 1,
    transactionsPerClient: SETTINGS.importItems,
    variables: fileVariables(samples, 1),
    label: 'file-complaint-one-client',
  });
  const floorSeconds = SETTINGS.importItems / floor.tps;
  return [
    figure(
      `importComplaints, ${SETTINGS.importItems} items`,
      seconds,
      's',
      floorSeconds,
      { atMost: 30, atMostLabel: '< 30 s' },
      `${imported} of ${SETTINGS.importItems} imported; floor: the same number of fileComplaint floor transactions by one pgbench client`,
    ),
  ];
}

/**
 * SETTINGS.slaTimers running timers (the service's own first) made due at one instant T
 * (their jobs moved there through graphile_worker.add_job, as the service reschedules):
 * the time from T until the in-process worker has breached every one.
 */
export async function breachTimersAtOnce(ctx: BenchContext, samples: FloorSamples): Promise<BenchFigure[]> {
  const count = SETTINGS.slaTimers;
  const running = (await ctx.owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM sla_timers WHERE status = 'RUNNING'`)).rows[0].n;
  if (running < count) {
    // Not enough clocks yet: floor filings (two running clocks and their jobs each), untimed.
    await runPgbench({
      url: ctx.databaseUrl,
      script: fileComplaintScript('per-client'),
      clients: SETTINGS.connections,
      transactionsPerClient: Math.ceil((count - running) / 2 / SETTINGS.connections),
      variables: fileVariables(samples, SETTINGS.tenants),
    });
  }
  const lead = SETTINGS.smoke ? 3_000 : 10_000;
  const dueAt = new Date(Date.now() + lead);
  const { rows } = await ctx.owner.query<{ id: string }>(
    `WITH pick AS (SELECT id, tenant_id FROM sla_timers WHERE status = 'RUNNING' ORDER BY tenant_id LIKE $3 DESC, id LIMIT $1),
     moved AS (UPDATE sla_timers t SET due_at = $2, warn_at = NULL, warned_at = NULL FROM pick WHERE t.id = pick.id RETURNING t.id, t.tenant_id)
     SELECT m.id FROM moved m,
       LATERAL graphile_worker.add_job('sla_timer', json_build_object('tenantId', m.tenant_id, 'timerId', m.id), run_at := $2,
         job_key := 'sla:' || m.id, max_attempts := 25, job_key_mode := 'replace') j`,
    [count, dueAt, `${LOAD_PREFIX}%`],
  );
  const ids = rows.map((r) => r.id);
  // Committed after T (a loaded machine): the clock starts when the worker could first see them.
  const readyLate = Date.now() - dueAt.getTime();
  const start = Math.max(Date.now(), dueAt.getTime());
  const limitMs = SETTINGS.smoke ? 30_000 : 120_000;
  let breached: number;
  for (;;) {
    await new Promise((r) => setTimeout(r, Math.max(start - Date.now(), 100)));
    breached = (await ctx.owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM sla_timers WHERE id = ANY($1) AND status = 'BREACHED'`, [ids])).rows[0].n;
    if (breached === ids.length || Date.now() - start > limitMs) break;
  }
  const seconds = (Date.now() - start) / 1000;
  const note = [
    `${breached} of ${ids.length} breached (polled every 100 ms)`,
    readyLate > 0 ? `committed ${readyLate} ms after T: timed from the commit` : '',
    breached < ids.length ? `gave up after ${limitMs / 1000} s` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return [figure(`${count} SLA timers due at once: all breached after`, seconds, 's', null, { atMost: 10, atMostLabel: '< 10 s' }, note)];
}

/**
 * complianceReport at SETTINGS.reportComplaints complaints: runs the report bench
 * (src/bench/report-bench.ts, seeding, once, its own `cms_bench_1m` (and with BENCH_10M=1 `cms_bench_10m`) database on the same server) and
 * reads its printed figures.
 */
export async function runReportBench(adminUrl: string): Promise<BenchFigure[]> {
  const script = path.resolve(__dirname, 'report-bench.js');
  const env = {
    ...process.env,
    DATABASE_URL: adminUrl,
    BENCH_COMPLAINTS: String(SETTINGS.reportComplaints),
    ...(SETTINGS.smoke ? { BENCH_RUNS: '3' } : {}),
  };
  const output = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [script], { env, maxBuffer: 16 * 1024 * 1024, timeout: 180 * 60_000 }, (error, stdout, stderr) => {
      if (error)
        reject(
          new Error(
            `report bench failed: ${String(stderr || stdout || error)
              .trim()
              .split('\n')
              .slice(-5)
              .join(' | ')}`,
          ),
        );
      else resolve(stdout);
    });
  });
  process.stdout.write(output.replace(/^/gm, '  report-bench: '));
  // One line per size: "complianceReport, one-year window, 1,000,000 complaints: p50 X ms, p95 Y ms (N runs)".
  const sizes = [...output.matchAll(/^complianceReport, one-year window, ([\d,]+) complaints: p50 ([\d.]+) ms, p95 ([\d.]+) ms/gm)];
  if (sizes.length === 0) throw new Error('report bench printed no complianceReport figure');
  return sizes.flatMap(([, size, p50, p95]) => {
    const complaints = Number(size.replace(/,/g, ''));
    const limit = complaints > 1_000_000 ? 1000 : 300;
    return [
      figure(`complianceReport at ${size} complaints p50`, Number(p50), 'ms', null),
      figure(
        `complianceReport at ${size} complaints p95`,
        Number(p95),
        'ms',
        null,
        { atMost: limit, atMostLabel: `< ${limit} ms` },
        'no floor: an absolute target',
      ),
    ];
  });
}
