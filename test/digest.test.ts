import { DateTime } from 'luxon';
import { Role } from '../src/auth/roles';
import { createDataSource } from '../src/db/data-source';
import { createLogger } from '../src/logger';
import { scheduleDailyDigests } from '../src/mail/daily-digest';
import { purgeExpiredTenants } from '../src/services/retention.service';
import { useMail } from '../src/mail/sla-mail';
import { SlaWorker, startSlaWorker } from '../src/worker/sla-worker';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { startTestApp, TestApp } from './support/harness';
import { startSmtp, TestSmtp, until } from './support/smtp';

/**
 * SPEC §11 daily digest: from 08:00 in the tenant's zone, one e-mail per assignee of open
 * cases and tenant-local day, listing the clocks due within 7 days (reference, clock, due
 * time in the tenant's zone, desk link), never PII or free text. The digest's "now" is the
 * workers' `clock`, so the test moves time instead of waiting for 08:00.
 */
const MAIL_CONFIG = { SMTP_URL: '', SMTP_FROM: 'desk@cms.example', PUBLIC_URL: 'https://desk.example' };
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const log = createLogger('silent');

let t: TestApp;
let smtp: TestSmtp;
let now: Date;
const clock = () => now;
const secondDataSource = () => {
  const ds = createDataSource(t.databaseUrl, { poolSize: 4 });
  useMail(ds, { ...MAIL_CONFIG, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  return ds;
};
const workers: SlaWorker[] = [];
const startWorker = async (dataSource = t.dataSource) => {
  const worker = await startSlaWorker(dataSource, t.databaseUrl, log, { pollInterval: 100, clock });
  workers.push(worker);
  return worker;
};
const stopWorkers = async () => {
  for (const w of workers.splice(0)) await w.stop();
};

beforeAll(async () => {
  smtp = await startSmtp();
  t = await startTestApp({ ...MAIL_CONFIG, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
});
afterAll(async () => {
  await stopWorkers();
  await t.close();
  await smtp.close();
});

const digestsOf = (tenant: string) =>
  t.sql(
    `SELECT recipient_id, email, to_char(local_date, 'YYYY-MM-DD') AS local_date, status, attempts, open_cases, items FROM email_digests WHERE tenant_id = $1 ORDER BY local_date, recipient_id`,
    [tenant],
  );
const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));
const settle = () => new Promise((r) => setTimeout(r, 1_500));

test('one digest per user with open cases and tenant-local day, from 08:00 local, with references, clocks and links but no PII', async () => {
  // Berlin: an agent with two open cases, an agent with none, an agent with a case but no
  // address, a DPO (unassigned open cases are not in anyone's digest), a flaky mailbox.
  const berlin = 'digest-berlin';
  const dpo = await t.token(Role.DPO, { tid: berlin, sub: 'b-dpo', email: 'dpo@berlin.example', tz: BERLIN });
  const busy = await t.token(Role.AGENT, { tid: berlin, sub: 'b-busy', email: 'busy@berlin.example', tz: BERLIN });
  const idle = await t.token(Role.AGENT, { tid: berlin, sub: 'b-idle', email: 'idle@berlin.example', tz: BERLIN });
  const mute = await t.token(Role.AGENT, { tid: berlin, sub: 'b-mute', tz: BERLIN });
  const flaky = await t.token(Role.AGENT, { tid: berlin, sub: 'b-flaky', email: 'flaky-agent@berlin.example', tz: BERLIN });
  const ny = 'digest-ny';
  const nyDpo = await t.token(Role.DPO, { tid: ny, sub: 'n-dpo', tz: NEW_YORK });
  const nyAgent = await t.token(Role.AGENT, { tid: ny, sub: 'n-agent', email: 'agent@ny.example', tz: NEW_YORK });
  for (const token of [dpo, busy, idle, mute, flaky, nyDpo, nyAgent]) expect((await t.gql(token, '{ me { tenantId } }')).errors).toBeUndefined();

  const file = async (token: string, input: Record<string, unknown>) => {
    const res = await t.gql(token, FILE_COMPLAINT, {
      input: complaintInput({
        complainant: { name: 'Zora Quillfeather', email: 'zora.quill@private.example' },
        summary: 'SUMMARYMARKER about my data',
        description: 'DESCRIPTIONMARKER in full',
        ...input,
      }),
    });
    expect(res.errors).toBeUndefined();
    return res.data.fileComplaint as { id: string; reference: string };
  };
  // OTHER: ACKNOWLEDGE in 5 business days, RESPOND in 30 days; DE: GDPR/DPF clocks a month and more away.
  const soon = await file(dpo, { jurisdiction: 'BR', assigneeId: 'b-busy' });
  const later = await file(dpo, { jurisdiction: 'DE', assigneeId: 'b-busy' });
  await file(dpo, { jurisdiction: 'BR', assigneeId: 'b-mute' });
  await file(dpo, { jurisdiction: 'BR' });
  await file(dpo, { jurisdiction: 'BR', assigneeId: 'b-flaky' });
  const resolved = await file(dpo, { jurisdiction: 'BR', assigneeId: 'b-idle' });
  const res = await t.gql(dpo, `mutation { resolveComplaint(id: "${resolved.id}", outcome: UPHELD, summary: "RESOLUTIONMARKER") { status } }`);
  expect(res.errors).toBeUndefined();
  const nyCase = await file(nyDpo, { jurisdiction: 'BR', assigneeId: 'n-agent' });

  const [ack] = await t.sql(`SELECT id, due_at FROM sla_timers WHERE complaint_id = $1 AND kind = 'ACKNOWLEDGE'`, [soon.id]);
  const [respond] = await t.sql(`SELECT id, due_at FROM sla_timers WHERE complaint_id = $1 AND kind = 'RESPOND'`, [soon.id]);
  // 09:30 in Berlin two days before the acknowledgement falls due: 03:30 or 04:30 in New York.
  const morning = DateTime.fromJSDate(ack.due_at, { zone: BERLIN }).minus({ days: 2 }).set({ hour: 9, minute: 30, second: 0, millisecond: 0 });
  now = morning.toJSDate();
  expect(DateTime.fromJSDate(now, { zone: NEW_YORK }).hour).toBeLessThan(8);

  // Two workers start at once (each scans at start-up), and two more scans race beside them.
  const other = secondDataSource();
  await other.initialize();
  try {
    await Promise.all([startWorker(), startWorker(other), scheduleDailyDigests(t.dataSource, log, now), scheduleDailyDigests(other, log, now)]);
    const sent = await until(async () => {
      const rows = await digestsOf(berlin);
      return rows.length === 2 && rows.every((r) => r.status === 'SENT') && rows;
    }, 30_000);
    await scheduleDailyDigests(t.dataSource, log, morning.plus({ hours: 3 }).toJSDate()); // later the same day (still before 08:00 in New York)
    await settle();

    const day = morning.toISODate();
    expect(sent.map((r) => [r.recipient_id, r.local_date])).toEqual([
      ['b-busy', day],
      ['b-flaky', day],
    ]);
    expect(await digestsOf(berlin)).toHaveLength(2);
    expect(mailsTo('busy@berlin.example')).toHaveLength(1);
    expect(mailsTo('flaky-agent@berlin.example')).toHaveLength(1); // refused once, retried, sent once
    expect(sent.find((r) => r.recipient_id === 'b-flaky')!.attempts).toBe(2);
    for (const nobody of ['idle@berlin.example', 'dpo@berlin.example', 'agent@ny.example']) expect(mailsTo(nobody)).toEqual([]);
    expect(smtp.mails).toHaveLength(2);
    expect(await digestsOf(ny)).toEqual([]); // before 08:00 in New York

    const [mail] = mailsTo('busy@berlin.example');
    expect(mail.data).toContain(`Daily digest ${day}`);
    expect(mail.data).toContain(soon.reference);
    expect(mail.data).toContain(`https://desk.example/#/case/${soon.id}`);
    expect(mail.data).toContain(`${DateTime.fromJSDate(ack.due_at, { zone: BERLIN }).toFormat('yyyy-LL-dd HH:mm')}  ${soon.reference}  ACKNOWLEDGE (OTHER)`);
    expect(mail.data).toContain(BERLIN);
    expect(mail.data).toContain('Your open cases: 2.');
    expect(mail.data).not.toContain('RESPOND'); // 30 days away
    expect(mail.data).not.toContain(later.reference); // nothing of it falls due within 7 days
    expect(mail.data).not.toMatch(/Zora|Quillfeather|zora\.quill|private\.example|SUMMARYMARKER|DESCRIPTIONMARKER|RESOLUTIONMARKER/i);

    // What was sent is recorded: the clocks it listed, by id, reference, kind, regime and due instant.
    expect(sent[0].open_cases).toBe(2);
    expect(sent[0].items).toEqual([
      { complaintId: soon.id, reference: soon.reference, timerId: ack.id, kind: 'ACKNOWLEDGE', regime: 'OTHER', dueAt: ack.due_at.toISOString() },
    ]);
    expect(JSON.stringify(sent[0].items)).not.toContain(respond.id);

    // 08:15 in New York: its agent gets one now (the crontab's job, run by a worker); Berlin nothing more.
    now = DateTime.fromJSDate(now, { zone: NEW_YORK }).set({ hour: 8, minute: 15 }).toJSDate();
    await t.sql(`SELECT graphile_worker.add_job('daily_digest')`);
    await until(async () => mailsTo('agent@ny.example').length === 1);
    await settle();
    expect(mailsTo('agent@ny.example')[0].data).toContain(nyCase.reference);
    expect(await digestsOf(ny)).toMatchObject([
      { recipient_id: 'n-agent', local_date: DateTime.fromJSDate(now, { zone: NEW_YORK }).toISODate(), status: 'SENT' },
    ]);
    expect(smtp.mails).toHaveLength(3);

    // Down over the next 08:00: the digest goes out when a worker is back that day, once.
    await stopWorkers();
    now = morning.plus({ days: 1 }).set({ hour: 13 }).toJSDate();
    await startWorker();
    await until(async () => mailsTo('busy@berlin.example').length === 2);
    await stopWorkers();
    await startWorker(); // a restart the same day sends nothing again
    await settle();
    expect(mailsTo('busy@berlin.example')).toHaveLength(2);
    expect(mailsTo('busy@berlin.example')[1].data).toContain(`Daily digest ${morning.plus({ days: 1 }).toISODate()}`);
    expect((await digestsOf(berlin)).filter((r) => r.recipient_id === 'b-busy').map((r) => r.local_date)).toEqual([day, morning.plus({ days: 1 }).toISODate()]);
  } finally {
    await stopWorkers();
    await other.destroy();
  }
}, 90_000);

test("the retention purge removes the tenant's digest records (they hold its users' addresses)", async () => {
  const berlin = 'digest-berlin';
  expect((await digestsOf(berlin)).length).toBeGreaterThan(0);
  // A digest claimed but not yet sent: its queued job goes with the tenant.
  const [pending] = await t.sql(
    `INSERT INTO email_digests (tenant_id, recipient_id, local_date, as_of, email) VALUES ($1, 'b-busy', '2030-01-01', now(), 'busy@berlin.example') RETURNING id`,
    [berlin],
  );
  await t.sql(`SELECT graphile_worker.add_job('daily_digest_mail', $1::json, job_key := $2)`, [
    JSON.stringify({ tenantId: berlin, digestId: pending.id }),
    `digest:${pending.id}`,
  ]);
  const admin = await t.token(Role.ADMIN, { tid: berlin, sub: 'b-admin', tz: BERLIN });
  const res = await t.gql(admin, `mutation { terminateContract(terminatedAt: "2026-01-01T00:00:00Z", retentionDays: 0) { id } }`);
  expect(res.errors).toBeUndefined();
  expect(await purgeExpiredTenants(t.dataSource, log)).toEqual([berlin]);
  expect(await digestsOf(berlin)).toEqual([]);
  expect(await t.sql(`SELECT id FROM graphile_worker.jobs WHERE key = $1`, [`digest:${pending.id}`])).toEqual([]);
  expect(await digestsOf('digest-ny')).toHaveLength(1);
});
