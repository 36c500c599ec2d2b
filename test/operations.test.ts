import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { ensureBuilt, processesMentioning, ROOT, startService, waitFor } from './support/processes';

/** SPEC §2 "Operating it": signals, failed starts and the token CLI, through real processes. */
const DATA_DIR = path.join(ROOT, '.data', `ops-${process.pid}`);
const EMBEDDED = { DATA_DIR, DATABASE_URL: '', JWT_SECRET: '', NODE_ENV: 'development' };

beforeAll(() => {
  rmSync(DATA_DIR, { recursive: true, force: true });
  ensureBuilt();
}, 180_000);
afterAll(() => rmSync(DATA_DIR, { recursive: true, force: true }));

describe('stopping', () => {
  test.each([
    ['SIGTERM', 'the npm process'],
    ['SIGINT', 'the npm process'],
    ['SIGTERM', 'node'],
  ] as const)(
    '%s to %s drains and stops node and the embedded PostgreSQL, exit 0, quietly',
    async (signal, target) => {
      const service = startService(EMBEDDED, 'npm');
      const url = await service.ready;
      expect((await request(url).get('/healthz')).status).toBe(200);
      const marker = service.output().length;
      // One pid only, as a process manager would: npm's, or node's (npm execs node: its only child).
      const npmPid = service.child.pid!;
      const pid = target === 'node' ? Number(readFileSync(`/proc/${npmPid}/task/${npmPid}/children`, 'utf8').trim()) : npmPid;
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain(target === 'node' ? 'dist/src/main.js' : 'npm');
      process.kill(pid, signal);
      expect(await service.exited).toEqual({ code: 0, signal: null });
      const after = service.output().slice(marker);
      expect(after).toMatch(/"msg":"stopped"/);
      expect(after.trim().split('\n').length).toBeLessThanOrEqual(4);
      expect(after).not.toMatch(/"level":(40|50|60)|WARN|ERROR/);
      expect(await waitFor(() => processesMentioning(DATA_DIR).length === 0)).toBe(true);
      expect(existsSync(path.join(DATA_DIR, 'pg', 'postmaster.pid'))).toBe(false);
    },
    120_000,
  );

  test('Ctrl-C (SIGINT to the whole process group) stops everything quietly: PostgreSQL does not see it, it is stopped after the drain', async () => {
    const service = startService(EMBEDDED, 'npm');
    await service.ready;
    const marker = service.output().length;
    process.kill(-service.child.pid!, 'SIGINT');
    expect(await service.exited).toEqual({ code: 0, signal: null });
    const after = service.output().slice(marker);
    // A clean stop prints a line or two (the lines are shown when there are more).
    expect(after.trim().split('\n').length <= 4 ? 'quiet' : after).toBe('quiet');
    expect(after).not.toMatch(/"level":(40|50|60)|WARN|ERROR|FATAL/);
    expect(processesMentioning(DATA_DIR)).toEqual([]);
  }, 120_000);
});

describe('interrupted start', () => {
  test('Ctrl-C while the service is still starting stops what was started, exit 0', async () => {
    const service = startService(EMBEDDED, 'npm');
    expect(await waitFor(() => service.output().includes('embedded PostgreSQL started'), 90_000)).toBe(true);
    process.kill(-service.child.pid!, 'SIGINT');
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(service.output()).not.toMatch(/"level":(40|50|60)|Failed to start/);
    expect(await waitFor(() => processesMentioning(DATA_DIR).length === 0)).toBe(true);
  }, 120_000);
});

