import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { signDevToken } from '../auth/jwt';
import { Role } from '../auth/roles';
import { BenchFigure, BenchResults, figure, formatTable, writeResults } from './bench-results';
import { BENCH_DATABASE, openBenchServer, recreateDatabase, serverVersion, startService } from './bench-service';
import { fileComplaintFloor, escalateFloor, takeSamples } from './write-path-bench';
import { countRoundTrips } from './round-trips-bench';
import { recordedFloors } from './sql-floor';
import { breachTimersAtOnce, importBatch, nestedPage, runReportBench } from './read-and-batch-bench';
import { ACTOR, BenchContext, FLOOR_PREFIX, LOAD_PREFIX, SECRET, SETTINGS, tenantNames } from './bench-context';

/**
 * npm run bench — one run, one table (issue 12): every figure of the write path, the read
 * path and the batch paths, next to its floor measured in the same run on the same database,
 * as a ratio, with the target and PASS/FAIL. Writes bench-results.json and bench-results.md.
 *
 * BENCH_SMOKE=1: 2 s phases and small batches (keeps the pieces from rotting; figures meaningless).
 * BENCH_SECONDS: length of each load phase (default 10). BENCH_REPORT=0: skip the 1 M report.
 */
async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg()[0];
  const server = await openBenchServer();
  const figures: BenchFigure[] = [];
  let postgres: string;
  try {
    const databaseUrl = await recreateDatabase(server.adminUrl, BENCH_DATABASE);
    postgres = await serverVersion(databaseUrl);
    const service = await startService(databaseUrl, SECRET);
    const owner = new Client({ connectionString: databaseUrl });
    await owner.connect();
    try {
      const tenants = [...tenantNames(FLOOR_PREFIX, SETTINGS.tenants), ...tenantNames(LOAD_PREFIX, SETTINGS.tenants)];
      const tokens = new Map<string, string>();
      for (const tid of tenants) tokens.set(tid, await signDevToken(SECRET, { sub: ACTOR, tid, roles: [Role.DPO, Role.AGENT], name: 'Bench DPO' }, '4h'));
      const ctx: BenchContext = { baseUrl: service.baseUrl, owner, databaseUrl, token: (tid) => tokens.get(tid)! };
      /** One phase: its figures, or one FAIL line naming what went wrong (the other phases still run). */
      const phase = async (name: string, run: () => Promise<BenchFigure[]>) => {
        console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${name}`);
        try {
          figures.push(...(await run()));
        } catch (error) {
          console.error(`[bench] ${name} failed:`, error);
          figures.push({ ...figure(name, null, '', null), target: 'runs', pass: false, note: `failed: ${String(error).slice(0, 300)}` });
        }
      };

      console.log('[bench] provisioning tenants and taking the service’s own rows as the floor’s payloads');
      const samples = await takeSamples(ctx, tenants);
      const spread = { floorTps: 0, httpRps: 0 };
      await phase('fileComplaint, 16 tenants: SQL floor, then HTTP', async () => {
        const run = await fileComplaintFloor(ctx, samples, SETTINGS.tenants, '16 tenants');
        Object.assign(spread, run);
        return run.figures;
      });
      await phase('fileComplaint, 1 tenant: SQL floor, then HTTP', async () => (await fileComplaintFloor(ctx, samples, 1, '1 tenant')).figures);
      await phase('escalateComplaint: SQL floor, then HTTP', () => escalateFloor(ctx, samples, spread));
      await phase('a page of 100 complaints with nested fields', () => nestedPage(ctx));
      await phase('round trips per request, counted on the wire', () => countRoundTrips(ctx, SECRET));
      await phase(`importComplaints of ${SETTINGS.importItems} items`, () => importBatch(ctx, samples));
      await phase(`${SETTINGS.slaTimers} SLA timers due at once`, () => breachTimersAtOnce(ctx, samples));
    } finally {
      await owner.end();
      await service.stop();
    }
    if (SETTINGS.report) {
      console.log(`[bench] complianceReport at ${SETTINGS.reportComplaints} complaints (src/bench/report-bench.ts)`);
      try {
        figures.push(...(await runReportBench(server.adminUrl)));
      } catch (error) {
        figures.push({ ...figure('complianceReport', null, '', null), target: 'runs', pass: false, note: `failed: ${String(error).slice(0, 300)}` });
      }
    }
  } finally {
    await server.stop();
  }
  const results: BenchResults = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.versions.node, postgres, loadAverage: [loadAtStart, os.loadavg()[0]] },
    settings: { ...SETTINGS },
    figures,
  };
  console.log(`\n${formatTable(results)}\n`);
  writeResults(results, 'bench-results.json', 'bench-results.md');
  writeFloors('bench-floors');
  console.log('written: bench-results.json, bench-results.md, bench-floors/ (the pgbench floors, to run again from outside)');
}

/** Each floor's script and its pgbench command line, e.g. to measure the floor again from outside. */
function writeFloors(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const lines = [
    '#!/bin/sh',
    '# The floors of the last `npm run bench`, in its order: DB=postgres://owner@host/cms_bench_load sh run.sh',
    '# (the bench database as its owner; the escalation floor takes the cases the file floors wrote, from PC-<year>-000002 on).',
    'set -e',
    'cd "$(dirname "$0")"',
  ];
  for (const floor of recordedFloors) {
    writeFileSync(path.join(dir, `${floor.label}.sql`), floor.script);
    const quoted = floor.args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    lines.push(`PGOPTIONS='-c role=cms_app' pgbench ${quoted} "$DB"`);
  }
  writeFileSync(path.join(dir, 'run.sh'), `${lines.join('\n')}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
