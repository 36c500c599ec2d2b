import { Brackets, In } from 'typeorm';
import type { RequestContext, TxContext } from '../context';
import { transaction } from '../db/transaction';
import { ComplaintStage, SlaKind, SlaStartEvent, SlaTimerStatus } from '../domain/enums';
import { calendarFor, Calendar } from '../domain/sla-calendar';
import type { TimerTerms } from '../domain/sla-clock';
import { NotFoundError } from '../errors';
import { isUuid } from '../pagination';
import { Complaint, SlaPolicy, SlaTimer, Tenant } from '../../entities';
import { saveComplaint, withLockedComplaint } from './complaint-mutation';
import { allows, NewTimer, refreshNextDue, slaEngine } from './sla-engine';

export type { TimerTerms } from '../domain/sla-clock';

const LIVE = [SlaTimerStatus.RUNNING, SlaTimerStatus.PAUSED];

const STARTED_BY: Record<SlaStartEvent, string> = {
  [SlaStartEvent.STAGE_ENTERED]: 'stage entered',
  [SlaStartEvent.PANEL_ADVICE_RECORDED]: "the panel's advice recorded",
  [SlaStartEvent.BREACH_RECORDED]: 'the controller became aware of the personal data breach',
};

async function liveTimers(
  tx: TxContext,
  complaintId: string,
  where: { stage?: ComplaintStage; kind?: SlaKind; status?: SlaTimerStatus } = {},
): Promise<SlaTimer[]> {
  return tx.manager.find(SlaTimer, { where: { complaintId, status: In(LIVE), ...where }, order: { startedAt: 'ASC', id: 'ASC' } });
}

/** The tenant's calendar as stored, repaired where a setting is unusable (never throws). */
async function tenantCalendar(tx: TxContext): Promise<Calendar> {
  const tenant = await tx.manager.findOneByOrFail(Tenant, { id: tx.tenantId });
  return calendarFor(tenant.timeZone, tenant.holidayCountry);
}

/**
 * The policies of SPEC §5 that apply to this case: one per matching row of each of its
 * regimes; a row with rights applies when the case invokes at least one of them.
 * Breach-recorded rows apply whatever stage the case is at.
 */
async function matchingPolicies(tx: TxContext, c: Complaint, stage: ComplaintStage, startsOn: SlaStartEvent): Promise<SlaPolicy[]> {
  const q = tx.manager
    .createQueryBuilder(SlaPolicy, 'p')
    .where('p.regime = ANY(:regimes)', { regimes: c.regimes })
    .andWhere('p.starts_on = :startsOn', { startsOn })
    .andWhere(new Brackets((b) => b.where('p.rights IS NULL').orWhere('p.rights && :rights::text[]', { rights: c.rights })));
  if (startsOn !== SlaStartEvent.BREACH_RECORDED) q.andWhere('p.stage = :stage', { stage });
  return q.orderBy('p.regime', 'ASC').addOrderBy('p.kind', 'ASC').addOrderBy('p.id', 'ASC').getMany();
}

/** The timer a policy starts: its terms snapshotted from the policy (later policy edits don't apply). */
export function policyTimer(policy: SlaPolicy, calendar: Calendar, stage: ComplaintStage, startsOn: SlaStartEvent, at: Date): NewTimer {
  const terms: TimerTerms & { startsOn: SlaStartEvent } = {
    duration: policy.duration,
    businessDays: policy.businessDays,
    extension: policy.extension,
    warnAtPercent: policy.warnAtPercent,
    pausable: policy.pausable,
    source: policy.source,
    calendar,
    startsOn,
    startedBy: STARTED_BY[startsOn],
  };
  return { policyId: policy.id, kind: policy.kind, regime: policy.regime, stage, terms, startedAt: at };
}

/** SPEC §4: a regulator's respondBy is one fixed deadline, not pausable, no extension. */
export function regulatorDeadlineTimer(c: Complaint, calendar: Calendar, regulator: string, respondBy: Date, at: Date): NewTimer {
  const terms: TimerTerms & { startsOn: SlaStartEvent } = {
    duration: 'deadline',
    businessDays: false,
    extension: null,
    warnAtPercent: 80,
    pausable: false,
    source: `deadline set by ${regulator}`,
    calendar,
    deadline: respondBy.toISOString(),
    startsOn: SlaStartEvent.STAGE_ENTERED,
    startedBy: 'referral received from the regulator',
  };
  return { policyId: null, kind: SlaKind.REGULATOR_DEADLINE, regime: c.regimes[0], stage: c.stage, terms, startedAt: at };
}

/** Starts one timer per matching policy; `skip` leaves some out (reopening: a met ACKNOWLEDGE). */
async function startTimers(
  tx: TxContext,
  c: Complaint,
  stage: ComplaintStage,
  startsOn: SlaStartEvent,
  at: Date,
  skip: (p: SlaPolicy) => boolean = () => false,
): Promise<void> {
  const calendar = await tenantCalendar(tx);
  for (const policy of await matchingPolicies(tx, c, stage, startsOn)) {
    if (skip(policy)) continue;
    await slaEngine.start(tx, c, policyTimer(policy, calendar, stage, startsOn, at));
  }
  await refreshNextDue(tx, c.id);
}

