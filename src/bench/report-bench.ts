import 'reflect-metadata';
import { statfs } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { signDevToken } from '../auth/jwt';
import { Role } from '../auth/roles';
import { loadConfig } from '../config';
import { createDataSource } from '../db/data-source';
import { openBenchServer, withDatabase } from './bench-service';
import { runMigrations } from '../db/migrate';
import { createApp } from '../http/app';
import { createLogger } from '../logger';
import { provisionActor } from '../services/provisioning.service';

/**
 * npm run bench:report — complianceReport over one year at 1 M complaints (and at 10 M with
 * BENCH_10M=1), through HTTP, p50/p95 of BENCH_RUNS runs.
 *
 * Each size lives in a database of its own (`cms_bench_1m`, `cms_bench_10m`) kept between
 * runs: the first run seeds it in SQL (generate_series, not the API; ~1.7 GB per million
 * complaints, so the seed checks for 2.5 GB free per million first), later runs find the
 * marker table `bench_seed` and only apply new migrations. DROP the database to reseed.
 * Uses DATABASE_URL's server, else an embedded PostgreSQL under .data/bench.
 */
const TENANT = 'bench';
const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
/** Bumped when the seed changes, so a cached database of an older seed is rebuilt. */
const SEED_VERSION = 2;
/** Measured: 1 M complaints with 2 M timers take ~1.7 GB with their indexes; headroom for WAL and index builds. */
const BYTES_PER_COMPLAINT = 2_500;

export interface ReportBenchResult {
  complaints: number;
  runs: number;
  p50Ms: number;
  p95Ms: number;
  /** Seconds spent seeding in this run (0 when the cached database was reused). */
  seedSeconds: number;
}

export interface ReportBenchOptions {
  /** A PostgreSQL server URL whose user may create databases. */
  adminUrl: string;
  complaints: number;
  runs?: number;
  /** The cached database's name; default cms_bench_<size>. */
  database?: string;
  log?: (line: string) => void;
}

function percentile(sorted: number[], p: number): number {
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (i - lo);
}

const sizeName = (n: number) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n));

