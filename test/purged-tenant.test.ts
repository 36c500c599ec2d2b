import { Role } from '../src/auth/roles';
import { inTenantTransaction } from '../src/db/transaction';
import { createLogger } from '../src/logger';
import { purgeExpiredTenants } from '../src/services/retention.service';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { errorCode, GqlResult, startTestApp, TestApp } from './support/harness';

/**
 * SPEC §7: a purged tenant is refused everywhere, always — also for tokens the service saw
 * (and cached) before the purge, and whichever process ran the purge — so nothing new is
 * ever written for it, and no purge leaves rows behind.
 */
const DAY = 86_400_000;
const log = createLogger('silent');
const TERMINATE = `mutation ($at: DateTime) { terminateContract(terminatedAt: $at, retentionDays: 90) { id } }`;
const TABLES = ['complaints', 'notes', 'sla_timers', 'stage_transitions', 'audit_events', 'users', 'sla_policies', 'idempotency_keys', 'reference_counters'];

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const tokenFor = (role: Role, tid: string) => t.token(role, { tid, sub: `${tid}-${role.toLowerCase()}` });

async function rowsOf(tid: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) out[table] = (await t.sql(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tid]))[0].n;
  return out;
}
const NOTHING = Object.fromEntries(TABLES.map((table) => [table, 0]));

function csv(token: string) {
  return t.http().get('/reports/complaints.csv').query({ from: '2020-01-01T00:00:00Z', to: '2029-01-01T00:00:00Z' }).set('authorization', `Bearer ${token}`);
}

function expectUnauthenticated(res: GqlResult): void {
  expect(res.status).toBe(401);
  expect(errorCode(res)).toBe('UNAUTHENTICATED');
  expect(res.errors![0].message).toMatch(/purged/);
}

async function terminateLongAgo(tid: string): Promise<void> {
  const res = await t.gql(await tokenFor(Role.ADMIN, tid), TERMINATE, { at: new Date(Date.now() - 91 * DAY).toISOString() });
  expect(res.errors).toBeUndefined();
}

describe('tokens used before the purge', () => {
  const TID = 'side-door';
  let agent: string;
  let dpo: string;

  beforeAll(async () => {
    agent = await tokenFor(Role.AGENT, TID);
    dpo = await tokenFor(Role.DPO, TID);
    // Both tokens are seen (and their users cached) before the purge.
    expect((await t.gql(agent, FILE_COMPLAINT, { input: complaintInput() })).errors).toBeUndefined();
    expect((await t.gql(dpo, '{ complaints { totalCount } }')).data.complaints.totalCount).toBe(1);
    expect((await csv(dpo)).status).toBe(200);
    await terminateLongAgo(TID);
    expect(await purgeExpiredTenants(t.dataSource, log)).toEqual([TID]);
    expect(await rowsOf(TID)).toEqual(NOTHING);
  });

  test('cannot read: me and complaints are UNAUTHENTICATED (401)', async () => {
    expectUnauthenticated(await t.gql(agent, '{ me { tenantId } }'));
    expectUnauthenticated(await t.gql(dpo, '{ complaints { totalCount } }'));
  });

  test('cannot file a complaint with PII, and nothing is written for the tenant', async () => {
    const input = complaintInput({ complainant: { name: 'Late Larry', email: 'larry@late.example' } });
    expectUnauthenticated(await t.gql(agent, FILE_COMPLAINT, { input }));
    expect(await rowsOf(TID)).toEqual(NOTHING);
  });

  test('cannot download the CSV report (401 JSON)', async () => {
    const res = await csv(dpo);
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  test('a later purge run finds nothing left to purge and nothing was written in between', async () => {
    expect(await purgeExpiredTenants(t.dataSource, log)).toEqual([]);
    expect(await rowsOf(TID)).toEqual(NOTHING);
    expect(await t.sql('SELECT purged_at IS NOT NULL AS purged FROM tenants WHERE id = $1', [TID])).toEqual([{ purged: true }]);
  });
});

describe('a purge running while the tenant is busy', () => {
  const TID = 'busy-purge';

  test('waits for the transactions under way and then deletes what they wrote; afterwards the tenant is refused', async () => {
    const agent = await tokenFor(Role.AGENT, TID);
    expect((await t.gql(agent, FILE_COMPLAINT, { input: complaintInput() })).errors).toBeUndefined();
    await terminateLongAgo(TID);

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    // A request already inside the tenant when the purge starts, writing late.
    const busy = inTenantTransaction(t.dataSource, TID, async (manager) => {
      entered();
      await held;
      await manager.query(`INSERT INTO users (tenant_id, id, name, roles) VALUES ($1, 'late-user', 'Late User', ARRAY['AGENT'])`, [TID]);
    });
    await inside;
    const purge = purgeExpiredTenants(t.dataSource, log);
    await new Promise((r) => setTimeout(r, 300)); // the purge is now waiting on the tenant row
    // A filing arriving while the purge waits either lands before the purge (and is purged) or is refused.
    const late = t.gql(agent, FILE_COMPLAINT, { input: complaintInput({ complainant: { name: 'Late Larry' } }) });
    await new Promise((r) => setTimeout(r, 100));
    release();
    await busy;

    expect(await purge).toEqual([TID]);
    expect([200, 401]).toContain((await late).status);
    expect(await rowsOf(TID)).toEqual(NOTHING);
    expectUnauthenticated(await t.gql(agent, '{ me { tenantId } }'));
  });
});
