import { Role } from '../src/auth/roles';
import { createLogger } from '../src/logger';
import { compactReportRollups } from '../src/services/report.service';
import { complaintInput } from './support/factories';
import { startTestApp, TestApp } from './support/harness';

/**
 * The nightly fold of the report's rollups: the slots of past days become one row per metric
 * and day, for every tenant under its own row-level security, and complianceReport answers
 * exactly as before; a late write to a folded day is counted and folded the next night.
 */

const DAY = 86_400_000;
const REPORT = `query ($from: DateTime!, $to: DateTime!) { complianceReport(from: $from, to: $to) {
  received resolved openAtEnd byStage { stage count } byRight { right count } byOutcome { outcome count } byRegime { regime count }
  sla { met breached running complianceRate byKind { kind met breached complianceRate } }
  medianDaysToResolution p90DaysToResolution escalationRate aging { label count }
} }`;
const FILE = `mutation ($input: FileComplaintInput!) { fileComplaint(input: $input) { id } }`;
const RESOLVE = `mutation ($id: ID!) { resolveComplaint(id: $id, outcome: UPHELD, summary: "done") { id } }`;
const log = createLogger('silent');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const cutoff = () => new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10);

async function slotRows(tenant: string): Promise<number> {
  const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM report_rollups WHERE tenant_id = $1 AND day < $2::date AND slot <> 0`, [tenant, cutoff()]);
  return n;
}

async function fileCases(tenant: string, days: number[]): Promise<void> {
  const agent = await t.token(Role.DPO, { tid: tenant, tz: 'UTC' });
  for (const [i, d] of days.entries()) {
    const res = await t.gql(agent, FILE, {
      input: complaintInput({ jurisdiction: i % 2 ? 'DE' : 'US-CA', receivedAt: new Date(Date.now() - d * DAY).toISOString() }),
    });
    expect(res.errors).toBeUndefined();
    if (i % 3 === 0) expect((await t.gql(agent, RESOLVE, { id: res.data.fileComplaint.id })).errors).toBeUndefined();
  }
}

test('folding past days leaves every figure of complianceReport as it was, per tenant, and a late write is counted and folded again', async () => {
  const tenants = ['compact-a', 'compact-b'];
  await fileCases('compact-a', [3, 3, 4, 5, 5, 5, 8, 13, 13, 21, 21, 22, 1, 0]);
  await fileCases('compact-b', [4, 6, 6, 9]);
  const window = { from: new Date(Date.now() - 40 * DAY).toISOString(), to: new Date().toISOString() };
  const report = async (tenant: string) => {
    const res = await t.gql(await t.token(Role.COMPLIANCE_OFFICER, { tid: tenant }), REPORT, window);
    expect(res.errors).toBeUndefined();
    return res.data.complianceReport;
  };
  const before = { a: await report('compact-a'), b: await report('compact-b') };
  expect(before.a.received).toBe(14);
  expect(await slotRows('compact-a')).toBeGreaterThan(0);
  expect(await slotRows('compact-b')).toBeGreaterThan(0);
  const [{ n: rowsBefore }] = await t.sql(`SELECT count(*)::int AS n FROM report_rollups WHERE tenant_id = ANY($1)`, [tenants]);

  expect(await compactReportRollups(t.dataSource, log)).toBeGreaterThanOrEqual(2);
  expect(await slotRows('compact-a')).toBe(0);
  expect(await slotRows('compact-b')).toBe(0);
  const [{ n: rowsAfter }] = await t.sql(`SELECT count(*)::int AS n FROM report_rollups WHERE tenant_id = ANY($1)`, [tenants]);
  expect(rowsAfter).toBeLessThan(rowsBefore);
  expect(await report('compact-a')).toEqual(before.a);
  expect(await report('compact-b')).toEqual(before.b);

  // A case received on a folded day, filed late: counted at once, folded the next night.
  await fileCases('compact-a', [13]);
  const late = await report('compact-a');
  expect(late.received).toBe(15);
  await compactReportRollups(t.dataSource, log);
  expect(await slotRows('compact-a')).toBe(0);
  expect(await report('compact-a')).toEqual(late);
}, 120_000);
