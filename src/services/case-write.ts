import { randomUUID } from 'node:crypto';
import { draftEvent, sealChain, signEvents, eventRow, auditNotice, type AppendOptions, type ChainHead, type Changes } from '../audit/audit-chain';
import type { TxContext } from '../context';
import { AuditAction, ComplaintStage, ComplaintStatus, SlaTimerStatus } from '../domain/enums';
import { checkTimerTransition } from '../domain/sla-timer-state';
import { WEBHOOK_EVENTS } from '../domain/webhook-events';
import { slaMailKind, SLA_MAIL_TASK } from '../mail/sla-mail';
import { WEBHOOK_DELIVERY_TASK } from '../webhooks/outbox';
import { AuditEvent, Complaint, SlaTimer } from '../../entities';
import { enforce } from './complaint-mutation';
import { allows, breachedChanges, factsOf, newTimer, NewTimer, startedChanges, timerChanges, warnedChanges } from './sla-engine';
import { jobKey, SLA_ALERT_CHANNEL, timerJob } from './sla-jobs';

/**
 * The batched write of one case change (SPEC §6, issue 12): filing and escalation collect
 * their rows here — the case, its stage transition, timers started, cancelled or breached,
 * audit events (sealed in JS by sealEvent, like every event), webhook outbox rows, SLA
 * mails, graphile-worker jobs and the NOTIFYs — and write them all in ONE statement
 * (caseWriteSql below). The timer steps are those of the SLA engine (sla-engine.ts),
 * planned instead of written one by one: the same state table, the same audit changes.
 */
export class CaseWrite {
  readonly events: AuditEvent[] = [];
  readonly newTimers: SlaTimer[] = [];
  readonly changedTimers: SlaTimer[] = [];
  private readonly hooks: { event: AuditEvent; type: string; webhook: string; stage: ComplaintStage; status: ComplaintStatus; timer: SlaTimer | null }[] = [];
  /** Rows of email_notifications as OUTBOX_CTES reads them (jsonb_to_recordset: snake_case keys). */
  private readonly mails: { timer_id: string; kind: string }[] = [];
  private readonly rescheduled: SlaTimer[] = [];
  private readonly alerts: { timer: SlaTimer; kind: 'WARNING' | 'BREACHED' }[] = [];
  private readonly unscheduled = new Set<string>();
  private transition: Record<string, unknown> | null = null;

  constructor(
    private readonly tx: TxContext,
    /** The case as it stands at each step: webhook payloads carry its stage and status then. */
    private readonly complaint: Complaint,
  ) {}

  /** An audit event of the case, in chain order; its webhook rows and SLA mails follow it. */
  audit(action: AuditAction, changes: Changes, options: AppendOptions = {}, timer: SlaTimer | null = null): AuditEvent {
    const event = draftEvent(this.tx, this.complaint.id, action, changes, options);
    this.events.push(event);
    const mapped = WEBHOOK_EVENTS[action];
    if (mapped) {
      const snapshot = timer ? Object.assign(new SlaTimer(), timer) : null;
      this.hooks.push({ event, type: mapped.type, webhook: mapped.event, stage: this.complaint.stage, status: this.complaint.status, timer: snapshot });
    }
    const mail = slaMailKind(this.tx.dataSource, action);
    if (mail && timer) this.mails.push({ timer_id: timer.id, kind: mail });
    return event;
  }

  /** The case's StageTransition (filing: from null). */
  enterStage(from: ComplaintStage | null, to: ComplaintStage, reason: string, at: Date): void {
    this.transition = { from_stage: from, to_stage: to, reason, at: at.toISOString(), actor_id: this.tx.user.userId };
  }

  /** slaEngine.start, planned: a running clock and its SLA_STARTED; its job is added at the flush. */
  startTimer(spec: NewTimer, at: Date): SlaTimer {
    const timer = Object.assign(new SlaTimer(), newTimer(this.tx.tenantId, this.complaint.id, spec), { id: randomUUID() });
    this.newTimers.push(timer);
    this.audit(AuditAction.SLA_STARTED, startedChanges(timer), { at });
    return timer;
  }