describe('failed starts end within seconds, in one line, exit 1, nothing left running', () => {
  test('a busy port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const service = startService({ ...EMBEDDED, PORT: String(port) }, 'node');
      expect(await service.exited).toEqual({ code: 1, signal: null });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(service.output().trim()).toBe(`Failed to start: port ${port} is already in use: stop the process listening there, or set PORT to a free port`);
      expect(processesMentioning(DATA_DIR)).toEqual([]);
    } finally {
      blocker.close();
    }
  }, 60_000);

  test('an unreachable database', async () => {
    const started = Date.now();
    const service = startService({ DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/x', JWT_SECRET: 'x'.repeat(32) }, 'node');
    expect(await service.exited).toEqual({ code: 1, signal: null });
    expect(Date.now() - started).toBeLessThan(15_000);
    const lines = service.output().trim().split('\n');
    expect(lines).toEqual([
      'Failed to start: cannot connect to the database at 127.0.0.1:1/x (ECONNREFUSED: connection refused): check DATABASE_URL and that PostgreSQL is running and reachable from here',
    ]);
    expect(service.output()).not.toContain('secret');
  }, 60_000);

  test('a stale postmaster.pid (service and PostgreSQL killed with -9) is recovered on the next start', async () => {
    const first = startService(EMBEDDED, 'node');
    await first.ready;
    // The cluster's own directory, as the start-up line names it (relocated under a private checkout).
    const cluster = clusterOf(first);
    const lock = path.join(cluster, 'postmaster.pid');
    const postmaster = Number(readFileSync(lock, 'utf8').split('\n')[0]);
    process.kill(first.child.pid!, 'SIGKILL');
    process.kill(postmaster, 'SIGKILL');
    await first.exited;
    expect(await waitFor(() => processesMentioning(DATA_DIR).length === 0)).toBe(true);
    expect(existsSync(lock)).toBe(true);

    const second = startService(EMBEDDED, 'node');
    const url = await second.ready;
    expect((await request(url).get('/readyz')).body).toMatchObject({ status: 'ready' });
    process.kill(second.child.pid!, 'SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(processesMentioning(DATA_DIR)).toEqual([]);
  }, 120_000);

  test('a PostgreSQL left running by a service killed with -9 is stopped and replaced by the next start', async () => {
    const first = startService(EMBEDDED, 'node');
    await first.ready;
    const cluster = clusterOf(first);
    process.kill(first.child.pid!, 'SIGKILL');
    await first.exited;
    expect(processesMentioning(cluster).length).toBeGreaterThan(0); // the orphan

    const second = startService(EMBEDDED, 'node');
    await second.ready;
    process.kill(second.child.pid!, 'SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(await waitFor(() => processesMentioning(cluster).length === 0)).toBe(true);
  }, 120_000);
});

/** The cluster's own directory, as the start-up line names it (relocated under a private checkout). */
function clusterOf(service: { output(): string }): string {
  return JSON.parse(/"cluster":("[^"]+")/.exec(service.output())![1]) as string;
}

describe('npm run token', () => {
  const env = { ...process.env, DATA_DIR, DATABASE_URL: '', JWT_SECRET: '', NODE_ENV: 'development' };

  test('prints only the token with -s, without building or starting a database, and explains itself with --help', () => {
    const started = Date.now();
    const token = execFileSync('npm', ['run', '-s', 'token', '--', '--tenant', 'demo', '--role', 'DPO'], { cwd: ROOT, env, encoding: 'utf8' });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const help = execFileSync('npm', ['run', '-s', 'token', '--', '--help'], { cwd: ROOT, env, encoding: 'utf8' });
    expect(help).toMatch(/^Usage: npm run -s token -- --tenant <tenant id> --role <role>/);
    expect(help).toContain('--expires');
  });

  test('a missing or unknown option is a usage error (exit 2) naming the problem, on stderr', () => {
    const missing = spawnSync('npm', ['run', '-s', 'token', '--', '--tenant', 'demo'], { cwd: ROOT, env, encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/--tenant and --role are required/);
    const unknown = spawnSync('npm', ['run', '-s', 'token', '--', '--tenant', 'demo', '--role', 'DPO', '--bogus'], { cwd: ROOT, env, encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--bogus'/);
  });
});
