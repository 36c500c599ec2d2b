import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { RequestContext } from '../context';
import { inTenantTransaction, transaction } from '../db/transaction';
import { ComplaintStatus, SlaTimerStatus } from '../domain/enums';
import type { Logger } from '../logger';
import { deskCaseLink, mailSettingsOf, MailSettings } from './sla-mail';

export const DAILY_DIGEST_SCAN_TASK = 'daily_digest';
export const DAILY_DIGEST_MAIL_TASK = 'daily_digest_mail';

/** SPEC §11: the digest goes out from 08:00 in the tenant's zone and lists what falls due within 7 days. */
export const DIGEST_LOCAL_HOUR = 8;
export const DIGEST_HORIZON_DAYS = 7;
/** A digest not sent within a day (SMTP down all day) is dropped: the next day's supersedes it. */
const DIGEST_EXPIRES_AFTER_MS = 24 * 3_600_000;
/** Lines per mail: the desk's queue holds the rest. */
const MAX_LINES = 200;

const OPEN_STATUSES = [ComplaintStatus.OPEN, ComplaintStatus.AWAITING_COMPLAINANT];

/** The tenant-local date whose digest is due at `now`, or null before 08:00 local. */
export function digestDateAt(now: Date, timeZone: string): string | null {
  let local = DateTime.fromJSDate(now, { zone: timeZone });
  if (!local.isValid) local = DateTime.fromJSDate(now, { zone: 'UTC' });
  return local.hour >= DIGEST_LOCAL_HOUR ? local.toISODate() : null;
}

/**
 * The scan (worker crontab, and at start-up so a digest missed while the service was down
 * goes out when it is back, the same local day): for every tenant past 08:00 local, one row
 * per assignee of open cases with an e-mail address and that local date, claimed with
 * ON CONFLICT DO NOTHING, and in the same transaction a job keyed by the row. However many
 * workers scan, however often, each user gets one digest per tenant-local day.
 * Only assignees get one (SPEC §11 "each user with open cases"): a DPO hears of unassigned
 * cases through the SLA warning and breach mails, which go to every DPO.
 */
export async function scheduleDailyDigests(dataSource: DataSource, log: Logger, now = new Date()): Promise<number> {
  if (!mailSettingsOf(dataSource)) return 0;
  const tenants = (await dataSource.transaction(async (m) => {
    await m.query(`SELECT set_config('role', 'cms_sweeper', true)`);
    return m.query(`SELECT id FROM tenants WHERE purged_at IS NULL ORDER BY id`);
  })) as { id: string }[];
  let claimed = 0;
  for (const { id: tenantId } of tenants) {
    try {
      claimed += await inTenantTransaction(dataSource, tenantId, async (manager) => {
        const [tenant] = (await manager.query(`SELECT time_zone FROM tenants WHERE id = $1`, [tenantId])) as { time_zone: string }[];
        const localDate = tenant && digestDateAt(now, tenant.time_zone);
        if (!localDate) return 0;
        const rows = (await manager.query(
          `INSERT INTO email_digests (tenant_id, recipient_id, local_date, as_of, email)
           SELECT u.tenant_id, u.id, $2::date, $3, u.email FROM users u
           WHERE u.tenant_id = $1 AND u.email IS NOT NULL
             AND EXISTS (SELECT 1 FROM complaints c WHERE c.tenant_id = u.tenant_id AND c.assignee_id = u.id AND c.status = ANY($4))
           ON CONFLICT ON CONSTRAINT email_digests_once_key DO NOTHING RETURNING id`,
          [tenantId, localDate, now, OPEN_STATUSES],
        )) as { id: string }[];
        for (const row of rows) {
          await manager.query(`SELECT FROM graphile_worker.add_job($1, $2::json, job_key := $3, max_attempts := 25)`, [
            DAILY_DIGEST_MAIL_TASK,
            JSON.stringify({ tenantId, digestId: row.id }),
            `digest:${row.id}`,
          ]);
        }
        return rows.length;
      });
    } catch (error) {
      log.error({ err: error, tenantId }, 'daily digest scan failed for a tenant');
    }
  }
  return claimed;
}

interface PendingDigest {
  id: string;
  recipientId: string;
  email: string;
  localDate: string;
  asOf: Date;
  timeZone: string;
}

/** One clock of the digest: ids, reference and the clock, never PII or free text. */
export interface DigestItem {
  complaintId: string;
  reference: string;
  timerId: string;
  kind: string;
  regime: string;
  dueAt: string;
}