  /** slaEngine.settleIfDue: a running clock past its due is breached at its dueAt first (SPEC §5). */
  settleIfDue(timer: SlaTimer, now: Date): boolean {
    if (!allows(timer, 'breach', now)) return false;
    enforce(checkTimerTransition(factsOf(timer), 'breach', now));
    Object.assign(timer, { status: SlaTimerStatus.BREACHED, breachedAt: timer.dueAt });
    this.changed(timer);
    this.audit(AuditAction.SLA_BREACHED, breachedChanges(timer), { system: true, at: now }, timer);
    this.unscheduled.add(timer.id);
    this.alerts.push({ timer, kind: 'BREACHED' });
    return true;
  }

  /** slaEngine.cancel, planned. */
  cancel(timer: SlaTimer, at: Date): void {
    enforce(checkTimerTransition(factsOf(timer), 'cancel', at));
    const from = timer.status;
    Object.assign(timer, { status: SlaTimerStatus.CANCELLED, cancelledAt: at });
    this.changed(timer);
    this.audit(AuditAction.SLA_CANCELLED, timerChanges(timer, { status: { from, to: SlaTimerStatus.CANCELLED } }), { at });
    this.unscheduled.add(timer.id);
  }

  /** slaEngine.warn, planned: the warning at `now`; the timer's job moves on to its breach. */
  warn(timer: SlaTimer, now: Date): void {
    enforce(checkTimerTransition(factsOf(timer), 'warn', now));
    timer.warnedAt = now;
    this.changed(timer);
    this.audit(AuditAction.SLA_WARNING, warnedChanges(timer, now), { system: true, at: now }, timer);
    if (!this.rescheduled.includes(timer)) this.rescheduled.push(timer);
    this.alerts.push({ timer, kind: 'WARNING' });
  }

  /** complaints.next_due_at after this change: the earliest due among RUNNING timers. */
  nextDueAt(liveTimers: SlaTimer[]): Date | null {
    const running = [...liveTimers, ...this.newTimers].filter((t) => t.status === SlaTimerStatus.RUNNING);
    return running.length ? new Date(Math.min(...running.map((t) => t.dueAt.getTime()))) : null;
  }

  private changed(timer: SlaTimer): void {
    if (!this.newTimers.includes(timer) && !this.changedTimers.includes(timer)) this.changedTimers.push(timer);
  }

  /** Links and seals the events into the case's chain from `head` (in JS, each hash before the INSERT). */
  seal(head: ChainHead): void {
    if (this.events.length > 0) this.tx.chainHeads.set(this.complaint.id, sealChain(this.events, head));
  }

  /**
   * The rows of the sealed (and signed) change, as caseWriteSql and the breach batch
   * (sla-batch.ts) read them. Call it once the case's reference is known: webhook payloads
   * carry it.
   */
  rows(): CaseWriteRows {
    const c = this.complaint;
    const hooks = this.hooks.map((h, ord) => ({
      ord,
      event_id: h.event.id,
      event: h.webhook,
      payload: {
        type: h.type,
        timestamp: h.event.at.toISOString(),
        data: {
          complaintId: c.id,
          reference: c.reference,
          stage: h.stage,
          status: h.status,
          ...(h.timer
            ? { timer: { id: h.timer.id, kind: h.timer.kind, regime: h.timer.regime, dueAt: h.timer.dueAt.toISOString(), status: h.timer.status } }
            : {}),
        },
      },
    }));
    for (const { timer, kind } of this.alerts) this.tx.log.info({ tenantId: timer.tenantId, timerId: timer.id, kind }, 'sla timer event');
    const isNew = (id: string) => this.newTimers.some((t) => t.id === id);
    return {
      newTimers: this.newTimers.map(timerRow),
      changedTimers: this.changedTimers.filter((t) => !this.newTimers.includes(t)).map(timerRow),
      events: this.events.map(eventRow),
      hooks,
      mails: this.mails.map((m) => ({ ...m, tenant_id: this.tx.tenantId, assignee_id: c.assigneeId })),
      jobs: this.newTimers.filter((t) => t.status === SlaTimerStatus.RUNNING).map((t) => timerJob(t)),
      rescheduledJobs: this.rescheduled.filter((t) => t.status === SlaTimerStatus.RUNNING && !isNew(t.id)).map((t) => timerJob(t)),
      removedJobs: [...this.unscheduled].filter((id) => !isNew(id)).map(jobKey),
      notice:
        this.events.length > 0
          ? auditNotice(
              this.tx.tenantId,
              c.id,
              this.events.map((e) => e.id),
            )
          : null,
      alerts: this.alerts.map(({ timer, kind }) => ({ tenantId: timer.tenantId, timerId: timer.id, complaintId: timer.complaintId, kind })),
    };
  }

