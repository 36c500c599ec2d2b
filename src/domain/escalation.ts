import { ComplaintStage, ComplaintStatus, DataContext, DataSubjectRight, ProcessingRole, Regime } from './enums';

const { INTERNAL_DPO, INDEPENDENT_ADR, DPA_PANEL, ARBITRATION_PANEL, REGULATOR } = ComplaintStage;

/** What the escalation rules look at. */
export interface EscalationCase {
  stage: ComplaintStage;
  status: ComplaintStatus;
  dataContext: DataContext;
  processingRole: ProcessingRole;
  regimes: Regime[];
  rights: DataSubjectRight[];
  /** Every stage the case has been at, including the current one. */
  stagesVisited: ComplaintStage[];
}

interface Condition {
  /** Names the rule in INVALID_TRANSITION messages. */
  rule: string;
  holds: (c: EscalationCase) => boolean;
  explain: (c: EscalationCase) => string;
}

const consumer: Condition = {
  rule: 'DATA_CONTEXT_CONSUMER',
  holds: (c) => c.dataContext === DataContext.CONSUMER,
  explain: (c) => `requires dataContext CONSUMER (this case: ${c.dataContext})`,
};
const employment: Condition = {
  rule: 'DATA_CONTEXT_EMPLOYMENT',
  holds: (c) => c.dataContext === DataContext.EMPLOYMENT,
  explain: (c) => `requires dataContext EMPLOYMENT (this case: ${c.dataContext})`,
};
const underDpf: Condition = {
  rule: 'REGIME_DPF',
  holds: (c) => c.regimes.includes(Regime.DPF),
  explain: (c) => `requires the DPF regime (this case: ${c.regimes.join(', ')})`,
};
const controller: Condition = {
  rule: 'PROCESSING_ROLE_CONTROLLER',
  holds: (c) => c.processingRole === ProcessingRole.CONTROLLER,
  explain: () => 'requires processingRole CONTROLLER (a processor case belongs to the controller)',
};
const wentThroughAdr: Condition = {
  rule: 'ADR_EXHAUSTED',
  holds: (c) => c.stagesVisited.includes(INDEPENDENT_ADR),
  explain: () => 'is open only to a case that went through INDEPENDENT_ADR (DPF Annex I: arbitration is the last resort)',
};
const regulatorResolved: Condition = {
  rule: 'REGULATOR_STAGE_RESOLVED',
  holds: (c) => c.stage === REGULATOR && c.status === ComplaintStatus.RESOLVED,
  explain: (c) => `requires the REGULATOR stage to be RESOLVED first (status: ${c.status})`,
};

/**
 * The escalation path of SPEC §4 and nothing else: DPF Annex I recourse ladder.
 * A (from, to) pair not in this table is refused.
 */
export const ESCALATION_TABLE: { from: ComplaintStage[]; to: ComplaintStage; when: Condition[] }[] = [
  // DPF Principles: unresolved consumer complaints go, free of charge, to an independent recourse mechanism.
  { from: [INTERNAL_DPO], to: INDEPENDENT_ADR, when: [consumer, underDpf, controller] },
  // DPF Supplemental Principle 5: HR data goes to the panel of EU data protection authorities.
  { from: [INTERNAL_DPO], to: DPA_PANEL, when: [employment, underDpf, controller] },
  // The right to complain to an authority (FTC, a DPA via the Department of Commerce, California DCA).
  { from: [INTERNAL_DPO, INDEPENDENT_ADR, DPA_PANEL], to: REGULATOR, when: [] },
  // DPF Annex I: binding arbitration for residual claims, after ADR and a regulator referral.
  { from: [REGULATOR], to: ARBITRATION_PANEL, when: [consumer, underDpf, wentThroughAdr, regulatorResolved] },
  // ARBITRATION_PANEL: terminal, the panel's decision is binding.
];

export type Verdict = { allowed: true } | { allowed: false; rule: string; message: string };

/** A PROCESSOR case invoking any right other than COMPLAINT belongs to the controller (SPEC §4). */
export function belongsToController(c: Pick<EscalationCase, 'processingRole' | 'rights'>): boolean {
  return c.processingRole === ProcessingRole.PROCESSOR && c.rights.some((r) => r !== DataSubjectRight.COMPLAINT);
}

export function checkEscalation(c: EscalationCase, to: ComplaintStage): Verdict {
  const path = `${c.stage} → ${to}`;
  if (c.status === ComplaintStatus.CLOSED) return refuse('CASE_CLOSED', `Escalation ${path} refused: the case is CLOSED`);
  if (c.stage === ARBITRATION_PANEL)
    return refuse('ARBITRATION_TERMINAL', `Escalation ${path} refused: ARBITRATION_PANEL is terminal, the panel's decision is binding`);
  if (belongsToController(c) && to !== REGULATOR) {
    return refuse(
      'PROCESSOR_REFER_TO_CONTROLLER',
      `Escalation ${path} refused: a PROCESSOR case invoking rights other than COMPLAINT belongs to the controller and can only go to REGULATOR`,
    );
  }
  const entry = ESCALATION_TABLE.find((e) => e.to === to && e.from.includes(c.stage));
  if (!entry) return refuse('NOT_ON_ESCALATION_PATH', `Escalation ${path} is not on the escalation path`);
  const failed = entry.when.find((condition) => !condition.holds(c));
  if (failed) return refuse(failed.rule, `Escalation ${path} ${failed.explain(c)}`);
  return { allowed: true };
}

function refuse(rule: string, message: string): Verdict {
  return { allowed: false, rule, message };
}

/** The stages the table allows from where the case stands, for this case, now (Complaint.availableEscalations). */
export function availableEscalations(c: EscalationCase): ComplaintStage[] {
  return Object.values(ComplaintStage).filter((to) => checkEscalation(c, to).allowed);
}
