import { Role } from '../src/auth/roles';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { startTestApp, TestApp } from './support/harness';
import { startSmtp, TestSmtp, until } from './support/smtp';

let t: TestApp;
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
  t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, SMTP_FROM: 'desk@cms.example', PUBLIC_URL: 'https://desk.example' }, { worker: true });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

test('each SLA breach and warning is mailed once to the assignee and the DPOs with an address, without PII or free text', async () => {
  const tid = 'mailco';
  const agent = await t.token(Role.AGENT, { tid, sub: 'mail-agent', email: 'agent@mailco.example' });
  const dpo = await t.token(Role.DPO, { tid, sub: 'mail-dpo', email: 'dpo@mailco.example' });
  const silentDpo = await t.token(Role.DPO, { tid, sub: 'mail-dpo-2' });
  const admin = await t.token(Role.ADMIN, { tid, sub: 'mail-admin', email: 'admin@mailco.example' });
  for (const token of [agent, dpo, silentDpo, admin]) expect((await t.gql(token, '{ me { tenantId } }')).errors).toBeUndefined();

  // Received long ago: every clock is already past due, so the worker breaches them at once.
  const filed = await t.gql(agent, FILE_COMPLAINT, {
    input: complaintInput({
      assigneeId: 'mail-agent',
      receivedAt: '2025-01-06T09:00:00.000Z',
      complainant: { name: 'Piia Marker', email: 'piia.marker@example.com' },
      summary: 'FREETEXTMARKER',
    }),
  });
  expect(filed.errors).toBeUndefined();
  const { id, reference } = filed.data.fileComplaint;

  const events = await until(async () => {
    const [open] = await t.sql(`SELECT count(*)::int AS n FROM sla_timers WHERE complaint_id = $1 AND status = 'RUNNING' AND due_at < now()`, [id]);
    const rows = await t.sql(
      `SELECT changes->>'timerId' AS timer, action FROM audit_events WHERE complaint_id = $1 AND action IN ('SLA_WARNING', 'SLA_BREACHED')`,
      [id],
    );
    return open.n === 0 && rows.length > 0 && rows;
  });
  const expected = events.length * 2; // the assignee and the DPO with an address
  await until(
    async () => (await t.sql(`SELECT count(*)::int AS n FROM email_notifications WHERE status = 'SENT'`))[0].n === expected && smtp.mails.length === expected,
  );

  const rows = await t.sql(`SELECT timer_id, kind, recipient_id, email, attempts FROM email_notifications ORDER BY timer_id, kind, recipient_id`);
  expect(rows).toHaveLength(expected);
  expect(new Set(rows.map((r) => r.recipient_id))).toEqual(new Set(['mail-agent', 'mail-dpo']));
  expect(rows.every((r) => r.attempts === 1)).toBe(true);
  expect(smtp.mails.flatMap((m) => m.to).sort()).toEqual(rows.map((r) => r.email).sort());
  for (const mail of smtp.mails) {
    expect(mail.data).toContain(reference);
    expect(mail.data).toContain(`https://desk.example/#/case/${id}`);
    expect(mail.data).not.toMatch(/Piia|Marker|piia\.marker|FREETEXTMARKER/i);
  }
  expect(smtp.mails.some((m) => /SLA breached/.test(m.data))).toBe(true);

  // Once: a second record of the same (timer, kind, recipient) is refused by the database.
  const [first] = rows;
  await expect(
    t.sql(`INSERT INTO email_notifications (tenant_id, timer_id, kind, recipient_id, email) VALUES ($1, $2, $3, $4, $5)`, [
      tid,
      first.timer_id,
      first.kind,
      first.recipient_id,
      first.email,
    ]),
  ).rejects.toThrow(/email_notifications_once_key/);
  await new Promise((r) => setTimeout(r, 500));
  expect(smtp.mails).toHaveLength(expected);
});

test('a refused send is retried and recorded once', async () => {
  const tid = 'mailretry';
  const dpo = await t.token(Role.DPO, { tid, sub: 'retry-dpo', email: 'flaky-dpo@mailretry.example' });
  expect((await t.gql(dpo, '{ me { tenantId } }')).errors).toBeUndefined();
  const before = smtp.mails.length;
  const filed = await t.gql(dpo, FILE_COMPLAINT, { input: complaintInput({ receivedAt: '2025-01-06T09:00:00.000Z' }) });
  expect(filed.errors).toBeUndefined();
  const rows = await until(async () => {
    const all = await t.sql(`SELECT status, attempts FROM email_notifications WHERE tenant_id = $1`, [tid]);
    return all.length > 0 && all.every((r) => r.status === 'SENT') && all;
  }, 30_000);
  // The first message to the address was refused once, then sent; the others went at once.
  expect(rows.map((r) => r.attempts).sort()).toEqual([...rows.slice(1).map(() => 1), 2]);
  expect(smtp.mails.length - before).toBe(rows.length);
}, 40_000);

test('a clock breached inside the mutation itself (a referral already past its deadline, an escalation settling a due clock) is mailed like any breach', async () => {
  const tid = 'mailnow';
  const dpo = await t.token(Role.DPO, { tid, sub: 'now-dpo', email: 'dpo@mailnow.example' });
  expect((await t.gql(dpo, '{ me { tenantId } }')).errors).toBeUndefined();
  const referral = await t.gql(dpo, FILE_COMPLAINT, {
    input: complaintInput({
      jurisdiction: 'US-CA',
      channel: 'REGULATOR_REFERRAL',
      regulatorReferral: { regulator: 'CPPA', reference: 'CPPA-7', respondBy: new Date(Date.now() - 60_000).toISOString() },
    }),
  });
  expect(referral.errors).toBeUndefined();
  const referralId = referral.data.fileComplaint.id;

  // Received long ago, escalated before the worker reaches its clocks: the escalation breaches them first.
  const old = await t.gql(dpo, FILE_COMPLAINT, { input: complaintInput({ receivedAt: '2025-01-06T09:00:00.000Z' }) });
  expect(old.errors).toBeUndefined();
  const escalated = await t.gql(dpo, `mutation($id: ID!) { escalateComplaint(id: $id, to: REGULATOR, reason: "Referred on") { id stage } }`, {
    id: old.data.fileComplaint.id,
  });
  expect(escalated.errors).toBeUndefined();

  const breaches = await t.sql(
    `SELECT complaint_id, changes->>'timerId' AS timer FROM audit_events WHERE tenant_id = $1 AND action = 'SLA_BREACHED' AND complaint_id = ANY($2::uuid[])`,
    [tid, [referralId, old.data.fileComplaint.id]],
  );
  expect(breaches.some((b) => b.complaint_id === referralId)).toBe(true);
  const mails = await until(async () => {
    const rows = await t.sql(`SELECT timer_id, kind, status FROM email_notifications WHERE tenant_id = $1 AND kind = 'SLA_BREACHED'`, [tid]);
    return rows.length === breaches.length && rows.every((r) => r.status === 'SENT') && rows;
  }, 30_000);
  expect(new Set(mails.map((m) => m.timer_id))).toEqual(new Set(breaches.map((b) => b.timer)));
}, 40_000);
