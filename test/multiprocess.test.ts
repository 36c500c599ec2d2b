import { ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createClient, Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { signDevToken, TokenClaims } from '../src/auth/jwt';
import { Role } from '../src/auth/roles';

/**
 * SPEC §2 and §5 with real processes: the API (`dist/src/main.js`) and the separate SLA
 * worker (`dist/src/worker/main.js`) built once, spawned on a fresh database of their own
 * (migrated by the processes themselves at start), killed, restarted, raced.
 */

const ROOT = path.resolve(__dirname, '..');
// A private build: `npm start` elsewhere (newcomer.test, a developer) rewrites dist/ while we run.
const BUILD = path.join(ROOT, '.data', `multiprocess-dist-${process.pid}-${randomBytes(3).toString('hex')}`);
const SECRET = 'multiprocess-secret-0123456789abcdef0123456789';
const ADMIN_URL = process.env.TEST_ADMIN_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DAY_MS = 86_400_000;
const SWISS = { jurisdiction: 'CH', regimes: ['SWISS_FADP'] }; // exactly one timer: SWISS_FADP / INTERNAL_DPO / RESPOND, P30D calendar

// ---------------------------------------------------------------------------------------
// processes

interface Proc {
  name: string;
  child: ChildProcess;
  out: string;
  url: string;
  port: number;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const procs: Proc[] = [];

function alive(p: Proc): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

function spawnProc(name: string, script: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [path.join(BUILD, script)], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', JWT_SECRET: SECRET, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p: Proc = {
    name,
    child,
    out: '',
    url: '',
    port: 0,
    exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.on('data', (c: Buffer) => (p.out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (p.out += c.toString()));
  procs.push(p);
  return p;
}

/** Resolves when the output matches; fails when the process exits first or time runs out. */
async function waitForOutput(p: Proc, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(p.out);
    if (match) return match;
    if (!alive(p)) throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) before ${pattern}:\n${p.out}`);
    if (Date.now() > deadline) throw new Error(`${p.name}: no ${pattern} within ${timeoutMs} ms:\n${p.out}`);
    await sleep(25);
  }
}

async function startApi(name: string, databaseUrl: string, slaWorker: 'in-process' | 'off'): Promise<Proc> {
  const p = spawnProc(name, 'src/main.js', { DATABASE_URL: databaseUrl, SLA_WORKER: slaWorker });
  const match = await waitForOutput(p, /"port":(\d+),[^\n]*"msg":"API ready at /, 60_000);
  p.port = Number(match[1]);
  p.url = `http://127.0.0.1:${p.port}`;
  return p;
}

async function startWorker(name: string, databaseUrl: string): Promise<Proc> {
  const p = spawnProc(name, 'src/worker/main.js', { DATABASE_URL: databaseUrl });
  await waitForOutput(p, /"msg":"SLA worker started"/, 60_000);
  return p;
}

async function kill(p: Proc, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (alive(p)) p.child.kill(signal);
  await withTimeout(p.exit, 10_000, `${p.name} to exit`);
}

async function killAll(): Promise<void> {
  await Promise.all(procs.filter(alive).map((p) => kill(p)));
}

/** Lines a process logged at level ≥ 50 (error, fatal): shown when a test fails. */
function errorLines(p: Proc): string[] {
  return p.out.split('\n').filter((l) => /"level":(50|60)/.test(l));
}

// ---------------------------------------------------------------------------------------
// databases

const databases = new Set<string>();

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/** An empty database: the processes migrate it themselves (under their advisory lock). */
async function freshDatabase(): Promise<{ url: string; sql: Client }> {
  const name = `cms_mp_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  databases.add(name);
  const url = withDatabase(ADMIN_URL, name);
  const sql = new Client({ connectionString: url }); // the owner: reads past row-level security
  await sql.connect();
  owners.push(sql);
  return { url, sql };
}

const owners: Client[] = [];

async function dropDatabases(): Promise<void> {
  await Promise.all(owners.splice(0).map((c) => c.end().catch(() => undefined)));
  for (const name of [...databases]) {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    databases.delete(name);
  }
}

// ---------------------------------------------------------------------------------------
// GraphQL over HTTP and graphql-ws

function token(tid: string, role: Role): Promise<string> {
  const claims: TokenClaims = { sub: `${tid}-${role.toLowerCase()}`, tid, roles: [role], name: `${role} of ${tid}` };
  return signDevToken(SECRET, claims);
}

async function gql(api: Proc, bearer: string, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: await res.json() };
}

async function data(api: Proc, bearer: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const { status, body } = await gql(api, bearer, query, variables);
  if (status !== 200 || body.errors) throw new Error(`${api.name}: HTTP ${status} ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

const FILE = `mutation($input: FileComplaintInput!) {
  fileComplaint(input: $input) { id reference regimes receivedAt slaTimers { id kind regime status dueAt } }
}`;

interface Filed {
  id: string;
  reference: string;
  receivedAt: string;
  slaTimers: { id: string; kind: string; regime: string; status: string; dueAt: string }[];
}

/** A complaint whose one SWISS_FADP clock (P30D from receivedAt) falls due at `dueAt`. */
function backDated(dueAt: number, n: number): Record<string, unknown> {
  return {
    ...SWISS,
    complainant: { name: `Complainant ${n}`, email: `c${n}@example.com` },
    rights: ['ACCESS'],
    channel: 'EMAIL',
    summary: `Back-dated complaint ${n}`,
    description: 'Received by post a month ago, logged today.',
    receivedAt: new Date(dueAt - 30 * DAY_MS).toISOString(),
  };
}

async function fileComplaint(api: Proc, bearer: string, input: Record<string, unknown>): Promise<Filed> {
  return (await data(api, bearer, FILE, { input })).fileComplaint;
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i], i);
      }
    }),
  );
  return results;
}

