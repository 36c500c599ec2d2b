import { In } from 'typeorm';
import { signEvents } from '../audit/audit-chain';
import type { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import { SlaTimerStatus } from '../domain/enums';
import { dueEvent } from '../domain/sla-timer-state';
import { SLA_MAIL_TASK } from '../mail/sla-mail';
import { WEBHOOK_DELIVERY_TASK } from '../webhooks/outbox';
import { Complaint, SlaTimer } from '../../entities';
import { CaseWrite, CaseWriteRows, eventsCte, outboxCtes } from './case-write';
import { factsOf } from './sla-engine';
import { SLA_ALERT_CHANNEL } from './sla-jobs';

/** Cases per transaction of the breach batch. */
export const SLA_BATCH_CASES = 500;

interface LockedCase {
  id: string;
  reference: string;
  stage: Complaint['stage'];
  status: Complaint['status'];
  assignee_id: string | null;
  audit_head_sequence: number;
  audit_head_hash: string | null;
}

/**
 * The distinct `column` of running clocks past their due or their (not yet sent) warning at
 * `at`: one arm per partial index (migration SlaDueIndexes), so only running clocks are read.
 */
export const DUE_TIMERS_SQL = (column: string, at: string) =>
  `SELECT ${column} FROM sla_timers WHERE status = 'RUNNING' AND due_at <= ${at}
   UNION SELECT ${column} FROM sla_timers WHERE status = 'RUNNING' AND warned_at IS NULL AND warn_at <= ${at}`;

/**
 * The cases of this tenant with a clock past its warning or due instant, locked as the case
 * door locks them (a case a mutation holds is skipped: its timer's own job fires it, through
 * processTimer, once the mutation commits). Driven by the due timers, so a large tenant's
 * other cases are not scanned.
 */
const LOCK_DUE_CASES = `
WITH due AS MATERIALIZED (${DUE_TIMERS_SQL('complaint_id', '$1')})
SELECT c.id, c.reference, c.stage, c.status, c.assignee_id, c.audit_head_sequence, c.audit_head_hash
FROM complaints c JOIN due ON due.complaint_id = c.id
LIMIT $2
FOR UPDATE OF c SKIP LOCKED`;

/**
 * Everything the batch changes, in one statement: the cases' nextDueAt first (`cases`, so the
 * chain trigger of each event moves a head this statement has already written), the timers
 * ($2), the events sealed and signed in JS ($3, joined to their case), the outbox (webhooks $4,
 * mails $5: outboxCtes), the warned timers' jobs moved to their breach ($6, add_job in replace
 * mode, since the running job may hold the key), the breached timers' jobs removed ($7), one
 * complaintEvents NOTIFY per case ($8) and one slaAlerts NOTIFY per warning or breach ($9).
 */
const BATCH_SQL = `WITH cases AS (
  UPDATE complaints c SET next_due_at = x.next_due_at
  FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, next_due_at timestamptz)
  WHERE c.id = x.id
  RETURNING c.id
),
timers AS (
  UPDATE sla_timers s SET status = t.status, breached_at = coalesce(t.breached_at, s.breached_at), warned_at = coalesce(t.warned_at, s.warned_at),
    updated_at = now()
  FROM jsonb_to_recordset($2::jsonb) AS t(id uuid, status text, breached_at timestamptz, warned_at timestamptz)
  WHERE s.id = t.id
  RETURNING s.id
),
${eventsCte('$3', 'cases')},
${outboxCtes({ hooks: '$4', mails: '$5', jobs: `'[]'`, deliveryTask: '$10', mailTask: '$11' })},
rescheduled AS (
  SELECT count(*) AS n FROM jsonb_to_recordset($6::jsonb) AS j(identifier text, payload json, run_at timestamptz, max_attempts int, job_key text),
    LATERAL graphile_worker.add_job(j.identifier, j.payload, run_at := j.run_at, job_key := j.job_key, max_attempts := j.max_attempts, job_key_mode := 'replace') AS r
),
removed AS (
  SELECT count(*) AS n FROM unnest($7::text[]) AS k(job_key), LATERAL graphile_worker.remove_job(k.job_key) AS r
)
SELECT (SELECT count(*) FROM timers)::int AS timers, (SELECT count(*) FROM events)::int AS events, (SELECT added FROM jobs)::int AS jobs,
  (SELECT n FROM rescheduled)::int AS rescheduled, (SELECT n FROM removed)::int AS removed,
  (SELECT count(pg_notify('cms_audit', n)) FROM unnest($8::text[]) AS n WHERE (SELECT count(*) FROM events) > 0)::int AS notified,
  (SELECT count(pg_notify($12::text, a::text)) FROM jsonb_array_elements($9::jsonb) AS a)::int AS alerts`;

export interface BatchResult {
  /** Cases locked (the batch is full when this reaches the limit: run it again). */
  cases: number;
  breached: number;
  warned: number;
  /** The clocks warned or breached. */
  timerIds: string[];
}

/**
 * The breach batch (issue 12): fires what is due on the clocks of up to `limit` cases of one
 * tenant in one transaction of four round trips (lock the cases, read their running timers,
 * one write, commit), where processTimer takes one transaction per timer. The steps are the
 * SLA engine's, planned per case by CaseWrite (the same state table, audit changes, webhook
 * and mail rows); each case's events are sealed from the head its lock holds.
 */
export async function fireDueTimers(ctx: RequestContext, now: Date = new Date(), limit = SLA_BATCH_CASES): Promise<BatchResult> {
  return transaction(ctx, async (tx) => {
    const locked = (await tx.manager.query(LOCK_DUE_CASES, [now, limit])) as LockedCase[];
    if (locked.length === 0) return { cases: 0, breached: 0, warned: 0, timerIds: [] };
    const timers = await tx.manager.find(SlaTimer, {
      where: { complaintId: In(locked.map((c) => c.id)), status: SlaTimerStatus.RUNNING },
      order: { complaintId: 'ASC', dueAt: 'ASC', id: 'ASC' },
    });
    const byCase = new Map<string, SlaTimer[]>();
    for (const t of timers) byCase.set(t.complaintId, [...(byCase.get(t.complaintId) ?? []), t]);
    const result: BatchResult = { cases: locked.length, breached: 0, warned: 0, timerIds: [] };
    const writes: { write: CaseWrite; id: string; nextDueAt: Date | null }[] = [];
    for (const row of locked) {
      const mine = byCase.get(row.id) ?? [];
      const write = new CaseWrite(tx, caseOf(row));
      for (const timer of mine) {
        const event = dueEvent(factsOf(timer), now);
        if (event === 'breach') {
          write.settleIfDue(timer, now);
          result.breached += 1;
        } else if (event === 'warn') {
          write.warn(timer, now);
          result.warned += 1;
        }
        if (event) result.timerIds.push(timer.id);
      }
      if (write.events.length === 0) continue;
      write.seal({ sequence: row.audit_head_sequence, hash: row.audit_head_hash });
      writes.push({ write, id: row.id, nextDueAt: write.nextDueAt(mine) });
    }
    if (writes.length === 0) return result;
    signEvents(
      tx,
      writes.flatMap((w) => w.write.events),
    );
    await tx.manager.query(BATCH_SQL, batchParameters(writes));
    tx.log.info({ tenantId: tx.tenantId, cases: writes.length, breached: result.breached, warned: result.warned }, 'sla batch fired due timers');
    return result;
  });
}

/** The case as CaseWrite needs it: webhook payloads carry its reference, stage and status; mails go to its assignee. */
function caseOf(row: LockedCase): Complaint {
  return Object.assign(new Complaint(), { id: row.id, reference: row.reference, stage: row.stage, status: row.status, assigneeId: row.assignee_id });
}

function batchParameters(writes: { write: CaseWrite; id: string; nextDueAt: Date | null }[]): unknown[] {
  const rows = writes.map((w) => w.write.rows());
  const all = <K extends keyof CaseWriteRows>(key: K) => rows.flatMap((r) => r[key] as unknown[]);
  return [
    JSON.stringify(writes.map((w) => ({ id: w.id, next_due_at: w.nextDueAt?.toISOString() ?? null }))),
    JSON.stringify(all('changedTimers')),
    JSON.stringify(all('events')),
    // One order across the batch's cases, as each case's webhooks are ordered within it.
    JSON.stringify(all('hooks').map((h, ord) => ({ ...(h as object), ord }))),
    JSON.stringify(all('mails')),
    JSON.stringify(all('rescheduledJobs')),
    all('removedJobs'),
    rows.map((r) => r.notice).filter((n): n is string => n !== null),
    JSON.stringify(all('alerts')),
    WEBHOOK_DELIVERY_TASK,
    SLA_MAIL_TASK,
    SLA_ALERT_CHANNEL,
  ];
}

/** Runs the batch for one tenant until no full batch is left (bounded), returning the totals. */
export async function fireAllDueTimers(ctx: () => RequestContext, now: () => Date = () => new Date(), maxRounds = 100): Promise<BatchResult> {
  const total: BatchResult = { cases: 0, breached: 0, warned: 0, timerIds: [] };
  for (let round = 0; round < maxRounds; round++) {
    const r = await fireDueTimers(ctx(), now());
    total.cases += r.cases;
    total.breached += r.breached;
    total.warned += r.warned;
    total.timerIds.push(...r.timerIds);
    if (r.cases < SLA_BATCH_CASES) break;
  }
  return total;
}
