import { Logger as WorkerLogger, run, Runner, Task } from 'graphile-worker';
import { Pool } from 'pg';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import type { Logger } from '../logger';
import { createScheduledCheckpoints } from '../services/checkpoint.service';
import { EvidenceKeys, useEvidenceKeys } from '../evidence/keys';
import { withLockedComplaint } from '../services/complaint-mutation';
import { compactReportRollups } from '../services/report.service';
import { purgeExpiredTenants } from '../services/retention.service';
import { BatchResult, DUE_TIMERS_SQL, fireAllDueTimers } from '../services/sla-batch';
import { slaEngine } from '../services/sla-engine';
import { SLA_TIMER_TASK } from '../services/sla-jobs';
import { SlaTimer } from '../../entities';
import { sendSlaMail, SLA_MAIL_TASK } from '../mail/sla-mail';
import { DAILY_DIGEST_MAIL_TASK, DAILY_DIGEST_SCAN_TASK, scheduleDailyDigests, sendDailyDigest } from '../mail/daily-digest';
import { processDelivery } from '../webhooks/delivery';
import { WEBHOOK_DELIVERY_TASK } from '../webhooks/outbox';

/**
 * Fires what is due on one timer, exactly once however many workers race for it: through
 * the case's one door (lock, then the timer re-read) and the SLA engine, which moves only
 * a RUNNING timer past its instant. A breach records breachedAt = dueAt even when the
 * service was down at that moment.
 */
export async function processTimer(dataSource: DataSource, log: Logger, tenantId: string, timerId: string): Promise<void> {
  const ctx = RequestContext.system(dataSource, tenantId, `sla-${randomUUID()}`, log);
  await transaction(ctx, async (tx) => {
    const head = await tx.manager.findOneBy(SlaTimer, { id: timerId });
    if (!head) return;
    await withLockedComplaint(tx, head.complaintId, { operation: 'sla timer', allowClosed: true }, async (locked) => {
      const timer = await locked.manager.findOneByOrFail(SlaTimer, { id: timerId });
      await slaEngine.fireDue(locked, timer, new Date());
    });
  });
}

/**
 * Everything due on one tenant's clocks, in batches of up to SLA_BATCH_CASES cases per
 * transaction (src/services/sla-batch.ts): 10,000 clocks falling due at once are breached
 * in tens of transactions, not 10,000.
 */
export async function fireTenantDueTimers(dataSource: DataSource, log: Logger, tenantId: string): Promise<BatchResult> {
  return fireAllDueTimers(() => RequestContext.system(dataSource, tenantId, `sla-${randomUUID()}`, log));
}

/**
 * The safety net: every tenant with a clock past its warning or due instant (read as
 * cms_sweeper, which sees only ids and instants), its due clocks fired in batches as above.
 * Runs at start-up, so timers that fell due while the service was down are breached, and
 * every minute. Returns how many warnings and breaches it fired.
 */
export async function sweepDueTimers(dataSource: DataSource, log: Logger): Promise<number> {
  const tenants = (await dataSource.transaction(async (manager) => {
    await manager.query(`SELECT set_config('role', 'cms_sweeper', true)`);
    return manager.query(DUE_TIMERS_SQL('tenant_id', 'now()'));
  })) as { tenant_id: string }[];
  let fired = 0;
  for (const { tenant_id: tenantId } of tenants) {
    try {
      const r = await fireTenantDueTimers(dataSource, log, tenantId);
      fired += r.breached + r.warned;
    } catch (error) {
      log.error({ err: error, tenantId }, 'sla sweep: tenant failed');
    }
  }
  return fired;
}

export interface SlaWorker {
  /** False once the runner has stopped, on request or on an error (/readyz reports it). */
  readonly running: boolean;
  stop(): Promise<void>;
}

/**
 * The SLA worker: graphile-worker jobs per timer plus a sweep at start and every minute;
 * with the evidence key, also the hourly audit checkpoints (SPEC §7); with SMTP_URL, the
 * daily digest scan at start and every 15 minutes. `clock` is the digest's notion of now
 * (tests move it; the SLA clocks always run on real time).
 */
