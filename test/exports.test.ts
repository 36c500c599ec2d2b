import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { Role } from '../src/auth/roles';
import { loadConfig } from '../src/config';
import { createApp } from '../src/http/app';
import { createLogger } from '../src/logger';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { errorCode, startTestApp, TEST_SECRET, TestApp, textBody } from './support/harness';
import { SPEC_CSV_HEADER } from './support/spec-csv';

/** SPEC §8 CSV export and §6 access audit: the tenant's zone, one-use links, the trail. */
const TENANT = 'berlin-gmbh';
const HEADER = SPEC_CSV_HEADER;
// Markers that must never leave in an export: PII and free text.
const MARKERS = ['Zelda Marker', 'zelda.marker@pii.example', '+49 30 5550199', 'SUMMARY-MARKER', 'DESCRIPTION-MARKER', 'NOTE-MARKER'];
const CSV_EXPORT_URL = 'mutation Link($from: String!, $to: String!) { csvExportUrl(from: $from, to: $to) }';
const TRAIL = '{ tenantAuditTrail(first: 100) { edges { node { action actor { id } actorRole changes requestId } } } verifyTenantAuditTrail { valid } }';

/** The service's log lines, as JSON. */
class Capture {
  lines: string[] = [];
  write(chunk: string): void {
    this.lines.push(chunk);
  }
  entries(): Record<string, any>[] {
    return this.lines.map((l) => JSON.parse(l));
  }
}

let t: TestApp;
const logs = new Capture();
const tokens = {} as Record<'agent' | 'dpo' | 'compliance' | 'admin', string>;
const filed = {} as Record<'lateOn30' | 'earlyOn1' | 'earlyOn30' | 'lateOn29', { id: string; reference: string }>;

async function fileAt(receivedAt: string): Promise<{ id: string; reference: string }> {
  const input = complaintInput({
    receivedAt,
    complainant: { name: 'Zelda Marker', email: 'zelda.marker@pii.example', phone: '+49 30 5550199' },
    summary: 'SUMMARY-MARKER, with "quotes"',
    description: 'DESCRIPTION-MARKER\nsecond line',
  });
  const res = await t.gql(tokens.dpo, FILE_COMPLAINT, { input });
  expect(res.errors).toBeUndefined();
  return res.data.fileComplaint;
}

function csv(query: Record<string, string>, bearer: string | null = tokens.compliance, headers: Record<string, string> = {}) {
  const req = t.http().get('/reports/complaints.csv').query(query);
  if (bearer) req.set('authorization', `Bearer ${bearer}`);
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  return req.buffer(true).parse(textBody);
}
const rowsOf = (text: string) => parse(text) as string[][];
const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;

beforeAll(async () => {
  t = await startTestApp({ LOG_LEVEL: 'info' }, { logs });
  const claims = { tid: TENANT, tz: 'Europe/Berlin' };
  tokens.dpo = await t.token(Role.DPO, claims);
  tokens.agent = await t.token(Role.AGENT, claims);
  tokens.compliance = await t.token(Role.COMPLIANCE_OFFICER, claims);
  tokens.admin = await t.token(Role.ADMIN, claims);
  filed.lateOn29 = await fileAt('2026-11-29T22:30:00Z'); // 23:30 on the 29th in Berlin
  filed.earlyOn30 = await fileAt('2026-11-29T23:30:00Z'); // 00:30 on the 30th
  filed.lateOn30 = await fileAt('2026-11-30T22:30:00Z'); // 23:30 on the 30th
  filed.earlyOn1 = await fileAt('2026-11-30T23:30:00Z'); // 00:30 on 1 December
  const note = await t.gql(tokens.dpo, 'mutation($id: ID!) { addNote(complaintId: $id, body: "NOTE-MARKER") { id } }', { id: filed.lateOn30.id });
  expect(note.errors).toBeUndefined();
  const ack = await t.gql(tokens.dpo, 'mutation($id: ID!) { acknowledgeComplaint(id: $id) { id } }', { id: filed.lateOn30.id });
  expect(ack.errors).toBeUndefined();
}, 120_000);
afterAll(() => t?.close());