interface Feed {
  messages: any[];
  errors: unknown[];
  completed: boolean;
}

const wsClients: WsClient[] = [];

async function connect(api: Proc, bearer: string): Promise<WsClient> {
  let onConnected!: () => void;
  let onClosed!: (e: unknown) => void;
  const connected = new Promise<void>((resolve, reject) => {
    onConnected = resolve;
    onClosed = reject;
  });
  const client = createClient({
    url: `ws://127.0.0.1:${api.port}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${bearer}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: { connected: () => onConnected(), closed: (e) => onClosed(e) },
  });
  wsClients.push(client);
  await withTimeout(connected, 10_000, 'graphql-ws connection');
  return client;
}

function subscribe(client: WsClient, query: string, variables: Record<string, unknown> = {}): Feed {
  const feed: Feed = { messages: [], errors: [], completed: false };
  client.subscribe(
    { query, variables },
    {
      next: (m) => {
        if (m.errors) feed.errors.push(m.errors);
        else feed.messages.push(m.data);
      },
      error: (e) => feed.errors.push(e),
      complete: () => (feed.completed = true),
    },
  );
  return feed;
}

/** Opens a raw graphql-transport-ws socket, sends connection_init, returns how it closed. */
function rawConnectionClose(api: Proc, payload: Record<string, unknown> | undefined): Promise<{ code: number; acked: boolean }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${api.port}/graphql`, 'graphql-transport-ws');
      let acked = false;
      ws.on('open', () => ws.send(JSON.stringify(payload ? { type: 'connection_init', payload } : { type: 'connection_init' })));
      ws.on('message', (m) => {
        if (JSON.parse(m.toString()).type === 'connection_ack') {
          acked = true;
          ws.close(1000);
        }
      });
      ws.on('close', (code) => resolve({ code, acked }));
      ws.on('error', reject);
    }),
    10_000,
    'raw websocket close',
  );
}

