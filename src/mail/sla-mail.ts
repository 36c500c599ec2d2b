import { randomUUID } from 'node:crypto';
import { createTransport, Transporter } from 'nodemailer';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { RequestContext, TxContext } from '../context';
import { transaction } from '../db/transaction';
import { AuditAction } from '../domain/enums';
import type { Logger } from '../logger';

export const SLA_MAIL_TASK = 'sla_mail';

export interface MailSettings {
  transport: Transporter;
  from: string;
  publicUrl: string | null;
}

const byDataSource = new WeakMap<DataSource, MailSettings>();

/** With SMTP_URL set, SLA warnings and breaches are mailed (SPEC §11); without it, nothing is queued. */
export function useMail(dataSource: DataSource, config: Pick<AppConfig, 'SMTP_URL' | 'SMTP_FROM' | 'PUBLIC_URL'>): void {
  if (!config.SMTP_URL) return;
  byDataSource.set(dataSource, {
    transport: createTransport(config.SMTP_URL),
    from: config.SMTP_FROM,
    publicUrl: config.PUBLIC_URL?.replace(/\/+$/, '') ?? null,
  });
}

/** The mail settings of this data source's process, or null when SMTP_URL is not set. */
export function mailSettingsOf(dataSource: DataSource): MailSettings | null {
  return byDataSource.get(dataSource) ?? null;
}

/** The case page of the desk (src/desk/App.tsx routes `#/case/<id>`), or null without PUBLIC_URL. */
export function deskCaseLink(settings: MailSettings, complaintId: string): string | null {
  return settings.publicUrl ? `${settings.publicUrl}/#/case/${complaintId}` : null;
}

const KINDS: Partial<Record<AuditAction, string>> = { [AuditAction.SLA_WARNING]: 'SLA_WARNING', [AuditAction.SLA_BREACHED]: 'SLA_BREACHED' };

/** The mail kind an audited action sends on this database, or null (not an SLA alert, or no SMTP_URL). */
export function slaMailKind(dataSource: DataSource, action: AuditAction): string | null {
  return byDataSource.has(dataSource) ? (KINDS[action] ?? null) : null;
}

/**
 * The mail outbox: in the SLA event's transaction, one row per recipient (the case's assignee
 * and the tenant's DPOs with an e-mail address), unique per (timer, kind, recipient), and a job
 * keyed by the row, so each mail is sent once however often the event is seen.
 */
export async function queueSlaMail(tx: TxContext, event: { action: AuditAction; complaintId: string | null; changes: Record<string, unknown> }): Promise<void> {
  const kind = KINDS[event.action];
  if (!kind || !event.complaintId || typeof event.changes.timerId !== 'string' || !byDataSource.has(tx.dataSource)) return;
  const rows = (await tx.manager.query(
    `INSERT INTO email_notifications (tenant_id, timer_id, kind, recipient_id, email)
     SELECT $1, $2, $3, u.id, u.email FROM users u
     WHERE u.email IS NOT NULL AND (u.id = (SELECT assignee_id FROM complaints WHERE id = $4) OR 'DPO' = ANY(u.roles))
     ON CONFLICT DO NOTHING RETURNING id`,
    [tx.tenantId, event.changes.timerId, kind, event.complaintId],
  )) as { id: string }[];
  for (const row of rows) {
    await tx.manager.query(`SELECT FROM graphile_worker.add_job($1, $2::json, job_key := $3, max_attempts := 25)`, [
      SLA_MAIL_TASK,
      JSON.stringify({ tenantId: tx.tenantId, notificationId: row.id }),
      `mail:${row.id}`,
    ]);
  }
}

interface PendingMail {
  id: string;
  kind: string;
  email: string;
  reference: string;
  complaintId: string;
  timerKind: string;
  regime: string;
  dueAt: Date;
}

/** Reference, clock, due time and a desk link: never PII or free text. */
function compose(mail: PendingMail, settings: MailSettings) {
  const what = mail.kind === 'SLA_BREACHED' ? 'breached' : 'is about to fall due';
  const link = deskCaseLink(settings, mail.complaintId);
  const lines = [
    `The ${mail.timerKind} clock (${mail.regime}) of complaint ${mail.reference} ${what}.`,
    `Due: ${mail.dueAt.toISOString()}`,
    ...(link ? [`Open the case: ${link}`] : []),
  ];
  return {
    from: settings.from,
    to: mail.email,
    subject: `[${mail.reference}] SLA ${mail.kind === 'SLA_BREACHED' ? 'breached' : 'warning'}: ${mail.timerKind}`,
    text: `${lines.join('\n')}\n`,
  };
}

/** The worker's task: sends a PENDING mail and records it SENT; a failure throws, and graphile-worker retries. */
export async function sendSlaMail(dataSource: DataSource, log: Logger, tenantId: string, notificationId: string): Promise<void> {
  const settings = byDataSource.get(dataSource);
  if (!settings) throw new Error('SMTP_URL is not configured on this worker');
  const ctx = RequestContext.system(dataSource, tenantId, `mail-${randomUUID()}`, log);
  const mail = await transaction(ctx, async (tx) => {
    const [row] = (await tx.manager.query(
      `SELECT n.id, n.kind, n.email, c.reference, c.id AS "complaintId", t.kind AS "timerKind", t.regime, t.due_at AS "dueAt"
       FROM email_notifications n JOIN sla_timers t ON t.id = n.timer_id JOIN complaints c ON c.id = t.complaint_id
       WHERE n.id = $1 AND n.status = 'PENDING'`,
      [notificationId],
    )) as PendingMail[];
    if (row) await tx.manager.query('UPDATE email_notifications SET attempts = attempts + 1 WHERE id = $1', [notificationId]);
    return row ?? null;
  });
  if (!mail) return;
  await settings.transport.sendMail(compose(mail, settings));
  await transaction(ctx, (tx) => tx.manager.query(`UPDATE email_notifications SET status = 'SENT', sent_at = now() WHERE id = $1`, [notificationId]));
}