/** Runs `step` on each timer, then brings nextDueAt up to date. */
async function each(tx: TxContext, c: Complaint, timers: SlaTimer[], step: (timer: SlaTimer) => Promise<void>): Promise<void> {
  for (const timer of timers) await step(timer);
  if (timers.length > 0) await refreshNextDue(tx, c.id);
}

/** What the case lifecycle tells the clocks; each runs in the caller's transaction, through the SLA engine. */
export const sla = {
  stageEntered: (tx: TxContext, c: Complaint, at: Date) => startTimers(tx, c, c.stage, SlaStartEvent.STAGE_ENTERED, at),
  panelAdviceRecorded: (tx: TxContext, c: Complaint, at: Date) => startTimers(tx, c, c.stage, SlaStartEvent.PANEL_ADVICE_RECORDED, at),
  breachRecorded: (tx: TxContext, c: Complaint, awareAt: Date) => startTimers(tx, c, c.stage, SlaStartEvent.BREACH_RECORDED, awareAt),

  /** SPEC §4 reopening: the stage's stage-entered clocks afresh, but not ACKNOWLEDGE once acknowledged. */
  reopened: (tx: TxContext, c: Complaint, at: Date) =>
    startTimers(tx, c, c.stage, SlaStartEvent.STAGE_ENTERED, at, (p) => p.kind === SlaKind.ACKNOWLEDGE && c.acknowledgedAt !== null),

  /** Escalation cancels the old stage's clocks, except those that run across stages (breach clocks). */
  stageLeft: async (tx: TxContext, c: Complaint, stage: ComplaintStage, at: Date) => {
    const timers = (await liveTimers(tx, c.id, { stage })).filter((t) => allows(t, 'leaveStage', at));
    await each(tx, c, timers, (t) => cancelOrBreach(tx, c, t, at));
  },
  closed: async (tx: TxContext, c: Complaint, at: Date) => each(tx, c, await liveTimers(tx, c.id), (t) => cancelOrBreach(tx, c, t, at)),
  acknowledged: async (tx: TxContext, c: Complaint, at: Date) =>
    each(tx, c, await liveTimers(tx, c.id, { kind: SlaKind.ACKNOWLEDGE }), (t) => slaEngine.meet(tx, c, t, at)),
  resolved: async (tx: TxContext, c: Complaint, at: Date) => {
    const timers = (await liveTimers(tx, c.id, { stage: c.stage })).filter((t) => isStageClock(t));
    await each(tx, c, timers, (t) => slaEngine.meet(tx, c, t, at));
  },
  /** recordAuthorityNotified meets the NOTIFY_AUTHORITY clocks at notifiedAt; one already due stays breached. */
  authorityNotified: async (tx: TxContext, c: Complaint, notifiedAt: Date) =>
    each(tx, c, await liveTimers(tx, c.id, { kind: SlaKind.NOTIFY_AUTHORITY }), (t) => slaEngine.meet(tx, c, t, notifiedAt)),
  paused: async (tx: TxContext, c: Complaint, at: Date) =>
    each(tx, c, await liveTimers(tx, c.id, { status: SlaTimerStatus.RUNNING }), (t) => slaEngine.pause(tx, c, t, at)),
  resumed: async (tx: TxContext, c: Complaint, at: Date) =>
    each(tx, c, await liveTimers(tx, c.id, { status: SlaTimerStatus.PAUSED }), (t) => slaEngine.resume(tx, c, t, at)),

  /** SPEC §4: a regulator's respondBy is one fixed deadline; one already past breaches at once. */
  async regulatorDeadline(tx: TxContext, c: Complaint, regulator: string, respondBy: Date, at: Date): Promise<void> {
    const timer = await slaEngine.start(tx, c, regulatorDeadlineTimer(c, await tenantCalendar(tx), regulator, respondBy, at));
    await slaEngine.settleIfDue(tx, timer, new Date());
    await refreshNextDue(tx, c.id);
  },
};

/** Resolving meets the stage's clocks (a regulator's deadline included); breach clocks are met by notifying the authority. */
function isStageClock(timer: SlaTimer): boolean {
  return timer.kind !== SlaKind.NOTIFY_AUTHORITY;
}

async function cancelOrBreach(tx: TxContext, c: Complaint, timer: SlaTimer, at: Date): Promise<void> {
  if (!(await slaEngine.settleIfDue(tx, timer, at))) await slaEngine.cancel(tx, c, timer, at);
}

/** extendSlaTimer: once per timer, only where the policy allows, only before it is due (SPEC §5). */
export async function extendSlaTimer(ctx: RequestContext, timerId: string, reason: string): Promise<SlaTimer> {
  return transaction(ctx, async (outer) => {
    const found = isUuid(timerId) ? await outer.manager.findOneBy(SlaTimer, { id: timerId }) : null;
    if (!found) throw new NotFoundError('SlaTimer', timerId);
    return withLockedComplaint(outer, found.complaintId, { operation: 'extendSlaTimer' }, async (tx, c) => {
      const timer = await tx.manager.findOneByOrFail(SlaTimer, { id: timerId }); // re-read under the case lock
      await slaEngine.extend(tx, c, timer, reason, new Date());
      await saveComplaint(tx, c, {});
      await refreshNextDue(tx, c.id);
      return timer;
    });
  });
}
