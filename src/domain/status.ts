import { ComplaintOutcome, ComplaintStage, ComplaintStatus } from './enums';
import { belongsToController, Verdict } from './escalation';
import type { DataSubjectRight, ProcessingRole } from './enums';

const { OPEN, AWAITING_COMPLAINANT, RESOLVED, CLOSED } = ComplaintStatus;

/**
 * The status machine of SPEC §4: OPEN ⇄ AWAITING_COMPLAINANT; OPEN | AWAITING → RESOLVED;
 * RESOLVED → OPEN (reopen); RESOLVED → CLOSED. Escalation (any status but CLOSED → OPEN)
 * lives in escalation.ts.
 */
export const STATUS_TRANSITIONS = {
  awaitComplainant: { from: [OPEN], to: AWAITING_COMPLAINANT },
  resumeComplaint: { from: [AWAITING_COMPLAINANT], to: OPEN },
  resolveComplaint: { from: [OPEN, AWAITING_COMPLAINANT], to: RESOLVED },
  reopenComplaint: { from: [RESOLVED], to: OPEN },
  closeComplaint: { from: [RESOLVED], to: CLOSED },
} as const;

export type StatusTransition = keyof typeof STATUS_TRANSITIONS;

export function checkStatusTransition(current: ComplaintStatus, transition: StatusTransition): Verdict {
  const { from, to } = STATUS_TRANSITIONS[transition];
  if ((from as readonly ComplaintStatus[]).includes(current)) return { allowed: true };
  const rule = current === CLOSED ? 'CASE_CLOSED' : 'STATUS_TRANSITION';
  return { allowed: false, rule, message: `${transition} needs status ${from.join(' or ')} (→ ${to}); the case is ${current}` };
}

/** Only erasure touches a CLOSED case (SPEC §4). */
export function checkNotClosed(current: ComplaintStatus | string, operation: string): Verdict {
  if (current !== CLOSED) return { allowed: true };
  return { allowed: false, rule: 'CASE_CLOSED', message: `${operation} refused: the case is CLOSED (only erasure touches a closed case)` };
}

/** Outcome rules: a controller's case is resolved as REFERRED_TO_CONTROLLER, and only such a case. */
export function checkOutcome(c: { processingRole: ProcessingRole; rights: DataSubjectRight[]; stage: ComplaintStage }, outcome: ComplaintOutcome): Verdict {
  const referred = outcome === ComplaintOutcome.REFERRED_TO_CONTROLLER;
  if (belongsToController(c) && !referred) {
    return {
      allowed: false,
      rule: 'PROCESSOR_REFER_TO_CONTROLLER',
      message: 'A PROCESSOR case invoking rights other than COMPLAINT belongs to the controller: resolve it as REFERRED_TO_CONTROLLER',
    };
  }
  if (!belongsToController(c) && referred) {
    return {
      allowed: false,
      rule: 'REFERRAL_ONLY_FOR_PROCESSOR',
      message: 'REFERRED_TO_CONTROLLER is only for a PROCESSOR case invoking rights other than COMPLAINT',
    };
  }
  return { allowed: true };
}

/**
 * DPF Annex I: the arbitration panel orders non-monetary relief only (access, correction,
 * deletion, return of data), and its binding decision is recorded as such. A SETTLED or
 * UPHELD resolution at ARBITRATION_PANEL says which in its summary.
 */
export function resolutionSummary(stage: ComplaintStage, outcome: ComplaintOutcome, summary: string): string {
  const binding = stage === ComplaintStage.ARBITRATION_PANEL && (outcome === ComplaintOutcome.SETTLED || outcome === ComplaintOutcome.UPHELD);
  return binding ? `Arbitration panel (DPF Annex I, non-monetary relief only): ${outcome}. ${summary}` : summary;
}
