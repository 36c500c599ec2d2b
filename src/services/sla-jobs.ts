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
  const job = timerJob(timer);
  await tx.manager.query(`SELECT FROM graphile_worker.add_job($1, $2::json, run_at := $3, job_key := $4, max_attempts := $5, job_key_mode := 'replace')`, [
    job.identifier,
    JSON.stringify(job.payload),
    job.run_at,
    job.job_key,
    job.max_attempts,
  ]);
}

/** A timer's job as a graphile_worker.job_spec (for add_jobs): at its next event, warning then breach. */
export function timerJob(timer: SlaTimer) {
  const runAt = timer.warnAt && !timer.warnedAt && timer.warnAt < timer.dueAt ? timer.warnAt : timer.dueAt;
  return {
    identifier: SLA_TIMER_TASK,
    payload: { tenantId: timer.tenantId, timerId: timer.id },
    run_at: runAt.toISOString(),
    max_attempts: 25,
    job_key: jobKey(timer.id),
  };
}

export async function unscheduleTimerJob(tx: TxContext, timerId: string): Promise<void> {
  await tx.manager.query('SELECT FROM graphile_worker.remove_job($1)', [jobKey(timerId)]);
}

export function jobKey(timerId: string): string {
  return `sla:${timerId}`;
}