// ---------------------------------------------------------------------------------------
// waiting

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what} (${ms} ms)`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `probe` returns something truthy; fails after `timeoutMs`. */
async function until<T>(what: string, timeoutMs: number, probe: () => T | Promise<T>, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(intervalMs);
  }
}

/** Sleeps until an instant computed by the test (a due instant), never longer than `maxMs`. */
async function sleepUntil(instant: number, maxMs = 30_000): Promise<void> {
  const ms = instant - Date.now();
  if (ms > maxMs) throw new Error(`refusing to sleep ${ms} ms`);
  if (ms > 0) await sleep(ms);
}

// ---------------------------------------------------------------------------------------
// checks shared by the breach tests

async function timerRows(sql: Client, ids: string[]) {
  return (
    await sql.query<{ id: string; status: string; due_at: Date; breached_at: Date | null; warned_at: Date | null }>(
      'SELECT id, status, due_at, breached_at, warned_at FROM sla_timers WHERE id = ANY($1::uuid[]) ORDER BY id',
      [ids],
    )
  ).rows;
}

async function countBreached(sql: Client, ids: string[]): Promise<number> {
  const { rows } = await sql.query(`SELECT count(*)::int AS n FROM sla_timers WHERE id = ANY($1::uuid[]) AND status = 'BREACHED'`, [ids]);
  return rows[0].n;
}

/** Audit events of one action per timer id (the timer is in `changes.timerId`). */
async function eventsPerTimer(sql: Client, action: string, ids: string[]): Promise<Map<string, number>> {
  const { rows } = await sql.query<{ timer_id: string; n: number }>(
    `SELECT changes->>'timerId' AS timer_id, count(*)::int AS n FROM audit_events
      WHERE action = $1 AND changes->>'timerId' = ANY($2::text[]) GROUP BY 1`,
    [action, ids],
  );
  return new Map(rows.map((r) => [r.timer_id, r.n]));
}

/** Waits until no SLA job of these timers is runnable any more (nothing left to fire late). */
async function jobsSettled(sql: Client, ids: string[], timeoutMs: number): Promise<void> {
  const keys = ids.map((id) => `sla:${id}`);
  await until(
    'the runnable SLA jobs to be worked off',
    timeoutMs,
    async () => {
      const { rows } = await sql.query(
        `SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE key = ANY($1::text[]) AND locked_at IS NULL AND run_at <= now() AND attempts < max_attempts`,
        [keys],
      );
      return rows[0].n === 0;
    },
    100,
  );
}

async function expectChainsGapFree(sql: Client): Promise<void> {
  const { rows } = await sql.query(
    `SELECT complaint_id, count(*)::int AS n, max(sequence) AS max FROM audit_events WHERE complaint_id IS NOT NULL GROUP BY 1 HAVING count(*) <> max(sequence)`,
  );
  expect(rows).toEqual([]);
}

const VERIFY = `query($id: ID!) { verifyAuditTrail(complaintId: $id) { valid eventsChecked brokenAtSequence } }`;
const TIMERS = `query($id: ID!) { complaint(id: $id) { id slaTimers { id status dueAt breachedAt } } }`;

// ---------------------------------------------------------------------------------------

jest.setTimeout(150_000);

beforeAll(async () => {
  // Built once into a private directory (node_modules resolve from the repository root).
  const tsc = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', BUILD, '--sourceMap', 'false'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  tsc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  tsc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => tsc.on('exit', resolve));
  if (code !== 0) throw new Error(`tsc failed:\n${out}`);
}, 120_000);

afterEach(async () => {
  await Promise.all(wsClients.splice(0).map((c) => c.dispose()));
  const failedLogs = procs.filter((p) => errorLines(p).length > 0).map((p) => `${p.name}:\n${errorLines(p).slice(0, 10).join('\n')}`);
  if (failedLogs.length > 0) console.warn(`error lines logged by the processes:\n${failedLogs.join('\n')}`);
  await killAll();
  procs.splice(0);
  await dropDatabases();
});

afterAll(async () => {
  await killAll();
  await dropDatabases().catch(() => undefined);
  rmSync(BUILD, { recursive: true, force: true });
});

test('Kill the service (SIGKILL) with timers due in the next seconds, restart: each is breached exactly once with the right breachedAt', async () => {
  const { url, sql } = await freshDatabase();
  const agent = await token('acme', Role.AGENT);
  const dpo = await token('acme', Role.DPO);
  let api = await startApi('api', url, 'in-process');
  await data(api, agent, '{ me { tenantId } }');
  await data(api, dpo, '{ me { tenantId } }');

  // Four clocks due 8 to 9.5 s from now: the real SWISS_FADP preset (P30D), back-dated intake.
  const base = Date.now() + 8_000;
  const dues = [0, 500, 1_000, 1_500].map((d) => base + d);
  const filed: Filed[] = [];
  for (const [i, due] of dues.entries()) filed.push(await fileComplaint(api, agent, backDated(due, i)));
  const timers = filed.map((c) => c.slaTimers);
  timers.forEach((list, i) => {
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ kind: 'RESPOND', regime: 'SWISS_FADP', status: 'RUNNING', dueAt: new Date(dues[i]).toISOString() });
  });
  const ids = timers.map((list) => list[0].id);
  // Their warnings (80 % of 30 days: long past) fire at once; wait for those, so the job
  // left in the queue for each timer is the breach at dueAt.
  await until('the four warnings', 5_000, async () => (await timerRows(sql, ids)).every((t) => t.warned_at !== null));

  if (Date.now() > dues[0] - 500) throw new Error('filing took too long: the first clock is (nearly) due before the kill');
  await kill(api, 'SIGKILL');
  const killedAt = Date.now();
  expect((await timerRows(sql, ids)).map((t) => t.status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);

  // Down across all four due instants.
  await sleepUntil(dues[3] + 1_000);
  expect((await timerRows(sql, ids)).map((t) => t.status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);

  const restartAt = Date.now();
  api = await startApi('api (restarted)', url, 'in-process');
  const readyAt = Date.now();
  await until('all four timers BREACHED after the restart', 30_000, async () => (await countBreached(sql, ids)) === ids.length);
  const allBreachedAt = Date.now();
  await jobsSettled(sql, ids, 15_000);

  const rows = await timerRows(sql, ids);
  for (const t of rows) {
    expect(t.status).toBe('BREACHED');
    expect(t.breached_at?.toISOString()).toBe(t.due_at.toISOString());
  }
  const breaches = await eventsPerTimer(sql, 'SLA_BREACHED', ids);
  const warnings = await eventsPerTimer(sql, 'SLA_WARNING', ids);
  expect(ids.map((id) => breaches.get(id) ?? 0)).toEqual([1, 1, 1, 1]);
  expect(ids.map((id) => warnings.get(id) ?? 0)).toEqual([1, 1, 1, 1]);
  expect((await sql.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'SLA_BREACHED'`)).rows[0].n).toBe(4);
  await expectChainsGapFree(sql);

  for (const [i, c] of filed.entries()) {
    const { complaint } = await data(api, dpo, TIMERS, { id: c.id });
    expect(complaint.slaTimers).toEqual([
      { id: ids[i], status: 'BREACHED', dueAt: new Date(dues[i]).toISOString(), breachedAt: new Date(dues[i]).toISOString() },
    ]);
    expect((await data(api, dpo, VERIFY, { id: c.id })).verifyAuditTrail).toMatchObject({ valid: true, brokenAtSequence: null });
  }
  console.log(
    `[multiprocess] kill/restart: down ${restartAt - killedAt} ms (last due ${restartAt - dues[3]} ms before restart); ` +
      `restart→ready ${readyAt - restartAt} ms; ready→all 4 breached ${allBreachedAt - readyAt} ms; restart→all breached ${allBreachedAt - restartAt} ms`,
  );
});

