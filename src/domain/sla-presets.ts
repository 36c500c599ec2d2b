import { ComplaintStage, DataSubjectRight, Regime, SlaKind, SlaStartEvent } from './enums';

export interface SlaPolicyTerms {
  regime: Regime;
  stage: ComplaintStage;
  kind: SlaKind;
  duration: string;
  businessDays: boolean;
  extension: string | null;
  warnAtPercent: number;
  pausable: boolean;
  startsOn: SlaStartEvent;
  source: string;
  /** Applies only to complaints invoking at least one of these; null: every complaint of the regime. */
  rights: DataSubjectRight[] | null;
}

const { INTERNAL_DPO, DPA_PANEL, ARBITRATION_PANEL, REGULATOR } = ComplaintStage;
const { ACKNOWLEDGE, RESPOND, RESOLVE, COMPLY, NOTIFY_AUTHORITY } = SlaKind;
const { STAGE_ENTERED, PANEL_ADVICE_RECORDED, BREACH_RECORDED } = SlaStartEvent;

/** SPEC §5 ²: the CCPA opt-outs (no acknowledgement, 15 business days). */
export const CCPA_OPT_OUTS: DataSubjectRight[] = [DataSubjectRight.DO_NOT_SELL, DataSubjectRight.LIMIT_SENSITIVE_USE];
/** SPEC §5 ¹: every other right: requests to know, delete, correct. */
export const CCPA_REQUESTS: DataSubjectRight[] = Object.values(DataSubjectRight).filter((r) => !CCPA_OPT_OUTS.includes(r));

function preset(
  regime: Regime,
  stage: ComplaintStage,
  kind: SlaKind,
  duration: string,
  businessDays: boolean,
  extension: string | null,
  pausable: boolean,
  startsOn: SlaStartEvent,
  source: string,
  rights: DataSubjectRight[] | null = null,
): SlaPolicyTerms {
  return { regime, stage, kind, duration, businessDays, extension, warnAtPercent: 80, pausable, startsOn, source, rights: rights ? [...rights].sort() : null };
}

/** The legal clocks every new tenant starts with (SPEC §5); tenants change them with upsertSlaPolicy. */
export const SLA_PRESETS: SlaPolicyTerms[] = [
  preset(Regime.CCPA, INTERNAL_DPO, ACKNOWLEDGE, 'P10D', true, null, false, STAGE_ENTERED, 'CCPA Regulations §7021(a)', CCPA_REQUESTS),
  preset(Regime.CCPA, INTERNAL_DPO, RESPOND, 'P45D', false, 'P45D', false, STAGE_ENTERED, 'CCPA Regulations §7021(b)', CCPA_REQUESTS),
  preset(Regime.CCPA, INTERNAL_DPO, RESPOND, 'P15D', true, null, false, STAGE_ENTERED, 'CCPA Regulations §7026(f), §7027(g)', CCPA_OPT_OUTS),
  // SPEC §5 ³: breach-recorded clocks run whatever stage the case is at.
  preset(Regime.GDPR, INTERNAL_DPO, NOTIFY_AUTHORITY, 'PT72H', false, null, false, BREACH_RECORDED, 'GDPR Art. 33(1)'),
  preset(Regime.UK_GDPR, INTERNAL_DPO, NOTIFY_AUTHORITY, 'PT72H', false, null, false, BREACH_RECORDED, 'UK GDPR Art. 33(1)'),
  preset(Regime.GDPR, INTERNAL_DPO, RESPOND, 'P1M', false, 'P2M', true, STAGE_ENTERED, 'GDPR Art. 12(3)'),
  preset(Regime.UK_GDPR, INTERNAL_DPO, RESPOND, 'P1M', false, 'P2M', true, STAGE_ENTERED, 'UK GDPR Art. 12(3)'),
  preset(Regime.SWISS_FADP, INTERNAL_DPO, RESPOND, 'P30D', false, null, true, STAGE_ENTERED, 'FADP Art. 25, DPO Art. 18'),
  preset(Regime.DPF, INTERNAL_DPO, RESPOND, 'P45D', false, null, false, STAGE_ENTERED, 'DPF Principles, Supplemental Principle 11(d)'),
  preset(Regime.DPF, DPA_PANEL, RESPOND, 'P60D', false, null, false, STAGE_ENTERED, 'DPF Supplemental Principle 5 (panel advice)'),
  preset(Regime.DPF, DPA_PANEL, COMPLY, 'P25D', false, null, false, PANEL_ADVICE_RECORDED, 'DPF Supplemental Principle 5'),
  preset(Regime.DPF, ARBITRATION_PANEL, RESOLVE, 'P90D', false, null, false, STAGE_ENTERED, 'DPF Annex I'),
  preset(Regime.DPF, REGULATOR, RESPOND, 'P90D', false, null, false, STAGE_ENTERED, 'DPF: Department of Commerce referrals'),
  preset(Regime.COPPA, INTERNAL_DPO, RESPOND, 'P1D', false, null, false, STAGE_ENTERED, 'COPPA: child data removed at once (internal target)'),
  preset(Regime.OTHER, INTERNAL_DPO, ACKNOWLEDGE, 'P5D', true, null, false, STAGE_ENTERED, 'internal target'),
  preset(Regime.OTHER, INTERNAL_DPO, RESPOND, 'P30D', false, 'P30D', true, STAGE_ENTERED, 'internal target'),
];