  /** Seals and signs the events from the chain's head and returns the parameters of caseWriteSql. */
  async parameters(caseRow: Record<string, unknown>, head: ChainHead, idempotencyKey: string | null): Promise<unknown[]> {
    this.seal(head);
    signEvents(this.tx, this.events);
    const rows = this.rows();
    return [
      JSON.stringify(caseRow),
      JSON.stringify(this.transition),
      JSON.stringify(rows.newTimers),
      JSON.stringify(rows.changedTimers),
      JSON.stringify(rows.events),
      JSON.stringify(rows.hooks),
      JSON.stringify(rows.mails),
      JSON.stringify(rows.jobs),
      rows.removedJobs,
      idempotencyKey,
      rows.notice ?? '',
      JSON.stringify(rows.alerts),
      WEBHOOK_DELIVERY_TASK,
      SLA_MAIL_TASK,
      SLA_ALERT_CHANNEL,
    ];
  }
}

/** What one case change writes besides the case itself (CaseWrite.rows). */
export interface CaseWriteRows {
  newTimers: Record<string, unknown>[];
  changedTimers: Record<string, unknown>[];
  events: Record<string, unknown>[];
  hooks: { ord: number; event_id: string; event: string; payload: unknown }[];
  mails: { tenant_id: string; timer_id: string; kind: string; assignee_id: string | null }[];
  /** graphile_worker.job_spec rows of new timers (new keys: add_jobs). */
  jobs: ReturnType<typeof timerJob>[];
  /** Jobs of existing timers moved to their next instant (add_job in replace mode: the running job may hold the key). */
  rescheduledJobs: ReturnType<typeof timerJob>[];
  removedJobs: string[];
  /** The NOTIFY of complaintEvents for the change's events, or null when it has none. */
  notice: string | null;
  alerts: { tenantId: string; timerId: string; complaintId: string; kind: 'WARNING' | 'BREACHED' }[];
}

function timerRow(t: SlaTimer): Record<string, unknown> {
  const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
  return {
    id: t.id,
    policy_id: t.policyId,
    kind: t.kind,
    regime: t.regime,
    stage: t.stage,
    status: t.status,
    terms: t.terms,
    started_at: iso(t.startedAt),
    due_at: iso(t.dueAt),
    warn_at: iso(t.warnAt),
    breached_at: iso(t.breachedAt),
    warned_at: iso(t.warnedAt),
    cancelled_at: iso(t.cancelledAt),
  };
}

/**
 * The case row of a filing: $1 is the new complaint as JSON. Everything else in the
 * statement hangs off `c`, so the case is written before its timers (a trigger copies
 * its receivedAt) and its audit events (the chain trigger moves its head).
 */
export const FILE_CASE_CTE = `c AS (
  INSERT INTO complaints (id, tenant_id, reference, stage, status, rights, data_context, processing_role, regimes, jurisdiction, channel,
    summary, description, complainant_name, complainant_email, complainant_phone, involves_child_under13, assignee_id, received_at,
    regulator_name, regulator_reference, regulator_respond_by, next_due_at, version)
  SELECT x.id, x.tenant_id, x.reference, x.stage, x.status, x.rights, x.data_context, x.processing_role, x.regimes, x.jurisdiction, x.channel,
    x.summary, x.description, x.complainant_name, x.complainant_email, x.complainant_phone, x.involves_child_under13, x.assignee_id, x.received_at,
    x.regulator_name, x.regulator_reference, x.regulator_respond_by, x.next_due_at, 1
  FROM jsonb_to_record($1::jsonb) AS x(id uuid, tenant_id text, reference text, stage text, status text, rights text[], data_context text,
    processing_role text, regimes text[], jurisdiction text, channel text, summary text, description text, complainant_name text,
    complainant_email text, complainant_phone text, involves_child_under13 boolean, assignee_id text, received_at timestamptz,
    regulator_name text, regulator_reference text, regulator_respond_by timestamptz, next_due_at timestamptz)
  RETURNING id, tenant_id, version, created_at, updated_at
)`;

