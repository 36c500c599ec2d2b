import { canReadFreeText, MASK } from '../domain/free-text';
import type { RequestContext } from '../context';
import { DueStepKind } from '../domain/enums';
import type { DueStep } from '../domain/sla-calendar';
import { replayClock } from '../domain/sla-clock';
import { loaders } from '../loaders';
import type { SlaTimer } from '../../entities';
import { termsOf } from './sla-engine';

/** Whether this reader sees the timer's free text (its extension reason), per SPEC §3. */
async function reasonVisible(ctx: RequestContext, timer: SlaTimer): Promise<boolean> {
  const complaint = await loaders.complaint(ctx).load(timer.complaintId);
  return canReadFreeText(ctx.user.roles, complaint?.involvesChildUnder13 ?? true, 'extensionReason');
}

/** SlaTimer.extensionReason as the reader may see it: "***" when masked, set or not. */
export async function extensionReasonFor(ctx: RequestContext, timer: SlaTimer): Promise<string | null> {
  return (await reasonVisible(ctx, timer)) ? timer.extensionReason : MASK;
}

/**
 * SlaTimer.explanation: the clock replayed from its start, rule, pauses and extension
 * (src/domain/sla-clock.ts), the same computation that set its dueAt; the extension's
 * reason masked like the field it comes from.
 */
export async function explainTimer(ctx: RequestContext, timer: SlaTimer): Promise<DueStep[]> {
  return explainTimerFor(ctx.log, timer, await reasonVisible(ctx, timer));
}

/** The explanation when the caller already knows whether the reader sees the extension reason. */
export function explainTimerFor(log: RequestContext['log'], timer: SlaTimer, reasonVisible: boolean): DueStep[] {
  const reason = reasonVisible ? timer.extensionReason : MASK;
  let replayed: ReturnType<typeof replayClock>;
  try {
    replayed = replayClock({ startedAt: timer.startedAt, terms: termsOf(timer), history: timer.history ?? [], extensionReason: reason });
  } catch (error) {
    // Terms this version cannot read (a row written by hand or by an older version): say so rather than fail the query.
    log.warn({ err: error, timerId: timer.id }, 'sla explanation: terms not replayable');
    return [
      { kind: DueStepKind.START, at: timer.startedAt, until: null, text: `Started ${timer.startedAt.toISOString()}` },
      { kind: DueStepKind.DUE, at: timer.dueAt, until: null, text: `Due ${timer.dueAt.toISOString()} as recorded (its terms cannot be replayed)` },
    ];
  }
  const { dueAt, steps } = replayed;
  if (dueAt.getTime() === timer.dueAt.getTime()) return steps;
  // A timer paused or extended before its history was kept: the last step is still its dueAt, and says why it differs.
  const due = steps[steps.length - 1];
  return [
    ...steps.slice(0, -1),
    {
      ...due,
      at: timer.dueAt,
      text: `Due ${timer.dueAt.toISOString()} as recorded (the replay gives ${dueAt.toISOString()}: this clock's pauses and extension predate its kept history)`,
    },
  ];
}