export async function startSlaWorker(
  dataSource: DataSource,
  databaseUrl: string,
  log: Logger,
  options: { concurrency?: number; pollInterval?: number; evidence?: EvidenceKeys; clock?: () => Date } = {},
): Promise<SlaWorker> {
  const clock = options.clock ?? (() => new Date());
  const pollInterval = options.pollInterval ?? 500;
  const timerTask: Task = async (payload) => {
    const { tenantId, timerId } = payload as { tenantId: string; timerId: string };
    // Whatever else of the tenant is due goes with it, in batches; this timer on its own only
    // when the batch did not fire it: its case was held by a mutation (the batch skips it), or
    // the job woke early (processTimer puts it back to sleep).
    const { timerIds } = await fireTenantDueTimers(dataSource, log, tenantId);
    if (!timerIds.includes(timerId)) await processTimer(dataSource, log, tenantId, timerId);
  };
  const sweepTask: Task = async () => {
    const n = await sweepDueTimers(dataSource, log);
    if (n > 0) log.info({ timers: n }, 'sla sweep processed due timers');
  };
  const deliveryTask: Task = async (payload) => {
    const { tenantId, deliveryId } = payload as { tenantId: string; deliveryId: string };
    await processDelivery(dataSource, log, tenantId, deliveryId);
  };
  const mailTask: Task = async (payload) => {
    const { tenantId, notificationId } = payload as { tenantId: string; notificationId: string };
    await sendSlaMail(dataSource, log, tenantId, notificationId);
  };
  // Every 15 minutes rather than hourly, so zones at :30 and :45 offsets get theirs at 08:00 too;
  // the scan is idempotent (one row per user and local day), so a run more or less is harmless.
  const scanDigests = async () => {
    const n = await scheduleDailyDigests(dataSource, log, clock());
    if (n > 0) log.info({ digests: n }, 'daily digests queued');
  };
  const digestScanTask: Task = scanDigests;
  const digestMailTask: Task = async (payload) => {
    const { tenantId, digestId } = payload as { tenantId: string; digestId: string };
    await sendDailyDigest(dataSource, log, tenantId, digestId, clock());
  };
  const purgeTask: Task = async () => {
    await purgeExpiredTenants(dataSource, log);
  };
  const compactTask: Task = async () => {
    const n = await compactReportRollups(dataSource, log);
    log.info({ tenants: n }, 'report rollups of past days folded');
  };
  // One per tenant and hour across every worker: the crontab enqueues each hour once, and a
  // checkpoint's period is unique per tenant.
  const checkpointTask: Task = async () => {
    const n = await createScheduledCheckpoints(dataSource, log);
    if (n > 0) log.info({ checkpoints: n }, 'hourly audit checkpoints signed');
  };
  if (options.evidence) useEvidenceKeys(dataSource, options.evidence);
  const workerLog = new WorkerLogger(() => (level, message, meta) => {
    if (level !== 'error' && level !== 'warning') return;
    // graphile-worker copies the error's message and stack (quoted data values included) into
    // its text and the job's payload into meta: log only the error, through the serializer.
    const err = meta?.error ?? meta?.fatalError;
    const job = meta?.job as { id?: string; task_identifier?: string; attempts?: number } | undefined;
    const fields = { err, jobId: job?.id, task: job?.task_identifier, attempts: job?.attempts };
    const text = err ? `graphile-worker: ${job ? 'job failed' : 'error'}` : message;
    if (level === 'error') log.error(fields, text);
    else log.warn(fields, text);
  });
  await sweepTask({}, undefined as never);
  // A digest missed at 08:00 while no worker ran goes out now, the same local day.
  await scanDigests().catch((error: unknown) => log.error({ err: error }, 'daily digest scan at start-up failed'));
  // Our own pool, so that a connection the server drops (a restart, Ctrl-C reaching an
  // embedded server first) is logged instead of crashing the process.
  const concurrency = options.concurrency ?? 4;
  const pgPool = new Pool({ connectionString: databaseUrl, max: concurrency + 2, application_name: 'complaint-cms-sla-worker' });
  let stopping = false;
  // Once stopping, a connection the server ends is the expected end of it, not news.
  const connectionError = (message: string) => (error: Error) => (stopping ? log.debug({ err: error }, message) : log.warn({ err: error }, message));
  pgPool.on('error', connectionError('SLA worker connection lost'));
  pgPool.on('connect', (client) => client.on('error', connectionError('SLA worker connection error')));
  // Every filing adds its clocks' jobs, due days ahead, and each add NOTIFYs every worker,
  // which then asks for a job and finds none: at 80 filings a second that was a quarter of
  // the API process's CPU. The local queue fetches a few jobs at a time and, after a fetch
  // that found none, waits ~250 ms (at most the poll interval) before the next whatever it
  // is told: jobs due now (webhooks, mails) start within about that.
  const localQueue = { size: concurrency + 1, refetchDelay: { durationMs: Math.min(250, pollInterval), maxAbortThreshold: Infinity } };
  const runner: Runner = await run({
    pgPool,
    concurrency,
    pollInterval,
    noHandleSignals: true,
    logger: workerLog,
    preset: { worker: { localQueue } },
    taskList: {
      [SLA_TIMER_TASK]: timerTask,
      sla_sweep: sweepTask,
      [WEBHOOK_DELIVERY_TASK]: deliveryTask,
      [SLA_MAIL_TASK]: mailTask,
      [DAILY_DIGEST_SCAN_TASK]: digestScanTask,
      [DAILY_DIGEST_MAIL_TASK]: digestMailTask,
      tenant_purge: purgeTask,
      report_compact: compactTask,
      audit_checkpoint: checkpointTask,
    },
    crontab: [
      '* * * * * sla_sweep ?max=1',
      '17 * * * * tenant_purge ?max=1',
      '41 3 * * * report_compact ?max=1',
      `*/15 * * * * ${DAILY_DIGEST_SCAN_TASK} ?max=1`,
      ...(options.evidence ? ['0 * * * * audit_checkpoint ?max=1'] : []),
    ].join('\n'),
  }).catch(async (error: unknown) => {
    await pgPool.end(); // nothing may be left open by a worker that did not start
    throw error;
  });
  log.info('SLA worker started');
  let running = true;
  runner.promise.then(
    () => (running = false),
    (error: unknown) => {
      running = false;
      log.error({ err: error }, 'SLA worker stopped on an error');
    },
  );
  return {
    get running() {
      return running;
    },
    async stop() {
      stopping = true;
      await runner.stop(); // waits for running jobs: none is lost, unfinished ones run again
      await pgPool.end();
    },
  };
}