/** Reference, clock, due time in the tenant's zone and the desk link, per line. */
function compose(digest: PendingDigest, items: DigestItem[], openCases: number, settings: MailSettings) {
  const local = (iso: string) => DateTime.fromISO(iso, { zone: digest.timeZone }).toFormat('yyyy-LL-dd HH:mm');
  const shown = items.slice(0, MAX_LINES);
  const lines = [
    `Your open cases: ${openCases}. Clocks that fall due in the next ${DIGEST_HORIZON_DAYS} days: ${items.length}.`,
    `Times are in ${digest.timeZone}.`,
    '',
    ...(items.length === 0 ? ['Nothing falls due in the next 7 days.'] : []),
    ...shown.map((item) => {
      const link = deskCaseLink(settings, item.complaintId);
      return `${local(item.dueAt)}  ${item.reference}  ${item.kind} (${item.regime})${link ? `  ${link}` : ''}`;
    }),
    ...(items.length > shown.length ? [`... and ${items.length - shown.length} more: see the queue in the case desk.`] : []),
    ...(settings.publicUrl ? ['', `Case desk: ${settings.publicUrl}/`] : []),
  ];
  return {
    from: settings.from,
    to: digest.email,
    subject: `Daily digest ${digest.localDate}: ${items.length} clock${items.length === 1 ? '' : 's'} due in the next ${DIGEST_HORIZON_DAYS} days`,
    text: `${lines.join('\n')}\n`,
  };
}

/**
 * The worker's task: reads a PENDING digest's clocks (running clocks of the recipient's open
 * cases due within 7 days of the digest's instant), sends it and records it SENT with what it
 * listed. A failed send throws and graphile-worker retries; a duplicate only if the process
 * dies between sending and recording.
 */
export async function sendDailyDigest(dataSource: DataSource, log: Logger, tenantId: string, digestId: string, now = new Date()): Promise<void> {
  const settings = mailSettingsOf(dataSource);
  if (!settings) throw new Error('SMTP_URL is not configured on this worker');
  const ctx = RequestContext.system(dataSource, tenantId, `digest-${randomUUID()}`, log);
  const pending = await transaction(ctx, async (tx) => {
    const [digest] = (await tx.manager.query(
      `SELECT d.id, d.recipient_id AS "recipientId", d.email, to_char(d.local_date, 'YYYY-MM-DD') AS "localDate", d.as_of AS "asOf", t.time_zone AS "timeZone"
       FROM email_digests d JOIN tenants t ON t.id = d.tenant_id WHERE d.id = $1 AND d.status = 'PENDING'`,
      [digestId],
    )) as PendingDigest[];
    if (!digest) return null;
    if (now.getTime() - digest.asOf.getTime() > DIGEST_EXPIRES_AFTER_MS) {
      await tx.manager.query(`UPDATE email_digests SET status = 'EXPIRED' WHERE id = $1`, [digestId]);
      return null;
    }
    const rows = (await tx.manager.query(
      `SELECT c.id AS "complaintId", c.reference, t.id AS "timerId", t.kind, t.regime, t.due_at AS "dueAt"
       FROM complaints c JOIN sla_timers t ON t.complaint_id = c.id
       WHERE c.tenant_id = $1 AND c.assignee_id = $2 AND c.status = ANY($3) AND t.status = $4 AND t.due_at <= $5::timestamptz + make_interval(days => $6)
       ORDER BY t.due_at, c.reference, t.kind`,
      [tenantId, digest.recipientId, OPEN_STATUSES, SlaTimerStatus.RUNNING, digest.asOf, DIGEST_HORIZON_DAYS],
    )) as (Omit<DigestItem, 'dueAt'> & { dueAt: Date })[];
    const items: DigestItem[] = rows.map((r) => ({ ...r, dueAt: r.dueAt.toISOString() }));
    const [{ n: openCases }] = (await tx.manager.query(
      `SELECT count(*)::int AS n FROM complaints WHERE tenant_id = $1 AND assignee_id = $2 AND status = ANY($3)`,
      [tenantId, digest.recipientId, OPEN_STATUSES],
    )) as { n: number }[];
    await tx.manager.query('UPDATE email_digests SET attempts = attempts + 1 WHERE id = $1', [digestId]);
    return { digest, items, openCases };
  });
  if (!pending) return;
  await settings.transport.sendMail(compose(pending.digest, pending.items, pending.openCases, settings));
  await transaction(ctx, (tx) =>
    tx.manager.query(`UPDATE email_digests SET status = 'SENT', sent_at = now(), open_cases = $2, items = $3::jsonb WHERE id = $1 AND status = 'PENDING'`, [
      digestId,
      pending.openCases,
      JSON.stringify(pending.items),
    ]),
  );
  log.info({ tenantId, digestId, clocks: pending.items.length }, 'daily digest sent');
}