test('Two API processes + one worker process on one database, 200 timers due at once: 200 breaches, 200 audit events, no duplicates', async () => {
  const { url, sql } = await freshDatabase();
  // Three processes migrate the empty database at once (advisory lock), then three SLA workers race.
  const startAt = Date.now();
  const [api1, api2, worker] = await Promise.all([startApi('api1', url, 'in-process'), startApi('api2', url, 'in-process'), startWorker('worker', url)]);
  const upAt = Date.now();
  const agent = await token('acme', Role.AGENT);
  const dpo = await token('acme', Role.DPO);
  // Just-in-time provisioning of one tenant from two replicas at once.
  await Promise.all([api1, api2].flatMap((api) => [data(api, agent, '{ me { tenantId } }'), data(api, dpo, '{ me { tenantId } }')]));

  const N = 200;
  // The lead time: measured, not guessed. A warm-up batch in another tenant (back-dated
  // too, so its warnings load the workers as the real batch will) gives the filing rate
  // under this machine's current load; the 200 clocks then fall due at 2.5x the estimate.
  // The first round only warms the processes up (JIT, provisioning); the second is timed.
  const warmAgent = await token('warmup', Role.AGENT);
  const warmUp = (from: number, count: number) =>
    pool(
      Array.from({ length: count }, (_, i) => from + i),
      12,
      (i) => fileComplaint(i % 2 === 0 ? api1 : api2, warmAgent, backDated(Date.now() + DAY_MS, 1_000 + i)),
    );
  await warmUp(0, 12);
  const warmStart = Date.now();
  await warmUp(12, 24);
  const estimate = ((Date.now() - warmStart) / 24) * N;
  const lead = Math.min(120_000, Math.max(10_000, Math.round(2.5 * estimate)));
  const due = Date.now() + lead;
  const fileStart = Date.now();
  const filed = await pool(
    Array.from({ length: N }, (_, i) => i),
    12,
    (i) => fileComplaint(i % 2 === 0 ? api1 : api2, agent, backDated(due, i)),
  );
  const fileEnd = Date.now();
  // All 200 share one dueAt whatever the filing speed; filed after it, a clock is simply due
  // at once (still exactly one breach at dueAt), but then they no longer fall due together.
  if (fileEnd > due)
    console.warn(`[multiprocess] filing ${N} took ${fileEnd - fileStart} ms, past the due instant ${lead} ms ahead: some clocks were due when filed`);
  const ids = filed.flatMap((c) => c.slaTimers.map((t) => t.id));
  expect(ids).toHaveLength(N);
  expect(new Set(filed.flatMap((c) => c.slaTimers.map((t) => t.dueAt)))).toEqual(new Set([new Date(due).toISOString()]));
  expect((await sql.query(`SELECT count(*)::int AS n FROM sla_timers WHERE tenant_id = 'acme'`)).rows[0].n).toBe(N);

  await sleepUntil(due, 125_000);
  const breachedAtMs = await until(`${N} timers BREACHED`, 90_000, async () => ((await countBreached(sql, ids)) === N ? Date.now() : 0), 50);
  expect(breachedAtMs - due).toBeLessThanOrEqual(60_000); // SPEC §5: within 60 s while the service runs
  await jobsSettled(sql, ids, 20_000);

  // Exactly once: one event per timer, no timer twice, every breachedAt = dueAt.
  const {
    rows: [counts],
  } = await sql.query(
    `SELECT (SELECT count(*)::int FROM audit_events WHERE tenant_id = 'acme' AND action = 'SLA_BREACHED') AS breaches,
            (SELECT count(*)::int FROM audit_events WHERE tenant_id = 'acme' AND action = 'SLA_WARNING') AS warnings,
            (SELECT count(*)::int FROM sla_timers WHERE tenant_id = 'acme' AND status = 'BREACHED' AND breached_at = due_at) AS exact,
            (SELECT count(*)::int FROM complaints WHERE tenant_id = 'acme' AND next_due_at IS NOT NULL) AS still_due`,
  );
  expect(counts).toEqual({ breaches: N, warnings: N, exact: N, still_due: 0 });
  // The warm-up tenant: one warning per timer, no breach (due tomorrow).
  const {
    rows: [warm],
  } = await sql.query(
    `SELECT (SELECT count(*)::int FROM audit_events WHERE tenant_id = 'warmup' AND action = 'SLA_WARNING') AS warnings,
            (SELECT count(*)::int FROM audit_events WHERE tenant_id = 'warmup' AND action = 'SLA_BREACHED') AS breaches`,
  );
  expect(warm).toEqual({ warnings: 36, breaches: 0 });
  const { rows: twice } = await sql.query(
    `SELECT changes->>'timerId' AS timer_id, action, count(*)::int AS n FROM audit_events
      WHERE action IN ('SLA_BREACHED', 'SLA_WARNING') GROUP BY 1, 2 HAVING count(*) > 1`,
  );
  expect(twice).toEqual([]);
  const breaches = await eventsPerTimer(sql, 'SLA_BREACHED', ids);
  expect(ids.filter((id) => breaches.get(id) !== 1)).toEqual([]);
  await expectChainsGapFree(sql);
  const {
    rows: [spread],
  } = await sql.query(`SELECT min(at) AS first, max(at) AS last FROM audit_events WHERE tenant_id = 'acme' AND action = 'SLA_BREACHED'`);

  const verified = await pool(filed, 8, async (c, i) => (await data(i % 2 === 0 ? api2 : api1, dpo, VERIFY, { id: c.id })).verifyAuditTrail);
  expect(verified.filter((v) => !v.valid)).toEqual([]);

  const byProcess = [api1, api2, worker].map((p) => `${p.name}=${(p.out.match(/"kind":"BREACHED","msg":"sla timer event"/g) ?? []).length}`);
  console.log(
    `[multiprocess] 200 timers: 3 processes up (concurrent migrations) in ${upAt - startAt} ms; lead ${lead} ms (estimate ${Math.round(estimate)} ms); filed ${N} in ${fileEnd - fileStart} ms; ` +
      `due→all ${N} breached ${breachedAtMs - due} ms (breach events written ${new Date(spread.first).getTime() - due}..${new Date(spread.last).getTime() - due} ms after due); ` +
      `breaches by process: ${byProcess.join(', ')}`,
  );
}, 300_000);