/** Seeds (once) and measures complianceReport over a one-year window at `complaints` cases. */
export async function runReportBench(options: ReportBenchOptions): Promise<ReportBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const runs = options.runs ?? 40;
  const database = options.database ?? `cms_bench_${sizeName(options.complaints)}`;
  const url = withDatabase(options.adminUrl, database);

  const admin = new Client({ connectionString: options.adminUrl });
  await admin.connect();
  let seedSeconds = 0;
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1;
    const seeded = exists && (await seedMarker(url)) === `${options.complaints}/${SEED_VERSION}`;
    if (seeded) {
      log(`${database}: reusing the seeded ${options.complaints.toLocaleString('en')} complaints`);
      // New migrations (and their backfills) apply to the cached data; their dead rows are vacuumed before timing.
      const applied = await runMigrations(url);
      if (applied.length > 0) {
        log(`${database}: applied ${applied.join(', ')}; vacuuming`);
        await vacuumAnalyze(url);
      }
    } else {
      await checkDiskSpace(admin, options.complaints, log);
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${database}`);
      await runMigrations(url);
      await provisionBench(url); // the tenant, its presets and the DPO, as a first request would
      const t0 = performance.now();
      await seed(url, options.complaints, log);
      seedSeconds = (performance.now() - t0) / 1000;
      log(`${database}: seeded ${options.complaints.toLocaleString('en')} complaints in ${seedSeconds.toFixed(0)} s`);
    }
  } finally {
    await admin.end();
  }

  const dataSource = createDataSource(url, { poolSize: 10 });
  await dataSource.initialize();
  try {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, LOG_LEVEL: 'silent', DATABASE_URL: url });
    const app = await createApp({ config, dataSource, log: createLogger('silent') });
    await new Promise<void>((r) => app.httpServer.listen(0, '127.0.0.1', r));
    try {
      const port = (app.httpServer.address() as { port: number }).port;
      const token = await signDevToken(SECRET, { sub: 'bench-dpo', tid: TENANT, roles: [Role.DPO] });
      const report = async () => {
        const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: REPORT, variables: { from: '2025-11-28T00:00:00Z', to: '2026-11-28T00:00:00Z' } }),
        });
        const body = (await res.json()) as { errors?: unknown };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
      };
      await report(); // warm-up
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        await report();
        samples.push(performance.now() - s);
      }
      samples.sort((x, y) => x - y);
      const result = { complaints: options.complaints, runs, p50Ms: percentile(samples, 0.5), p95Ms: percentile(samples, 0.95), seedSeconds };
      log(
        `complianceReport, one-year window, ${options.complaints.toLocaleString('en')} complaints: p50 ${result.p50Ms.toFixed(1)} ms, p95 ${result.p95Ms.toFixed(1)} ms (${runs} runs)`,
      );
      return result;
    } finally {
      await app.stop();
    }
  } finally {
    await dataSource.destroy();
  }
}

async function vacuumAnalyze(url: string): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query('VACUUM ANALYZE');
  } finally {
    await db.end();
  }
}

async function provisionBench(url: string): Promise<void> {
  const dataSource = createDataSource(url, { poolSize: 2 });
  await dataSource.initialize();
  try {
    await provisionActor(dataSource, { sub: 'bench-dpo', tid: TENANT, roles: [Role.DPO], name: 'Bench DPO' });
  } finally {
    await dataSource.destroy();
  }
}

const REPORT = `query($from: DateTime!, $to: DateTime!) { complianceReport(from: $from, to: $to) {
  received resolved openAtEnd byStage { stage count } byRight { right count } byOutcome { outcome count } byRegime { regime count }
  sla { met breached running complianceRate byKind { kind met breached complianceRate } }
  medianDaysToResolution p90DaysToResolution escalationRate aging { label count } } }`;

/** `<complaints>/<seed version>` from the marker table, or null when the database was never fully seeded. */
async function seedMarker(url: string): Promise<string | null> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const rows = await db.query(`SELECT complaints, version FROM bench_seed`).catch(() => null);
    const row = rows?.rows[0] as { complaints: string; version: number } | undefined;
    return row ? `${row.complaints}/${row.version}` : null;
  } finally {
    await db.end();
  }
}

/** Refuses to start a seed the disk cannot hold (checked where the server keeps its data, when that is on this machine). */
async function checkDiskSpace(admin: Client, complaints: number, log: (line: string) => void): Promise<void> {
  const needed = complaints * BYTES_PER_COMPLAINT;
  const dir = await admin
    .query('SHOW data_directory')
    .then((r) => String(r.rows[0].data_directory))
    .catch(() => process.cwd());
  const where = existsSync(dir) ? dir : process.cwd();
  const stats = await statfs(where);
  const free = stats.bavail * stats.bsize;
  const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
  log(`seeding ${complaints.toLocaleString('en')} complaints needs about ${gb(needed)}; ${gb(free)} free at ${where}`);
  if (free < needed) throw new Error(`not enough disk space to seed ${complaints} complaints: ${gb(needed)} needed, ${gb(free)} free at ${where}`);
}

/**
 * Set-based seed in SQL for one tenant: complaints spread over four years up to now, most
 * older ones resolved (as in a working team), two timers each. Loaded with triggers and
 * foreign keys off and the secondary indexes dropped (rebuilt after: faster than row by
 * row), then the report rollups are rebuilt from the rows, as the migration's backfill does.
 */
async function seed(url: string, complaints: number, log: (line: string) => void): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`SET synchronous_commit = off`);
    await db.query(`SET maintenance_work_mem = '512MB'`);
    await db.query(`SET work_mem = '256MB'`);
    await db.query(`SET session_replication_role = replica`);
    await db.query(`SELECT set_config('app.tenant_id', $1, false)`, [TENANT]);
    const indexes = (
      await db.query(
        `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
         WHERE i.indrelid IN ('complaints'::regclass, 'sla_timers'::regclass) AND NOT i.indisprimary AND NOT i.indisunique`,
      )
    ).rows as { name: string; def: string }[];
    for (const index of indexes) await db.query(`DROP INDEX ${index.name}`);

    const step = async (name: string, sql: string, params: unknown[] = []) => {
      const t0 = performance.now();
      await db.query(sql, params);
      log(`  ${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    };
    await step(
      'complaints',
      `INSERT INTO complaints (tenant_id, reference, stage, status, rights, data_context, processing_role, regimes, jurisdiction, channel,
        summary, description, complainant_name, complainant_email, received_at, resolved_at, closed_at, outcome, next_due_at, version, resolution_days)
      SELECT $1, 'PC-' || extract(year FROM ts)::int || '-' || lpad(g::text, 8, '0'), stage, status,
        CASE g % 4 WHEN 0 THEN ARRAY['ACCESS'] WHEN 1 THEN ARRAY['ERASURE','ACCESS'] WHEN 2 THEN ARRAY['DO_NOT_SELL'] ELSE ARRAY['COMPLAINT'] END,
        CASE WHEN g % 6 = 5 THEN 'EMPLOYMENT' ELSE 'CONSUMER' END, 'CONTROLLER',
        CASE g % 4 WHEN 0 THEN ARRAY['GDPR','DPF'] WHEN 1 THEN ARRAY['CCPA'] WHEN 2 THEN ARRAY['UK_GDPR','DPF'] ELSE ARRAY['OTHER'] END,
        (ARRAY['DE','US-CA','GB','JP'])[1 + g % 4], 'EMAIL', 'Seeded complaint ' || g, 'Seeded description', 'Person ' || g, 'p' || g || '@example.com',
        ts, CASE WHEN status IN ('RESOLVED', 'CLOSED') THEN ts + make_interval(days => 1 + g % 60, mins => g % 1440) END,
        CASE WHEN status = 'CLOSED' THEN ts + make_interval(days => 2 + g % 60) END,
        CASE WHEN status IN ('RESOLVED', 'CLOSED') THEN (ARRAY['UPHELD','NOT_UPHELD','SETTLED','PARTIALLY_UPHELD'])[1 + g % 4] END,
        CASE WHEN status IN ('OPEN', 'AWAITING_COMPLAINANT') THEN ts + interval '30 days' END, 1,
        -- resolution_days as its trigger would set it (triggers are off while seeding): 1 + g % 60 days and < 1,440 minutes
        CASE WHEN status IN ('RESOLVED', 'CLOSED') THEN 1 + g % 60 END
      FROM (SELECT g, ts,
              (ARRAY['INTERNAL_DPO','INTERNAL_DPO','INTERNAL_DPO','INDEPENDENT_ADR','REGULATOR','INTERNAL_DPO'])[1 + g % 6] AS stage,
              CASE WHEN ts > now() - interval '90 days' AND g % 5 <> 0 THEN (CASE WHEN g % 7 = 0 THEN 'AWAITING_COMPLAINANT' ELSE 'OPEN' END)
                   WHEN g % 50 = 0 THEN 'OPEN' WHEN g % 3 = 0 THEN 'CLOSED' ELSE 'RESOLVED' END AS status
            FROM (SELECT g, date_trunc('milliseconds', now() - make_interval(secs => (($2 - g) * (4 * 365 * 86400.0 / $2)))) AS ts FROM generate_series(1, $2) g) a) s`,
      [TENANT, complaints],
    );
    await step(
      'timers',
      `INSERT INTO sla_timers (tenant_id, complaint_id, complaint_received_at, kind, regime, stage, status, started_at, due_at, warn_at, met_at, breached_at)
      SELECT c.tenant_id, c.id, c.received_at, k.kind, c.regimes[1], 'INTERNAL_DPO', s.status, c.received_at, c.received_at + k.span, c.received_at + k.span * 0.8,
        CASE WHEN s.status = 'MET' THEN c.received_at + k.span / 2 END, CASE WHEN s.status = 'BREACHED' THEN c.received_at + k.span END
      FROM complaints c
      CROSS JOIN (VALUES ('ACKNOWLEDGE', interval '10 days'), ('RESPOND', interval '45 days')) k(kind, span)
      CROSS JOIN LATERAL (SELECT CASE WHEN c.received_at + k.span > now() AND c.resolved_at IS NULL THEN 'RUNNING'
                                      WHEN (hashtext(c.id::text || k.kind) & 1023) % 10 = 0 THEN 'BREACHED' ELSE 'MET' END AS status) s`,
    );
    await db.query(`SET session_replication_role = origin`);
    for (const index of indexes) await step(`index ${index.name}`, index.def);
    await step('report rollups', `SELECT report_rollups_rebuild()`);
    await step('vacuum analyze', 'VACUUM ANALYZE');
    await db.query(`CREATE TABLE bench_seed (complaints bigint NOT NULL, version int NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())`);
    await db.query(`INSERT INTO bench_seed (complaints, version) VALUES ($1, $2)`, [complaints, SEED_VERSION]);
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const server = await openBenchServer();
  try {
    const runs = Number(process.env.BENCH_RUNS ?? 40);
    const sizes = [Number(process.env.BENCH_COMPLAINTS ?? 1_000_000), ...(process.env.BENCH_10M === '1' ? [10_000_000] : [])];
    for (const complaints of sizes) await runReportBench({ adminUrl: server.adminUrl, complaints, runs });
  } finally {
    await server.stop();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