/** The case row of an escalation: $1 is { id, stage, status, next_due_at }; the version moves by one. */
export const ESCALATE_CASE_CTE = `c AS (
  UPDATE complaints SET stage = x.stage, status = x.status, outcome = NULL, resolved_at = NULL, resolution_summary = NULL,
    next_due_at = x.next_due_at, version = complaints.version + 1, updated_at = now()
  FROM jsonb_to_record($1::jsonb) AS x(id uuid, stage text, status text, next_due_at timestamptz)
  WHERE complaints.id = x.id
  RETURNING complaints.id, complaints.tenant_id, complaints.version, complaints.created_at, complaints.updated_at
)`;

/**
 * The audit events of a batched write, sealed and signed in JS (eventRow, `events`), inserted
 * in chain order joined to `cases`, the statement's CTE that writes their cases: so each case
 * row is written before the chain trigger (audit_events_link) moves its head.
 */
export function eventsCte(events: string, cases: string): string {
  return `events AS (
  INSERT INTO audit_events (id, tenant_id, complaint_id, chain_id, sequence, action, actor_id, actor_role, at, changes, request_id, prev_hash, hash, signature)
  SELECT e.id, e.tenant_id, ${cases}.id, e.chain_id, e.sequence, e.action, e.actor_id, e.actor_role, e.at, e.changes, e.request_id, e.prev_hash, e.hash, e.signature
  FROM jsonb_to_recordset(${events}::jsonb) AS e(id uuid, tenant_id text, complaint_id uuid, chain_id text, sequence int, action text, actor_id text,
    actor_role text, at timestamptz, changes jsonb, request_id text, prev_hash text, hash text, signature text)
  JOIN ${cases} ON ${cases}.id = e.complaint_id
  ORDER BY e.chain_id, e.sequence
  RETURNING id
)`;
}

/**
 * The outbox of a batched write, as CTEs: webhook deliveries for every active endpoint
 * subscribed to the events' types (`hooks`: CaseWriteRows.hooks), SLA mails to each case's
 * assignee and the tenant's DPOs (`mails`), and every job in one add_jobs call: the new
 * timers' (`jobs`), one per delivery and one per mail. Filing and escalation
 * (caseWriteSql) and the breach batch (sla-batch.ts) share it; the placeholders name their
 * parameters.
 */
export function outboxCtes(p: { hooks: string; mails: string; jobs: string; deliveryTask: string; mailTask: string }): string {
  return `deliveries AS (
  INSERT INTO webhook_deliveries (tenant_id, endpoint_id, source_event_id, event, payload, next_attempt_at, retry_until)
  SELECT w.tenant_id, w.id, h.event_id, h.event, h.payload, now(), now() + interval '24 hours'
  FROM jsonb_to_recordset(${p.hooks}::jsonb) AS h(ord int, event_id uuid, event text, payload jsonb)
  JOIN webhook_endpoints w ON w.active AND h.event = ANY(w.events)
  ORDER BY h.ord, w.id
  ON CONFLICT (source_event_id, endpoint_id) DO NOTHING
  RETURNING id, tenant_id
),
mails AS (
  INSERT INTO email_notifications (tenant_id, timer_id, kind, recipient_id, email)
  SELECT m.tenant_id, m.timer_id, m.kind, u.id, u.email
  FROM jsonb_to_recordset(${p.mails}::jsonb) AS m(tenant_id text, timer_id uuid, kind text, assignee_id text)
  JOIN users u ON u.email IS NOT NULL AND (u.id = m.assignee_id OR 'DPO' = ANY(u.roles))
  ON CONFLICT DO NOTHING
  RETURNING id, tenant_id
),
jobs AS (
  SELECT count(*) AS added FROM graphile_worker.add_jobs(
    ARRAY(SELECT ROW(j.identifier, j.payload, NULL, j.run_at, j.max_attempts, j.job_key, NULL, NULL)::graphile_worker.job_spec
          FROM jsonb_to_recordset(${p.jobs}::jsonb) AS j(identifier text, payload json, run_at timestamptz, max_attempts int, job_key text))
    || ARRAY(SELECT ROW(${p.deliveryTask}::text, json_build_object('tenantId', d.tenant_id, 'deliveryId', d.id), NULL, now(), 5, 'webhook:' || d.id, NULL, NULL)::graphile_worker.job_spec
          FROM deliveries d)
    || ARRAY(SELECT ROW(${p.mailTask}::text, json_build_object('tenantId', m.tenant_id, 'notificationId', m.id), NULL, NULL, 25, 'mail:' || m.id, NULL, NULL)::graphile_worker.job_spec
          FROM mails m))
)`;
}

