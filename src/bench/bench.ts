import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { signDevToken } from '../auth/jwt';
import { Role } from '../auth/roles';
import { BenchFigure, BenchResults, formatTable, writeResults } from './bench-results';
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
      const step = (name: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${name}`);

      step('provisioning tenants and taking the service’s own rows as the floor’s payloads');
      const samples = await takeSamples(ctx, tenants);
      step('fileComplaint, 16 tenants: SQL floor, then HTTP');
      const spread = await fileComplaintFloor(ctx, samples, SETTINGS.tenants, '16 tenants');
      figures.push(...spread.figures);
      step('fileComplaint, 1 tenant: SQL floor, then HTTP');
      figures.push(...(await fileComplaintFloor(ctx, samples, 1, '1 tenant')).figures);
      step('escalateComplaint: SQL floor, then HTTP');
      figures.push(...(await escalateFloor(ctx, samples, spread)));
      step('a page of 100 complaints with nested fields');
      figures.push(...(await nestedPage(ctx)));
      step('round trips per request, counted on the wire (a second instance of the service)');
      figures.push(...(await countRoundTrips(ctx, SECRET)));
      step(`importComplaints of ${SETTINGS.importItems} items`);
      figures.push(...(await importBatch(ctx, samples)));
      step(`${SETTINGS.slaTimers} SLA timers due at once`);
      figures.push(...(await breachTimersAtOnce(ctx)));
    } finally {
      await owner.end();
      await service.stop();
    }
    if (SETTINGS.report) {
      console.log(`[bench] complianceReport at ${SETTINGS.reportComplaints} complaints (src/bench/report-bench.ts)`);
      figures.push(...(await runReportBench(server.adminUrl)));
    }
  } finally {
    await server.stop();
  }
  const results: BenchResults = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.versions.node, postgres },
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