test('A subscription client connected to replica 1 receives the breach raised by the worker, and the complaintEvents of a note added through replica 2; a client of another tenant receives neither', async () => {
  const { url, sql } = await freshDatabase();
  const [api1, api2] = await Promise.all([startApi('api1', url, 'off'), startApi('api2', url, 'off'), startWorker('worker', url)]);
  const acmeAgent = await token('acme', Role.AGENT);
  const acmeDpo = await token('acme', Role.DPO);
  const otherAgent = await token('other', Role.AGENT);
  const otherDpo = await token('other', Role.DPO);

  const x = await fileComplaint(api2, acmeAgent, {
    ...SWISS,
    complainant: { name: 'Eva', email: 'eva@example.com' },
    rights: ['ACCESS'],
    channel: 'EMAIL',
    summary: 'Note target',
    description: 'd',
  });

  const a = await connect(api1, acmeDpo);
  const b = await connect(api1, otherDpo);
  const ALERTS = 'subscription { slaAlerts { kind reference complaintId timer { id status dueAt breachedAt } } }';
  const EVENTS = 'subscription($id: ID) { complaintEvents(complaintId: $id) { id action complaintId sequence changes actor { id } } }';
  const aAlerts = subscribe(a, ALERTS);
  const aEvents = subscribe(a, EVENTS, { id: x.id });
  const bAlerts = subscribe(b, ALERTS);
  const bEvents = subscribe(b, EVENTS); // all of its own tenant's events
  const bEventsOfX = subscribe(b, EVENTS, { id: x.id }); // acme's complaint id, from the other tenant

  // Readiness (a subscription has no acknowledgement): probe until each feed delivers once.
  // The probes of tenant "other" are back-dated 29 days: their warning fires at once, the breach a day later.
  const note = (body: string) =>
    data(api2, acmeAgent, 'mutation($id: ID!, $body: String!) { addNote(complaintId: $id, body: $body) { id } }', { id: x.id, body });
  const probe = async (what: string, act: () => Promise<unknown>, ready: () => boolean) => {
    for (let attempt = 1; !ready(); attempt++) {
      if (attempt > 10) throw new Error(`subscription never became ready: ${what}`);
      await act();
      await until(what, 2_000, ready).catch(() => undefined);
    }
  };
  const warnOnly = (n: number) => ({ ...backDated(Date.now() + DAY_MS, n) });
  const otherIds = new Set<string>();
  const acmeIds = new Set<string>([x.id]);
  await probe(
    'acme complaintEvents(X)',
    () => note('probe'),
    () => aEvents.messages.length > 0,
  );
  await probe(
    'acme slaAlerts',
    async () => acmeIds.add((await fileComplaint(api2, acmeAgent, warnOnly(100))).id),
    () => aAlerts.messages.length > 0,
  );
  await probe(
    'other tenant feeds',
    async () => otherIds.add((await fileComplaint(api2, otherAgent, warnOnly(200))).id),
    () => bEvents.messages.length > 0 && bAlerts.messages.length > 0,
  );

  // A note added through replica 2 reaches the acme client on replica 1, once.
  const added = (await note('Called the complainant back')).addNote;
  const noteEvent = await until('NOTE_ADDED on replica 1', 10_000, () => aEvents.messages.find((m) => m.complaintEvents.changes?.noteId?.to === added.id));
  expect(noteEvent.complaintEvents).toMatchObject({ action: 'NOTE_ADDED', complaintId: x.id, actor: { id: 'acme-agent' } });

  // An acme clock that falls due in 4 s: the separate worker breaches it, replica 1's client hears it.
  const dueAt = Date.now() + 4_000;
  const y = await fileComplaint(api2, acmeAgent, backDated(dueAt, 1));
  acmeIds.add(y.id);
  const timerId = y.slaTimers[0].id;
  const breach = await until('BREACHED alert on replica 1', 60_000, () =>
    aAlerts.messages.find((m) => m.slaAlerts.kind === 'BREACHED' && m.slaAlerts.timer.id === timerId),
  );
  const alertLatency = Date.now() - dueAt;
  expect(alertLatency).toBeLessThanOrEqual(60_000);
  expect(breach.slaAlerts).toEqual({
    kind: 'BREACHED',
    reference: y.reference,
    complaintId: y.id,
    timer: { id: timerId, status: 'BREACHED', dueAt: new Date(dueAt).toISOString(), breachedAt: new Date(dueAt).toISOString() },
  });
  expect(aAlerts.messages.some((m) => m.slaAlerts.kind === 'WARNING' && m.slaAlerts.timer.id === timerId)).toBe(true);

  // A quiet window for anything late or duplicated (NOTIFY reaches both clients through one listener).
  await sleep(1_500);
  expect(aEvents.messages.filter((m) => m.complaintEvents.changes?.noteId?.to === added.id)).toHaveLength(1);
  expect(aAlerts.messages.filter((m) => m.slaAlerts.kind === 'BREACHED' && m.slaAlerts.timer.id === timerId)).toHaveLength(1);
  expect(aEvents.messages.every((m) => m.complaintEvents.complaintId === x.id)).toBe(true);
  expect(aAlerts.messages.every((m) => acmeIds.has(m.slaAlerts.complaintId))).toBe(true);
  // The other tenant: only its own events, nothing of acme's, and nothing for acme's complaint id.
  expect(bEvents.messages.map((m) => m.complaintEvents.complaintId).filter((id) => !otherIds.has(id))).toEqual([]);
  expect(bAlerts.messages.map((m) => m.slaAlerts.complaintId).filter((id) => !otherIds.has(id))).toEqual([]);
  expect(bEventsOfX.messages).toEqual([]);
  for (const feed of [aAlerts, aEvents, bAlerts, bEvents, bEventsOfX]) expect(feed.errors).toEqual([]);
  expect((await eventsPerTimer(sql, 'SLA_BREACHED', [timerId])).get(timerId)).toBe(1);

  // No token, a bad token, a token signed with another secret: closed with 4401, never acknowledged.
  const forged = await signDevToken('another-secret-0123456789abcdef0123456789', { sub: 'x', tid: 'acme', roles: [Role.DPO] });
  for (const payload of [undefined, {}, { authorization: 'Bearer not-a-jwt' }, { authorization: `Bearer ${forged}` }]) {
    expect(await rawConnectionClose(api1, payload)).toEqual({ code: 4401, acked: false });
  }
  expect(await rawConnectionClose(api1, { authorization: `Bearer ${acmeDpo}` })).toEqual({ code: 1000, acked: true }); // control
  console.log(`[multiprocess] subscriptions: BREACHED alert on replica 1 ${alertLatency} ms after dueAt (raised by the separate worker)`);
});