describe('GET /reports/complaints.csv with a bearer token', () => {
  test("a date window is whole days in the tenant's zone, both ends inclusive", async () => {
    const res = await csv({ from: '2026-11-30', to: '2026-11-30' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = rowsOf(res.body);
    expect(rows[0]).toEqual(HEADER);
    expect(rows.slice(1).map((r) => r[0])).toEqual([filed.earlyOn30.reference, filed.lateOn30.reference]);
  });

  test("times read in the tenant's zone as YYYY-MM-DD HH:MM:SS; columns as SPEC §8 lists them", async () => {
    const res = await csv({ from: '2026-11-30', to: '2026-11-30' });
    const [header, ...rows] = rowsOf(res.body);
    const late = Object.fromEntries(header.map((h, i) => [h, rows.find((r) => r[0] === filed.lateOn30.reference)![i]]));
    const [stored] = await t.sql('SELECT acknowledged_at, next_due_at, assignee_id FROM complaints WHERE id = $1', [filed.lateOn30.id]);
    expect(late).toMatchObject({
      stage: 'INTERNAL_DPO',
      status: 'OPEN',
      jurisdiction: 'DE',
      regimes: 'GDPR DPF',
      rights: 'ACCESS',
      channel: 'EMAIL',
      data_context: 'CONSUMER',
      processing_role: 'CONTROLLER',
      assignee_id: stored.assignee_id ?? '',
      received_at: '2026-11-30 23:30:00',
      resolved_at: '',
      closed_at: '',
      days_to_resolve: '',
      outcome: '',
      breached_timers: '0',
      breached_kinds: '',
    });
    const berlin = (d: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'medium' }).format(d);
    expect(late.acknowledged_at).toBe(berlin(stored.acknowledged_at));
    expect(late.next_due_at).toBe(berlin(stored.next_due_at));
    const days = (stored.acknowledged_at.getTime() - Date.parse('2026-11-30T22:30:00Z')) / 86_400_000;
    expect(late.days_to_acknowledge).toBe(days.toFixed(1));
  });

  test('an instant stays an instant: the window ends where it says', async () => {
    const res = await csv({ from: '2026-11-30T22:30:00Z', to: '2026-11-30T23:29:59+00:00' });
    expect(
      rowsOf(res.body)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual([filed.lateOn30.reference]);
  });

  test('breached clocks are counted and named', async () => {
    await t.sql(`UPDATE sla_timers SET status = 'BREACHED', breached_at = due_at WHERE complaint_id = $1 AND kind = 'RESPOND'`, [filed.earlyOn1.id]);
    const res = await csv({ from: '2026-12-01', to: '2026-12-01' });
    const [header, row] = rowsOf(res.body);
    const breached = await t.sql(`SELECT count(*)::int AS n FROM sla_timers WHERE complaint_id = $1 AND status = 'BREACHED'`, [filed.earlyOn1.id]);
    expect(row[header.indexOf('breached_timers')]).toBe(String(breached[0].n));
    expect(row[header.indexOf('breached_kinds')]).toBe('RESPOND');
  });

  test('carries no PII and no free text', async () => {
    const res = await csv({ from: '2026-11-01', to: '2026-12-31' });
    expect(rowsOf(res.body)).toHaveLength(5);
    for (const marker of MARKERS) expect(res.body).not.toContain(marker);
  });

  test('a bad `from` is a 400 JSON answer naming the parameter and the accepted forms; the request id is echoed', async () => {
    const res = await csv({ from: 'last tuesday', to: '2026-11-30' }, tokens.compliance, { 'x-request-id': 'csv-test-0001' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-request-id']).toBe('csv-test-0001');
    const error = JSON.parse(res.body).errors[0];
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', requestId: 'csv-test-0001' });
    expect(Object.keys(error.extensions.fields)).toEqual(['from']);
    expect(error.extensions.fields.from).toMatch(/ISO-8601 instant .* or a date \(2026-11-30/);
  });

  test('a day that does not exist is a bad value, not a shifted window', async () => {
    const res = await csv({ from: '2026-02-30', to: '2026-03-01' });
    expect(res.status).toBe(400);
    expect(Object.keys(JSON.parse(res.body).errors[0].extensions.fields)).toEqual(['from']);
  });

  test('an AGENT is refused with 403 FORBIDDEN, no token with 401 UNAUTHENTICATED, both in JSON', async () => {
    const agent = await csv({ from: '2026-11-30', to: '2026-11-30' }, tokens.agent);
    expect([agent.status, JSON.parse(agent.body).errors[0].extensions.code]).toEqual([403, 'FORBIDDEN']);
    const none = await csv({ from: '2026-11-30', to: '2026-11-30' }, null);
    expect([none.status, JSON.parse(none.body).errors[0].extensions.code]).toEqual([401, 'UNAUTHENTICATED']);
  });
});

describe('csvExportUrl: a one-use link', () => {
  test('works once without a bearer token, then is refused', async () => {
    const res = await t.gql(tokens.compliance, CSV_EXPORT_URL, { from: '2026-11-30', to: '2026-11-30' });
    expect(res.errors).toBeUndefined();
    const url = res.data.csvExportUrl as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/reports\/complaints\.csv\?token=[A-Za-z0-9_-]{43}$/);
    const first = await csv({ token: tokenOf(url) }, null);
    expect(first.status).toBe(200);
    expect(
      rowsOf(first.body)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual([filed.earlyOn30.reference, filed.lateOn30.reference]);
    const again = await csv({ token: tokenOf(url) }, null);
    expect(again.status).toBe(401);
    expect(JSON.parse(again.body).errors[0]).toMatchObject({ message: expect.stringMatching(/already used/), extensions: { code: 'UNAUTHENTICATED' } });
  });

  test('two downloads of one link at once: exactly one gets the CSV, and one export is recorded', async () => {
    const res = await t.gql(tokens.compliance, CSV_EXPORT_URL, { from: '2026-11-30', to: '2026-11-30' });
    const token = tokenOf(res.data.csvExportUrl);
    const count = async () => (await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND action = 'CSV_EXPORTED'`, [TENANT]))[0].n;
    const before = await count();
    const results = await Promise.all([csv({ token }, null), csv({ token }, null), csv({ token }, null)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    expect(await count()).toBe(before + 1);
  });

  test('stores only the hash of its token, bound to the tenant, the caller and the window', async () => {
    const res = await t.gql(tokens.dpo, CSV_EXPORT_URL, { from: '2026-11-30', to: '2026-11-30T12:00:00Z' });
    const token = tokenOf(res.data.csvExportUrl);
    const rows = await t.sql(`SELECT * FROM export_links WHERE token_hash = encode(sha256($1::bytea), 'hex')`, [token]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tenant_id: TENANT, user_id: `${TENANT}-dpo`, used_at: null, from_param: '2026-11-30', to_param: '2026-11-30T12:00:00Z' });
    expect(rows[0].window_from.toISOString()).toBe('2026-11-29T23:00:00.000Z');
    expect(rows[0].window_to.toISOString()).toBe('2026-11-30T12:00:00.000Z');
    expect(rows[0].expires_at.getTime() - rows[0].created_at.getTime()).toBeGreaterThan(299_000);
    expect(rows[0].expires_at.getTime() - rows[0].created_at.getTime()).toBeLessThanOrEqual(301_000);
    expect(JSON.stringify(await t.sql('SELECT * FROM export_links'))).not.toContain(token);
  });

  test('an expired link is refused and does not leak a row', async () => {
    const res = await t.gql(tokens.admin, CSV_EXPORT_URL, { from: '2026-11-30', to: '2026-11-30' });
    const token = tokenOf(res.data.csvExportUrl);
    await t.sql(`UPDATE export_links SET expires_at = now() - interval '1 second' WHERE token_hash = encode(sha256($1::bytea), 'hex')`, [token]);
    const late = await csv({ token }, null);
    expect(late.status).toBe(401);
    expect(JSON.parse(late.body).errors[0]).toMatchObject({ message: expect.stringMatching(/expired/), extensions: { code: 'UNAUTHENTICATED' } });
    expect(late.body).not.toContain(filed.lateOn30.reference);
  });

  test('an unknown or malformed token is refused', async () => {
    for (const token of ['x'.repeat(43), 'short', '']) {
      const res = await csv({ token }, null);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  test("another tenant's link shows that tenant's rows only, and its download lands on that tenant's trail", async () => {
    const other = await t.token(Role.DPO, { tid: 'other-ag', tz: 'Europe/Berlin' });
    const own = await t.gql(await t.token(Role.AGENT, { tid: 'other-ag' }), FILE_COMPLAINT, { input: complaintInput({ receivedAt: '2026-11-30T12:00:00Z' }) });
    const link = await t.gql(other, CSV_EXPORT_URL, { from: '2026-11-30', to: '2026-11-30' });
    const res = await csv({ token: tokenOf(link.data.csvExportUrl) }, null);
    expect(
      rowsOf(res.body)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual([own.data.fileComplaint.reference]);
    const trail = await t.sql(`SELECT tenant_id, actor_id FROM audit_events WHERE action = 'CSV_EXPORTED' AND request_id = $1`, [res.headers['x-request-id']]);
    expect(trail).toEqual([{ tenant_id: 'other-ag', actor_id: 'other-ag-dpo' }]);
  });

  test('a link made before its tenant was purged is refused', async () => {
    const admin = await t.token(Role.ADMIN, { tid: 'gone-ag' });
    const link = await t.gql(admin, CSV_EXPORT_URL, { from: '2026-11-30', to: '2026-11-30' });
    expect(link.errors).toBeUndefined();
    await t.sql(`UPDATE tenants SET purged_at = now() WHERE id = 'gone-ag'`);
    const res = await csv({ token: tokenOf(link.data.csvExportUrl) }, null);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).errors[0]).toMatchObject({ message: expect.stringMatching(/purged/), extensions: { code: 'UNAUTHENTICATED' } });
  });

  test('an AGENT cannot create one (FORBIDDEN) and nothing is stored', async () => {
    const before = await t.sql('SELECT count(*)::int AS n FROM export_links');
    const res = await t.gql(tokens.agent, CSV_EXPORT_URL, { from: '2026-11-30', to: '2026-11-30' });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(await t.sql('SELECT count(*)::int AS n FROM export_links')).toEqual(before);
  });

  test('validates the window when the link is made: BAD_USER_INPUT naming `from` or `to`', async () => {
    const bad = await t.gql(tokens.compliance, CSV_EXPORT_URL, { from: '30.11.2026', to: '2026-11-30' });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(Object.keys(bad.errors![0].extensions.fields!)).toEqual(['from']);
    const reversed = await t.gql(tokens.compliance, CSV_EXPORT_URL, { from: '2026-12-01', to: '2026-11-30' });
    expect(errorCode(reversed)).toBe('BAD_USER_INPUT');
    expect(Object.keys(reversed.errors![0].extensions.fields!)).toEqual(['to']);
  });

  test('PUBLIC_URL, when set, is the base of the link', async () => {
    const other = await startTestApp({ PUBLIC_URL: 'https://cms.example.com' });
    try {
      const res = await other.gql(await other.token(Role.DPO), CSV_EXPORT_URL, { from: '2026-11-30', to: '2026-11-30' });
      expect(res.data.csvExportUrl).toMatch(/^https:\/\/cms\.example\.com\/reports\/complaints\.csv\?token=/);
    } finally {
      await other.close();
    }
  });
});

describe('the access log', () => {
  test('one line per download with request id, tenant, user, status and error code; never the link token', async () => {
    await csv({ from: '2026-11-30', to: '2026-11-30' }, tokens.compliance, { 'x-request-id': 'csv-access-bearer' });
    await csv({ from: '2026-11-30', to: '2026-11-30' }, tokens.agent, { 'x-request-id': 'csv-access-refused' });
    const link = await t.gql(tokens.dpo, CSV_EXPORT_URL, { from: '2026-11-30', to: '2026-11-30' });
    const token = tokenOf(link.data.csvExportUrl);
    await csv({ token }, null, { 'x-request-id': 'csv-access-link01' });
    const line = (id: string) => logs.entries().filter((e) => e.requestId === id && e.msg?.startsWith('request '));
    expect(line('csv-access-bearer')).toEqual([
      expect.objectContaining({
        tenantId: TENANT,
        userId: `${TENANT}-compliance_officer`,
        res: { status: 200 },
        req: { method: 'GET', path: '/reports/complaints.csv' },
      }),
    ]);
    expect(line('csv-access-refused')).toEqual([
      expect.objectContaining({ tenantId: TENANT, userId: `${TENANT}-agent`, res: { status: 403 }, errorCodes: ['FORBIDDEN'] }),
    ]);
    expect(line('csv-access-link01')).toEqual([expect.objectContaining({ tenantId: TENANT, userId: `${TENANT}-dpo`, res: { status: 200 } })]);
    expect(logs.lines.join('')).not.toContain(token);
  });
});

describe("the tenant's audit trail records every export", () => {
  test('bearer and link downloads: who, when, which window and how; the chain verifies', async () => {
    await csv({ from: '2026-11-30', to: '2026-11-30T23:59:59+01:00' }, tokens.admin, { 'x-request-id': 'csv-audit-bearer' });
    const link = await t.gql(tokens.dpo, CSV_EXPORT_URL, { from: '2026-11-28', to: '2026-11-29' });
    expect((await csv({ token: tokenOf(link.data.csvExportUrl) }, null, { 'x-request-id': 'csv-audit-link1' })).status).toBe(200);

    const res = await t.gql(tokens.compliance, TRAIL);
    expect(res.errors).toBeUndefined();
    expect(res.data.verifyTenantAuditTrail.valid).toBe(true);
    const exports = res.data.tenantAuditTrail.edges.map((e: any) => e.node).filter((e: any) => e.action === 'CSV_EXPORTED');
    const bearer = exports.find((e: any) => e.requestId === 'csv-audit-bearer');
    expect(bearer).toMatchObject({
      actor: { id: `${TENANT}-admin` },
      actorRole: 'ADMIN',
      changes: {
        from: '2026-11-30',
        to: '2026-11-30T23:59:59+01:00',
        windowFrom: '2026-11-29T23:00:00.000Z',
        windowTo: '2026-11-30T22:59:59.000Z',
        via: 'bearer',
      },
    });
    const viaLink = exports.find((e: any) => e.requestId === 'csv-audit-link1');
    expect(viaLink).toMatchObject({
      actor: { id: `${TENANT}-dpo` },
      actorRole: 'DPO',
      changes: { from: '2026-11-28', to: '2026-11-29', windowFrom: '2026-11-27T23:00:00.000Z', windowTo: '2026-11-29T22:59:59.999Z', via: 'link' },
    });
  });

  test('an evidence bundle download is recorded under the request id the client sent and got back', async () => {
    const res = await t
      .http()
      .get(`/complaints/${filed.lateOn30.id}/evidence`)
      .set('authorization', `Bearer ${tokens.compliance}`)
      .set('x-request-id', 'evidence-audit-01');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('evidence-audit-01');
    const events = await t.sql(
      `SELECT actor_id, changes FROM audit_events WHERE tenant_id = $1 AND action = 'EVIDENCE_BUNDLE_DOWNLOADED' AND request_id = $2`,
      [TENANT, 'evidence-audit-01'],
    );
    expect(events).toEqual([{ actor_id: `${TENANT}-compliance_officer`, changes: { complaintId: filed.lateOn30.id, reference: filed.lateOn30.reference } }]);
    const refused = await t
      .http()
      .get(`/complaints/${filed.lateOn30.id}/evidence`)
      .set('authorization', `Bearer ${tokens.agent}`)
      .set('x-request-id', 'evidence-audit-02');
    expect([refused.status, refused.headers['x-request-id'], refused.body.errors[0].extensions]).toEqual([
      403,
      'evidence-audit-02',
      { code: 'FORBIDDEN', requestId: 'evidence-audit-02' },
    ]);
  });

  test('a refused download records nothing', async () => {
    const count = async () => (await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND action = 'CSV_EXPORTED'`, [TENANT]))[0].n;
    const before = await count();
    await csv({ from: 'nope', to: '2026-11-30' });
    await csv({ from: '2026-11-30', to: '2026-11-30' }, tokens.agent);
    await csv({ token: 'y'.repeat(43) }, null);
    expect(await count()).toBe(before);
  });
});

describe('DATABASE_READ_URL', () => {
  test('the rows come from the read database; authentication and the audit trail stay on the primary', async () => {
    // A second database stands in for the hot standby: what it holds differs from the primary.
    const standby = await startTestApp();
    const app = await createApp({
      config: loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent' }),
      dataSource: t.dataSource,
      readDataSource: standby.dataSource,
      log: createLogger('silent'),
    });
    try {
      const onStandby = await standby.gql(await standby.token(Role.AGENT, { tid: TENANT, tz: 'Europe/Berlin' }), FILE_COMPLAINT, {
        input: complaintInput({ receivedAt: '2026-11-30T10:00:00Z' }),
      });
      expect(onStandby.errors).toBeUndefined();
      const before = await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND action = 'CSV_EXPORTED'`, [TENANT]);
      const res = await request(app.httpServer)
        .get('/reports/complaints.csv')
        .query({ from: '2026-11-30', to: '2026-11-30' })
        .set('authorization', `Bearer ${tokens.compliance}`);
      expect(res.status).toBe(200);
      expect(
        rowsOf(res.text)
          .slice(1)
          .map((r) => [r[0], r[10]]),
      ).toEqual([[onStandby.data.fileComplaint.reference, '2026-11-30 11:00:00']]);
      const after = await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND action = 'CSV_EXPORTED'`, [TENANT]);
      expect(after[0].n).toBe(before[0].n + 1);
    } finally {
      await app.stop();
      await standby.close();
    }
  });
});

describe("the tenant's access trail (SPEC §6)", () => {
  test('records policy, settings, contract and checkpoint changes with their actor, in a chain that verifies', async () => {
    const tid = 'access-ag';
    const admin = await t.token(Role.ADMIN, { tid });
    const calls: [string, Record<string, unknown>?][] = [
      [
        `mutation { upsertSlaPolicy(input: { regime: OTHER, stage: INTERNAL_DPO, kind: RESPOND, duration: "P20D", businessDays: false, pausable: true, source: "internal target" }) { id } }`,
      ],
      ['mutation { updateTenantSettings(input: { timeZone: "Europe/Berlin" }) { timeZone } }'],
      ['mutation($at: DateTime) { terminateContract(terminatedAt: $at) { __typename } }', { at: '2026-11-30T12:00:00Z' }],
      ['mutation { terminateContract(terminatedAt: null) { __typename } }'],
      ['mutation { createAuditCheckpoint { id } }'],
    ];
    for (const [query, variables] of calls) expect((await t.gql(admin, query, variables)).errors).toBeUndefined();
    const res = await t.gql(await t.token(Role.COMPLIANCE_OFFICER, { tid }), TRAIL);
    expect(res.data.verifyTenantAuditTrail.valid).toBe(true);
    const events = res.data.tenantAuditTrail.edges.map((e: any) => e.node);
    expect(events.map((e: any) => [e.action, e.actor?.id, e.actorRole])).toEqual([
      ['SLA_POLICY_CHANGED', `${tid}-admin`, 'ADMIN'],
      ['TENANT_SETTINGS_CHANGED', `${tid}-admin`, 'ADMIN'],
      ['CONTRACT_CHANGED', `${tid}-admin`, 'ADMIN'],
      ['CONTRACT_CHANGED', `${tid}-admin`, 'ADMIN'],
      ['AUDIT_CHECKPOINT_CREATED', `${tid}-admin`, 'ADMIN'],
    ]);
    expect(events[2].changes.contractTerminatedAt).toEqual({ from: null, to: '2026-11-30T12:00:00.000Z' });
    expect(events[3].changes.contractTerminatedAt).toEqual({ from: '2026-11-30T12:00:00.000Z', to: null });
  });
});