/**
 * One statement for the whole change: after the case (`c`, a filing's INSERT or an
 * escalation's UPDATE, $1), the stage transition ($2), new timers ($3), timers cancelled or
 * breached ($4), audit events sealed in JS ($5, in sequence order), webhook outbox rows for
 * every active endpoint subscribed ($6), SLA mails to the assignee and the DPOs ($7), every
 * job in one add_jobs call (timers $8, deliveries, mails: outboxCtes), removed timer jobs ($9), the
 * idempotency key's complaint ($10), one NOTIFY for all the events ($11) and one per SLA
 * alert ($12). The bench (npm run bench) mirrors this statement.
 */
export function caseWriteSql(caseCte: string): string {
  return `WITH ${caseCte},
transition AS (
  INSERT INTO stage_transitions (tenant_id, complaint_id, from_stage, to_stage, reason, at, actor_id)
  SELECT c.tenant_id, c.id, s.from_stage, s.to_stage, s.reason, s.at, s.actor_id
  FROM c, jsonb_to_record($2::jsonb) AS s(from_stage text, to_stage text, reason text, at timestamptz, actor_id text)
  RETURNING id
),
new_timers AS (
  INSERT INTO sla_timers (id, tenant_id, complaint_id, policy_id, kind, regime, stage, status, terms, started_at, due_at, warn_at, breached_at, history)
  SELECT t.id, c.tenant_id, c.id, t.policy_id, t.kind, t.regime, t.stage, t.status, t.terms, t.started_at, t.due_at, t.warn_at, t.breached_at, '[]'::jsonb
  FROM c, jsonb_to_recordset($3::jsonb) AS t(id uuid, policy_id uuid, kind text, regime text, stage text, status text, terms jsonb,
    started_at timestamptz, due_at timestamptz, warn_at timestamptz, breached_at timestamptz)
  RETURNING id
),
changed_timers AS (
  UPDATE sla_timers s SET status = t.status, breached_at = coalesce(t.breached_at, s.breached_at),
    cancelled_at = coalesce(t.cancelled_at, s.cancelled_at), updated_at = now()
  FROM jsonb_to_recordset($4::jsonb) AS t(id uuid, status text, breached_at timestamptz, cancelled_at timestamptz)
  WHERE s.id = t.id
  RETURNING s.id
),
${eventsCte('$5', 'c')},
${outboxCtes({ hooks: '$6', mails: '$7', jobs: '$8', deliveryTask: '$13', mailTask: '$14' })},
removed AS (
  SELECT count(*) AS removed FROM unnest($9::text[]) AS k(job_key), LATERAL graphile_worker.remove_job(k.job_key) AS r
),
claimed AS (
  UPDATE idempotency_keys k SET complaint_id = c.id FROM c WHERE k.tenant_id = c.tenant_id AND k.key = $10::text
  RETURNING k.key
)
SELECT c.id, c.version, c.created_at AS "createdAt", c.updated_at AS "updatedAt",
  (SELECT count(*) FROM events)::int AS events, (SELECT added FROM jobs)::int AS jobs, (SELECT removed FROM removed)::int AS removed,
  (SELECT count(*) FROM transition)::int + (SELECT count(*) FROM new_timers)::int + (SELECT count(*) FROM changed_timers)::int + (SELECT count(*) FROM claimed)::int AS rows,
  (SELECT count(pg_notify('cms_audit', $11)) FROM (SELECT 1 FROM events LIMIT 1) AS any_event)::int AS notified,
  (SELECT count(pg_notify($15::text, a::text)) FROM jsonb_array_elements($12::jsonb) AS a)::int AS alerts
FROM c`;
}
