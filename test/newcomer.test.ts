import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { complaintInput, FILE_COMPLAINT } from './support/factories';

/** The newcomer's path: `npm start` with no configuration, on the embedded PostgreSQL. */
const ROOT = path.resolve(__dirname, '..');
const DATA_DIR = path.join(ROOT, '.data', `newcomer-${process.pid}`);

interface Started {
  child: ChildProcess;
  url: string;
  tokens: Record<string, string>;
  output: () => string;
}

function npmStart(): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR, PORT: '0', NODE_ENV: 'development', LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.JWT_SECRET;
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${out}`)), 90_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const port = /"port":(\d+)/.exec(out)?.[1];
      const tokens = Object.fromEntries([...out.matchAll(/^\s+(AGENT|DPO|COMPLIANCE_OFFICER|ADMIN)\s+(\S+)$/gm)].map((m) => [m[1], m[2]]));
      if (port && Object.keys(tokens).length === 4) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${port}`, tokens, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
  });
}

/** Ctrl-C in the newcomer's terminal: SIGINT to the whole process group. */
function stop(started: Started): Promise<string> {
  return new Promise((resolve) => {
    started.child.on('close', () => resolve(started.output())); // 'close': the service itself has exited too
    process.kill(-started.child.pid!, 'SIGINT');
  });
}

beforeAll(() => rmSync(DATA_DIR, { recursive: true, force: true }));
afterAll(() => rmSync(DATA_DIR, { recursive: true, force: true }));

test('npm start serves the API on an embedded PostgreSQL, prints a working token per role, stops cleanly and reuses its data; npm run migrate and npm run token work on it', async () => {
  const first = await npmStart();
  const me = await request(first.url).post('/graphql').set('authorization', `Bearer ${first.tokens.DPO}`).send({ query: '{ me { tenantId roles } }' });
  expect(me.body).toEqual({ data: { me: { tenantId: 'demo', roles: ['DPO'] } } });
  for (const role of ['AGENT', 'COMPLIANCE_OFFICER', 'ADMIN']) {
    const res = await request(first.url).post('/graphql').set('authorization', `Bearer ${first.tokens[role]}`).send({ query: '{ me { roles } }' });
    expect(res.body.data.me.roles).toEqual([role]);
  }
  const filed = await request(first.url)
    .post('/graphql')
    .set('authorization', `Bearer ${first.tokens.AGENT}`)
    .send({ query: FILE_COMPLAINT, variables: { input: complaintInput() } });
  const reference = filed.body.data.fileComplaint.reference;
  // The embedded server never takes the standard port, which another PostgreSQL may hold.
  expect(first.output()).not.toMatch(/-p 5432\b/);
  expect(await stop(first)).toMatch(/"msg":"stopped"/);
  // PostgreSQL removes its pid file only on a clean shutdown.
  expect(existsSync(path.join(DATA_DIR, 'pg', 'postmaster.pid'))).toBe(false);

  // The other commands a newcomer reads about: migrations are up to date, and a dev token
  // signed with the same persisted secret is accepted by the next start.
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR, NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  delete env.JWT_SECRET;
  expect(execFileSync('npm', ['run', 'migrate', '--silent'], { cwd: ROOT, env, encoding: 'utf8' })).toContain('No pending migrations');
  const adminToken = execFileSync('npm', ['run', 'token', '--silent', '--', '--tenant', 'demo', '--role', 'ADMIN', '--sub', 'cli-admin'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  }).trim();

  const second = await npmStart();
  const viaCli = await request(second.url)
    .post('/graphql')
    .set('authorization', `Bearer ${adminToken}`)
    .send({ query: '{ me { tenantId roles user { id } } }' });
  expect(viaCli.body).toEqual({ data: { me: { tenantId: 'demo', roles: ['ADMIN'], user: { id: 'cli-admin' } } } });
  const found = await request(second.url)
    .post('/graphql')
    .set('authorization', `Bearer ${first.tokens.AGENT}`) // a token from the first run still works
    .send({ query: 'query($r: String!) { complaintByReference(reference: $r) { reference } }', variables: { r: reference } });
  expect(found.body.data.complaintByReference.reference).toBe(reference);
  expect(await stop(second)).toMatch(/"msg":"stopped"/);
  expect(existsSync(path.join(DATA_DIR, 'pg', 'postmaster.pid'))).toBe(false);
}, 240_000);
