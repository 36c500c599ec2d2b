import { canReadFreeText, MASKED } from '../auth/free-text-masking';
import type { RequestContext } from '../context';
import type { DueStep } from '../domain/sla-calendar';
import { replayClock } from '../domain/sla-clock';
import { loaders } from '../loaders';
import type { SlaTimer } from '../../entities';
import { termsOf } from './sla-engine';

/** Whether this reader sees the timer's free text (its extension reason), per SPEC §3. */
async function reasonVisible(ctx: RequestContext, timer: SlaTimer): Promise<boolean> {
  const complaint = await loaders.complaint(ctx).load(timer.complaintId);
  return canReadFreeText(ctx.user.roles, complaint?.involvesChildUnder13 ?? true);
}

/** SlaTimer.extensionReason as the reader may see it: "***" when masked, set or not. */
export async function extensionReasonFor(ctx: RequestContext, timer: SlaTimer): Promise<string | null> {
  return (await reasonVisible(ctx, timer)) ? timer.extensionReason : MASKED;
}

/**
 * SlaTimer.explanation: the clock replayed from its start, rule, pauses and extension
 * (src/domain/sla-clock.ts), the same computation that set its dueAt; the extension's
 * reason masked like the field it comes from.
 */
export async function explainTimer(ctx: RequestContext, timer: SlaTimer): Promise<DueStep[]> {
  const reason = (await reasonVisible(ctx, timer)) ? timer.extensionReason : MASKED;
  const { steps } = replayClock({ startedAt: timer.startedAt, terms: termsOf(timer), history: timer.history ?? [], extensionReason: reason });
  return steps;
}