test('Graceful shutdown: SIGTERM while a request is in flight → the request completes with 200 and the process exits 0', async () => {
  const { url, sql } = await freshDatabase();
  const api = await startApi('api', url, 'in-process');
  const agent = await token('acme', Role.AGENT);
  const dpo = await token('acme', Role.DPO);
  await data(api, dpo, '{ me { tenantId } }');
  const n = 30;
  await pool(
    Array.from({ length: n }, (_, i) => i),
    6,
    (i) =>
      fileComplaint(api, agent, {
        jurisdiction: 'DE',
        complainant: { name: `C ${i}`, email: `c${i}@example.com` },
        rights: ['ACCESS'],
        channel: 'EMAIL',
        summary: `s${i}`,
        description: 'd',
      }),
  );

  // Hold the request inside its database read, so it is provably in flight when SIGTERM comes.
  const blocker = new Client({ connectionString: url });
  await blocker.connect();
  owners.push(blocker);
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE complaints IN ACCESS EXCLUSIVE MODE');
  let settled = false;
  const inFlight = gql(api, dpo, '{ complaints(first: 100) { totalCount edges { node { id reference slaTimers { id status } notes { id } } } } }').finally(
    () => (settled = true),
  );
  await until('the request to wait on the lock', 10_000, async () => {
    // pg_locks, not pg_stat_activity's query text: that is cut at 1 kB, before a wide SELECT's FROM.
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE NOT l.granted AND c.relname = 'complaints'`,
    );
    return rows[0].n > 0;
  });

  const termAt = Date.now();
  api.child.kill('SIGTERM');
  await waitForOutput(api, /"msg":"shutting down: draining requests"/, 5_000);
  await sleep(200);
  expect(alive(api)).toBe(true); // draining: waits for the request
  expect(settled).toBe(false);
  await blocker.query('ROLLBACK');

  const res = await withTimeout(inFlight, 15_000, 'the in-flight request');
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data.complaints.totalCount).toBe(n);
  expect(res.body.data.complaints.edges).toHaveLength(n);
  expect(await withTimeout(api.exit, 20_000, 'the process to exit')).toEqual({ code: 0, signal: null });
  const exitedAt = Date.now();
  expect(api.out).toMatch(/"msg":"HTTP drained"/);
  expect(api.out).toMatch(/"msg":"stopped"/);
  console.log(`[multiprocess] graceful shutdown: SIGTERM→exit 0 in ${exitedAt - termAt} ms (request held ~200 ms past SIGTERM)`);
});

/** One POST /graphql on a keep-alive agent: the response, or the connection error it got instead. */
function postOnAgent(
  api: Proc,
  agent: http.Agent,
  bearer: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ status: number; body: any; connection: string | undefined } | { error: string }> {
  return new Promise((resolve) => {
    const payload = JSON.stringify({ query, variables });
    const req = http.request(
      {
        host: '127.0.0.1',
        port: api.port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${bearer}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), connection: res.headers.connection }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(payload);
  });
}

test('SIGTERM under 16 keep-alive writers: every committed note was answered, every unanswered one was never committed, and the process exits 0', async () => {
  const { url, sql } = await freshDatabase();
  const api = await startApi('api', url, 'off');
  const bearer = await token('acme', Role.AGENT);
  const cases = await pool([0, 1, 2, 3], 4, (i) =>
    fileComplaint(api, bearer, {
      ...SWISS,
      complainant: { name: `Writer ${i}`, email: `w${i}@example.com` },
      rights: ['ACCESS'],
      channel: 'EMAIL',
      summary: `Notes ${i}`,
      description: 'd',
    }),
  );
  const ADD = 'mutation($id: ID!, $body: String!) { addNote(complaintId: $id, body: $body) { id body } }';
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let terminatedAt = 0;
  const answered: { id: string; body: string; afterTerm: boolean; connection: string | undefined }[] = [];
  const failed: { error: string; afterTerm: boolean }[] = [];
  const refused: string[] = [];
  const writers = Array.from({ length: 16 }, async (_, w) => {
    // Each writer loops until the server refuses new connections (it has stopped listening).
    for (let n = 0; ; n++) {
      const body = `sigterm-w${w}-n${n}`;
      const res = await postOnAgent(api, agent, bearer, ADD, { id: cases[w % cases.length].id, body });
      const afterTerm = terminatedAt > 0;
      if ('error' in res) {
        if (res.error === 'ECONNREFUSED') return;
        failed.push({ error: res.error, afterTerm });
      } else if (res.status === 200 && !res.body.errors) {
        answered.push({ ...res.body.data.addNote, afterTerm, connection: res.connection });
      } else {
        refused.push(`${body}: HTTP ${res.status} ${JSON.stringify(res.body.errors)}`);
      }
    }
  });

  await until('a steady stream of notes', 20_000, () => answered.length >= 150);
  terminatedAt = Date.now();
  api.child.kill('SIGTERM');
  await withTimeout(Promise.all(writers), 30_000, 'the writers to stop');
  expect(await withTimeout(api.exit, 30_000, 'the process to exit')).toEqual({ code: 0, signal: null });
  agent.destroy();

  // Nothing refused, nothing failed before the signal.
  expect(refused).toEqual([]);
  expect(failed.filter((f) => !f.afterTerm)).toEqual([]);
  // What the database holds is exactly what the clients were told: no committed note went
  // unanswered (a client would retry it and duplicate it), no answered one is missing.
  const { rows } = await sql.query<{ id: string; body: string }>(`SELECT id, body FROM notes WHERE body LIKE 'sigterm-%'`);
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  expect(rows.length).toBe(answered.length);
  expect(rows.sort(byId)).toEqual(answered.map(({ id, body }) => ({ id, body })).sort(byId));
  // The requests caught by the drain were answered and told to reconnect elsewhere.
  const drained = answered.filter((a) => a.afterTerm);
  expect(drained.length).toBeGreaterThan(0);
  expect(drained.filter((a) => a.connection === 'close').length).toBeGreaterThan(0);
  expect(api.out).toMatch(/"msg":"HTTP drained"/);
  console.log(
    `[multiprocess] SIGTERM under 16 keep-alive writers: ${answered.length} notes answered (${drained.length} after SIGTERM, ` +
      `${drained.filter((a) => a.connection === 'close').length} with Connection: close), ${failed.length} connection errors with nothing committed (${[...new Set(failed.map((f) => f.error))].join(', ') || 'none'})`,
  );
});
