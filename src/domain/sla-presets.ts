import { ComplaintStage, Regime, SlaKind, SlaStartEvent } from './enums';

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
}

const { INTERNAL_DPO, DPA_PANEL, ARBITRATION_PANEL, REGULATOR } = ComplaintStage;
const { ACKNOWLEDGE, RESPOND, RESOLVE, COMPLY } = SlaKind;
const { STAGE_ENTERED, PANEL_ADVICE_RECORDED } = SlaStartEvent;

function preset(regime: Regime, stage: ComplaintStage, kind: SlaKind, duration: string, businessDays: boolean, extension: string | null, pausable: boolean, startsOn: SlaStartEvent, source: string): SlaPolicyTerms {
  return { regime, stage, kind, duration, businessDays, extension, warnAtPercent: 80, pausable, startsOn, source };
}

/** The legal clocks every new tenant starts with (SPEC §5); tenants change them with upsertSlaPolicy. */
export const SLA_PRESETS: SlaPolicyTerms[] = [
  preset(Regime.CCPA, INTERNAL_DPO, ACKNOWLEDGE, 'P10D', true, null, false, STAGE_ENTERED, 'CCPA Regulations §7021(a)'),
  preset(Regime.CCPA, INTERNAL_DPO, RESPOND, 'P45D', false, 'P45D', false, STAGE_ENTERED, 'CCPA Regulations §7021(b)'),
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
