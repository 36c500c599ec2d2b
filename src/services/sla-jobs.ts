import type { TxContext } from '../context';
import type { SlaTimer } from '../../entities';

export const SLA_TIMER_TASK = 'sla_timer';

/** The NOTIFY channel of warnings and breaches: the slaAlerts subscription listens on it. */
export const SLA_ALERT_CHANNEL = 'cms_sla_alerts';

/**
 * The durable outbox of the SLA engine: one graphile-worker job per running timer, keyed
 * by the timer, due at its next event (warning, then breach). Added in the caller's
 * transaction, so a rolled-back change leaves no job; re-adding replaces the old run.
 */
export async function scheduleTimerJob(tx: TxContext, timer: SlaTimer): Promise<void> {
  const runAt = timer.warnAt && !timer.warnedAt && timer.warnAt < timer.dueAt ? timer.warnAt : timer.dueAt;
  await tx.manager.query(`SELECT FROM graphile_worker.add_job($1, $2::json, run_at := $3, job_key := $4, max_attempts := 25, job_key_mode := 'replace')`, [
    SLA_TIMER_TASK,
    JSON.stringify({ tenantId: timer.tenantId, timerId: timer.id }),
    runAt,
    jobKey(timer.id),
  ]);
}

export async function unscheduleTimerJob(tx: TxContext, timerId: string): Promise<void> {
  await tx.manager.query('SELECT FROM graphile_worker.remove_job($1)', [jobKey(timerId)]);
}

function jobKey(timerId: string): string {
  return `sla:${timerId}`;
}
