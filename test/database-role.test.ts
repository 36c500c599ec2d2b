import { Role } from '../src/auth/roles';
import { inTenantTransaction } from '../src/db/transaction';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { startTestApp, TestApp } from './support/harness';

/**
 * SPEC §3 / STYLE 3, fail closed: the API's pool runs as cms_app (no owner rights, no
 * BYPASSRLS) from the moment each connection opens, so a query that forgets the tenant
 * transaction sees no tenant's rows and cannot change any. The test database's owner is a
 * superuser, as in development: it would see everything.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  const token = await t.token(Role.AGENT);
  for (let i = 0; i < 3; i++) expect((await t.gql(token, FILE_COMPLAINT, { input: complaintInput() })).errors).toBeUndefined();
});
afterAll(() => t?.close());

test('the fixture: complaints, audit events and users exist (seen by the owner)', async () => {
  const [row] = await t.sql(
    `SELECT (SELECT count(*) FROM complaints)::int AS complaints, (SELECT count(*) FROM audit_events)::int AS events, (SELECT count(*) FROM users)::int AS users`,
  );
  expect(row.complaints).toBe(3);
  expect(row.events).toBeGreaterThan(0);
  expect(row.users).toBeGreaterThan(0);
});

test('a query on the API pool outside any tenant transaction sees no rows of any tenant', async () => {
  const [row] = await t.dataSource.query(
    `SELECT (SELECT count(*) FROM complaints)::int AS complaints, (SELECT count(*) FROM audit_events)::int AS events,
            (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM tenants)::int AS tenants`,
  );
  expect(row).toEqual({ complaints: 0, events: 0, users: 0, tenants: 0 });
});

test('it cannot change or delete a tenant row either', async () => {
  expect(await t.dataSource.query(`UPDATE complaints SET summary = 'overwritten'`)).toEqual([[], 0]);
  await expect(t.dataSource.query(`DELETE FROM complaints`)).rejects.toMatchObject({ driverError: { code: '42501' } });
  await expect(t.dataSource.query(`UPDATE audit_events SET hash = 'x'`)).rejects.toMatchObject({ driverError: { code: '42501' } });
  expect((await t.sql(`SELECT count(*)::int AS n FROM complaints WHERE summary = 'overwritten'`))[0].n).toBe(0);
  expect((await t.sql(`SELECT count(*)::int AS n FROM complaints`))[0].n).toBe(3);
});

test('every pooled connection is cms_app, also after RESET ROLE and after a tenant transaction', async () => {
  // Enough concurrent holds that the pool opens several connections.
  const rows = await Promise.all(
    Array.from({ length: 8 }, () => t.dataSource.query(`SELECT current_user AS role, pg_backend_pid() AS pid, pg_sleep(0.1)::text`)),
  );
  expect(new Set(rows.map(([r]) => r.pid)).size).toBeGreaterThan(1);
  expect(new Set(rows.map(([r]) => r.role))).toEqual(new Set(['cms_app']));

  const [reset] = await inTenantTransaction(t.dataSource, 'acme', async (m) => {
    await m.query('RESET ROLE');
    return m.query(`SELECT current_user AS role, (SELECT count(*)::int FROM complaints) AS n`);
  });
  expect(reset).toEqual({ role: 'cms_app', n: 3 }); // inside the tenant: its own rows
  const after = await Promise.all(
    Array.from({ length: 8 }, () => t.dataSource.query(`SELECT current_user AS role, (SELECT count(*)::int FROM complaints) AS n, pg_sleep(0.05)::text`)),
  );
  expect(after.map(([r]) => ({ role: r.role, n: r.n }))).toEqual(Array(8).fill({ role: 'cms_app', n: 0 }));
});

test('API connections carry the configured statement timeout', async () => {
  const [row] = await t.dataSource.query(`SELECT current_setting('statement_timeout') AS timeout`);
  expect(row.timeout).toBe('15s');
});
