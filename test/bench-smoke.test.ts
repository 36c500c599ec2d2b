import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { Role } from '../src/auth/roles';
import type { BenchContext } from '../src/bench/bench-context';
import { loadGraphql } from '../src/bench/http-load';
import { ESCALATE_SCRIPT, fileComplaintScript, FloorSamples, runPgbench } from '../src/bench/sql-floor';
import { startWireCounter } from '../src/bench/wire-counter';
import { deComplaint, FILE_MUTATION, fileVariables, takeSamples } from '../src/bench/write-path-bench';
import { startTestApp, TestApp } from './support/harness';

/**
 * The pieces of `npm run bench` (src/bench/), small and fast, so they cannot rot: the SQL
 * floors write what the service writes and pass its database guards, the HTTP load counts
 * GraphQL errors as failures, the wire counter counts round trips. Figures are not asserted:
 * benchmarks are scripts, not timed tests.
 */
const hasPgbench = (() => {
  try {
    execFileSync('pgbench', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const describeWithPgbench = hasPgbench ? describe : describe.skip;
if (!hasPgbench) console.warn('bench-smoke: pgbench not installed (apt-get install postgresql-client): floor tests skipped');

let t: TestApp;
let ctx: BenchContext;
let owner: Client;
let samples: FloorSamples;

beforeAll(async () => {
  t = await startTestApp();
  await new Promise<void>((resolve) => t.app.httpServer.listen(0, '127.0.0.1', resolve));
  const port = (t.app.httpServer.address() as { port: number }).port;
  owner = new Client({ connectionString: t.databaseUrl });
  await owner.connect();
  const tokens = new Map<string, string>();
  for (const tid of ['floor-01', 'load-01']) tokens.set(tid, await t.token([Role.DPO, Role.AGENT], { tid, sub: 'bench-dpo' }));
  ctx = { baseUrl: `http://127.0.0.1:${port}`, owner, databaseUrl: t.databaseUrl, token: (tid) => tokens.get(tid)! };
  samples = await takeSamples(ctx, ['floor-01', 'load-01']);
});

afterAll(async () => {
  await owner?.end();
  await t?.close();
});

const rowsOf = async (tenant: string) =>
  (
    await owner.query<{ reference: string; stage: string; timers: number; running: number; events: number; head: number; jobs: number }>(
      `SELECT c.reference, c.stage, c.audit_head_sequence AS head,
         (SELECT count(*)::int FROM sla_timers s WHERE s.complaint_id = c.id) AS timers,
         (SELECT count(*)::int FROM sla_timers s WHERE s.complaint_id = c.id AND s.status = 'RUNNING') AS running,
         (SELECT count(*)::int FROM audit_events e WHERE e.complaint_id = c.id) AS events,
         (SELECT count(*)::int FROM graphile_worker.jobs j JOIN sla_timers s ON j.key = 'sla:' || s.id WHERE s.complaint_id = c.id) AS jobs
       FROM complaints c WHERE c.tenant_id = $1 ORDER BY c.reference`,
      [tenant],
    )
  ).rows;

describeWithPgbench('SQL floors of the bench', () => {
  it('the fileComplaint floor writes the rows the service writes, references without gaps, through the tenant gate', async () => {
    const run = await runPgbench({
      url: t.databaseUrl,
      script: fileComplaintScript('per-client'),
      clients: 2,
      transactionsPerClient: 3,
      variables: fileVariables(samples, 1),
    });
    expect(run).toMatchObject({ transactions: 6, failed: 0 });
    expect(run.tps).toBeGreaterThan(0);

    const [service] = await rowsOf('load-01');
    expect(service).toMatchObject({ timers: 2, running: 2, events: 3, head: 3, jobs: 2 });
    const floor = await rowsOf('floor-01');
    const year = new Date().getUTCFullYear();
    // 000001 is the service's sample (escalated to take the escalation's payloads); 2..7 the floor's.
    expect(floor.map((r) => r.reference)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `PC-${year}-${String(n).padStart(6, '0')}`));
    for (const row of floor.slice(1)) expect(row).toMatchObject({ stage: 'INTERNAL_DPO', timers: 2, running: 2, events: 3, head: 3, jobs: 2 });
  });

  it('the escalateComplaint floor escalates floor cases in reference order: two clocks cancelled, one started, four events', async () => {
    const run = await runPgbench({
      url: t.databaseUrl,
      script: ESCALATE_SCRIPT,
      clients: 1,
      transactionsPerClient: 2,
      variables: {
        n: 1,
        ntenants: 1,
        prefix: 'floor-',
        actor: samples.actorId,
        ch1: samples.escalationChanges[0],
        ch2: samples.escalationChanges[1],
        ch3: samples.escalationChanges[2],
        terms: samples.regulatorTerms,
      },
    });
    expect(run).toMatchObject({ transactions: 2, failed: 0 });
    const floor = await rowsOf('floor-01');
    expect(floor.slice(1, 3)).toEqual([
      expect.objectContaining({ stage: 'REGULATOR', timers: 3, running: 1, events: 7, head: 7, jobs: 1 }),
      expect.objectContaining({ stage: 'REGULATOR', timers: 3, running: 1, events: 7, head: 7, jobs: 1 }),
    ]);
    expect(floor[3]).toMatchObject({ stage: 'INTERNAL_DPO', events: 3 });
  });

  it('a floor statement the database refuses aborts the run with the error, never a figure', async () => {
    const bad = { ...fileVariables(samples, 1), ch1: 'not json' };
    await expect(runPgbench({ url: t.databaseUrl, script: fileComplaintScript(), clients: 1, transactionsPerClient: 1, variables: bad })).rejects.toThrow(
      /pgbench.*(json|aborted)/i,
    );
  });
});

describe('HTTP load of the bench', () => {
  it('counts completed filings, and GraphQL errors in a 200 as failures', async () => {
    const good = await loadGraphql({
      baseUrl: ctx.baseUrl,
      connections: 2,
      amount: 6,
      next: () => ({ token: ctx.token('load-01'), query: FILE_MUTATION, variables: { input: deComplaint() } }),
    });
    expect(good).toMatchObject({ completed: 6, failed: 0 });
    const bad = await loadGraphql({
      baseUrl: ctx.baseUrl,
      connections: 2,
      amount: 4,
      next: () => ({ token: ctx.token('load-01'), query: FILE_MUTATION, variables: { input: { ...deComplaint(), jurisdiction: '' } } }),
    });
    expect(bad.completed).toBe(0);
    expect(bad.failed).toBe(4);
    expect(bad.firstError).toMatch(/^200 .*BAD_USER_INPUT/);
  });
});

describe('wire counter of the bench', () => {
  it('counts each query as a round trip, and BEGIN, COMMIT and the tenant gate as framing', async () => {
    const url = new URL(t.databaseUrl);
    const counter = await startWireCounter(url.hostname, Number(url.port || 5432));
    url.hostname = '127.0.0.1';
    url.port = String(counter.port);
    const client = new Client({ connectionString: url.toString(), options: '-c role=cms_app' });
    try {
      await client.connect();
      counter.reset();
      await client.query('START TRANSACTION');
      await client.query('SELECT cms_enter_tenant($1)', ['load-01']);
      await client.query('SELECT count(*) FROM complaints WHERE stage = $1', ['INTERNAL_DPO']);
      await client.query('SELECT 1');
      await client.query('COMMIT');
      expect(counter.counts()).toEqual({ roundTrips: 5, framing: 3, transactions: 1 });
    } finally {
      await client.end();
      await counter.close();
    }
  });
});
