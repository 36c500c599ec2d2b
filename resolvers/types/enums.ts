import { registerEnumType } from 'type-graphql';
import { Role } from '../../src/auth/roles';
import {
  AuditAction,
  ComplaintOrderField,
  DueStepKind,
  ComplaintOutcome,
  ComplaintStage,
  ComplaintStatus,
  DataContext,
  DataSubjectRight,
  IntakeChannel,
  OrderDirection,
  ProcessingRole,
  Regime,
  SlaKind,
  SlaStartEvent,
  SlaTimerStatus,
} from '../../src/domain/enums';

// The schema's vocabulary, each value described for the client developer (SPEC §10); texts from contract.graphql and SPEC.

registerEnumType(Role, {
  name: 'Role',
  description: "A user's role, from the token's `roles` claim; it decides what the user may call and see (SPEC §3).",
  valuesConfig: {
    AGENT: { description: "Support agent: files complaints, keeps the complainant's details, adds notes, acknowledges, assigns to self." },
    DPO: { description: 'Data Protection Officer: works, escalates, resolves and closes cases, extends clocks, erases data; sees child cases.' },
    COMPLIANCE_OFFICER: { description: 'Runs reports and reads audit trails; complainant PII and free text read "***".' },
    ADMIN: { description: 'Manages SLA policies and tenant settings; complainant PII and free text read "***".' },
  },
});

registerEnumType(ComplaintStage, {
  name: 'ComplaintStage',
  description: "Where a case sits on its escalation path (see SPEC.md, 'Escalation path').",
  valuesConfig: {
    INTERNAL_DPO: { description: "First contact: the organisation's Data Protection Officer. Every complaint starts here, but regulator referrals." },
    INDEPENDENT_ADR: { description: 'Independent recourse mechanism (e.g. JAMS), free of charge: consumer DPF cases of a controller.' },
    DPA_PANEL: { description: 'Panel of EU data protection authorities: employment (HR) data under DPF, of a controller.' },
    ARBITRATION_PANEL: {
      description: 'Binding arbitration (Privacy Shield / DPF Annex I): last resort, after ADR and a resolved regulator referral. Terminal.',
    },
    REGULATOR: { description: 'Referral to a regulator (FTC, a DPA via the Dept. of Commerce, California DCA): always open from the first three stages.' },
  },
});

registerEnumType(ComplaintStatus, {
  name: 'ComplaintStatus',
  description: 'Where a case stands within its stage: OPEN ⇄ AWAITING_COMPLAINANT → RESOLVED → CLOSED (RESOLVED may be reopened).',
  valuesConfig: {
    OPEN: { description: 'Being worked; the clocks run. Set on filing, escalation, resume and reopen.' },
    AWAITING_COMPLAINANT: { description: 'Waiting for the complainant (awaitComplainant): pausable clocks pause until resumeComplaint.' },
    RESOLVED: { description: 'Decided with an outcome and a summary; the stage clocks are MET. May be reopened or closed.' },
    CLOSED: { description: 'Final: nothing changes a closed case but erasure of the complainant data.' },
  },
});

registerEnumType(DataContext, {
  name: 'DataContext',
  description: 'Whose personal data the complaint is about; decides the DPF recourse stage.',
  valuesConfig: {
    CONSUMER: { description: "Consumers' data: DPF cases go to INDEPENDENT_ADR." },
    EMPLOYMENT: { description: 'Employment (HR) data: DPF cases go to the DPA_PANEL.' },
  },
});

registerEnumType(ProcessingRole, {
  name: 'ProcessingRole',
  description: "The organisation's role for the data in question.",
  valuesConfig: {
    CONTROLLER: { description: 'The organisation decides on the processing: it answers the complaint itself.' },
    PROCESSOR: {
      description:
        'It processes for a customer: a request invoking any right but COMPLAINT belongs to the controller (outcome REFERRED_TO_CONTROLLER); escalation only to REGULATOR.',
    },
  },
});

registerEnumType(Regime, {
  name: 'Regime',
  description: 'A legal regime the case falls under; each brings its SLA clocks. Derived from the jurisdiction when not given on filing.',
  valuesConfig: {
    GDPR: { description: 'EU General Data Protection Regulation (EU/EEA jurisdictions).' },
    UK_GDPR: { description: 'UK GDPR (jurisdiction GB).' },
    SWISS_FADP: { description: 'Swiss Federal Act on Data Protection (jurisdiction CH).' },
    DPF: { description: 'EU-U.S. Data Privacy Framework (and its UK and Swiss extensions): opens the ADR, DPA panel and arbitration stages.' },
    CCPA: { description: 'California Consumer Privacy Act (jurisdiction US-CA).' },
    COPPA: { description: "Children's Online Privacy Protection Act: a US jurisdiction with involvesChildUnder13." },
    OTHER: { description: 'Any other jurisdiction: internal targets only.' },
  },
});

registerEnumType(IntakeChannel, {
  name: 'IntakeChannel',
  description: 'How the complaint reached the organisation.',
  valuesConfig: {
    EMAIL: { description: 'By e-mail.' },
    PHONE: { description: 'By telephone.' },
    WEB_FORM: { description: 'Through a web form.' },
    POST: { description: 'By letter.' },
    REGULATOR_REFERRAL: { description: 'Referred by a regulator: filed straight at stage REGULATOR.' },
  },
});

registerEnumType(DataSubjectRight, {
  name: 'DataSubjectRight',
  description: 'A right the complainant invokes; a complaint invokes at least one.',
  valuesConfig: {
    ACCESS: { description: 'Access to their personal data (GDPR Art. 15; CCPA right to know).' },
    RECTIFICATION: { description: 'Correction of inaccurate data (GDPR Art. 16; CCPA right to correct).' },
    ERASURE: { description: 'Deletion (GDPR Art. 17; CCPA right to delete).' },
    RESTRICTION: { description: 'Restriction of processing (GDPR Art. 18).' },
    PORTABILITY: { description: 'Receiving or transmitting the data in a portable format (GDPR Art. 20).' },
    OBJECTION: { description: 'Objection to processing (GDPR Art. 21).' },
    AUTOMATED_DECISION: { description: 'Not to be subject to a decision based solely on automated processing (GDPR Art. 22).' },
    WITHDRAW_CONSENT: { description: 'Withdrawal of consent (GDPR Art. 7(3)).' },
    COMPLAINT: { description: 'A complaint about the processing itself; the one right a PROCESSOR case keeps.' },
    DO_NOT_SELL: { description: 'CCPA: opt out of the sale or sharing of personal information.' },
    LIMIT_SENSITIVE_USE: { description: 'CCPA: limit the use of sensitive personal information.' },
  },
});

registerEnumType(ComplaintOutcome, {
  name: 'ComplaintOutcome',
  description: 'How a resolved case was decided.',
  valuesConfig: {
    UPHELD: { description: 'The complaint was justified; at ARBITRATION_PANEL the summary records the non-monetary relief ordered.' },
    PARTIALLY_UPHELD: { description: 'The complaint was partly justified.' },
    NOT_UPHELD: { description: 'The complaint was not justified.' },
    SETTLED: { description: 'Settled with the complainant; at ARBITRATION_PANEL the summary records the relief agreed.' },
    WITHDRAWN: { description: 'The complainant withdrew it.' },
    REFERRED_TO_CONTROLLER: { description: 'A PROCESSOR case invoking a right that belongs to the controller (the customer): passed on to it.' },
  },
});

registerEnumType(SlaKind, {
  name: 'SlaKind',
  description: 'What a legal or internal clock measures.',
  valuesConfig: {
    ACKNOWLEDGE: { description: 'Acknowledge receipt; met by acknowledgeComplaint.' },
    RESPOND: { description: 'Respond to the complainant (or, at DPA_PANEL, the panel to advise); met when the case is resolved.' },
    RESOLVE: { description: 'Decide the case (ARBITRATION_PANEL); met when the case is resolved.' },
    COMPLY: { description: 'Comply with the DPA panel advice; starts when the advice is recorded.' },
    NOTIFY_AUTHORITY: {
      description:
        'Notify the supervisory authority of a personal data breach (GDPR and UK GDPR Art. 33(1): 72 hours from awareAt); met by recordAuthorityNotified.',
    },
    REGULATOR_DEADLINE: { description: 'Answer a referring regulator by the respondBy it set; not pausable, no extension.' },
  },
});

registerEnumType(SlaTimerStatus, {
  name: 'SlaTimerStatus',
  description: "A clock's state. MET, BREACHED and CANCELLED are final.",
  valuesConfig: {
    RUNNING: { description: 'Counting down to dueAt.' },
    PAUSED: { description: 'Stopped while the case awaits the complainant (pausable clocks only); resuming moves dueAt by the pause.' },
    MET: { description: 'Done in time: metAt is set.' },
    BREACHED: { description: 'Fell due before it was met: breachedAt = dueAt. Final.' },
    CANCELLED: { description: 'No longer applies: the case left the stage the clock belongs to.' },
  },
});

registerEnumType(SlaStartEvent, {
  name: 'SlaStartEvent',
  description: "The event that starts a policy's clock.",
  valuesConfig: {
    STAGE_ENTERED: { description: 'When the case enters the stage (for the first stage: at receivedAt, so a back-dated intake counts).' },
    PANEL_ADVICE_RECORDED: { description: 'When recordPanelAdvice records the DPA panel advice.' },
    BREACH_RECORDED: {
      description: 'When recordPersonalDataBreach records a breach: the clock runs from its awareAt, whatever the stage; escalation does not cancel it.',
    },
  },
});

registerEnumType(ComplaintOrderField, {
  name: 'ComplaintOrderField',
  description: 'What a complaint list is sorted by.',
  valuesConfig: {
    RECEIVED_AT: { description: 'When the complaint was received.' },
    NEXT_DUE_AT: { description: 'The earliest dueAt among its RUNNING timers; a case without one sorts as if due at the end of time.' },
    UPDATED_AT: { description: 'When the case last changed.' },
  },
});

registerEnumType(OrderDirection, {
  name: 'OrderDirection',
  description: 'Sort direction.',
  valuesConfig: { ASC: { description: 'Ascending: oldest or earliest first.' }, DESC: { description: 'Descending: newest or latest first.' } },
});

registerEnumType(AuditAction, {
  name: 'AuditAction',
  description: "What an audit event records. Events with a complaintId belong to that case; the others to the tenant's own chain.",
  valuesConfig: {
    COMPLAINT_FILED: { description: 'The complaint was filed (sequence 1 of its chain).' },
    ACKNOWLEDGED: { description: 'Receipt was acknowledged (once).' },
    ASSIGNED: { description: 'The assignee changed.' },
    NOTE_ADDED: { description: 'A note was added (its body is not in the event).' },
    COMPLAINANT_UPDATED: { description: "The complainant's details changed (which fields only, never values)." },
    STAGE_ESCALATED: { description: 'The case moved to another stage.' },
    STATUS_CHANGED: { description: 'The status changed (await, resume).' },
    PANEL_ADVICE_RECORDED: { description: 'The DPA panel advice was recorded; the COMPLY clock starts.' },
    RESOLVED: { description: 'The case was resolved with an outcome.' },
    CLOSED: { description: 'The case was closed.' },
    REOPENED: { description: 'A resolved case was reopened.' },
    SLA_STARTED: { description: 'A clock started.' },
    SLA_PAUSED: { description: 'A clock paused.' },
    SLA_RESUMED: { description: 'A clock resumed; its dueAt moved by the pause.' },
    SLA_EXTENDED: { description: 'A clock was extended once by its policy extension.' },
    SLA_WARNING: { description: "A clock reached its policy's warnAtPercent." },
    SLA_BREACHED: { description: 'A clock fell due before it was met.' },
    SLA_MET: { description: 'A clock was met.' },
    SLA_CANCELLED: { description: 'A clock was cancelled (the case left its stage).' },
    COMPLAINANT_DATA_ERASED: { description: "The complainant's data and the case's free text were erased." },
    CHILD_DATA_FLAGGED: { description: 'The case involves a child under 13: PII is restricted to the DPO.' },
    PERSONAL_DATA_BREACH_RECORDED: { description: 'A personal data breach was recorded on the case; the NOTIFY_AUTHORITY clocks start.' },
    AUTHORITY_NOTIFIED: { description: 'The supervisory authority was notified of the breach; the NOTIFY_AUTHORITY clocks are met.' },
    SLA_POLICY_CHANGED: { description: 'Tenant chain: an ADMIN changed an SLA policy.' },
    TENANT_SETTINGS_CHANGED: { description: "Tenant chain: the tenant's calendar or contract settings changed." },
    EVIDENCE_BUNDLE_DOWNLOADED: { description: 'Tenant chain: an evidence bundle was downloaded (who, when, which case).' },
    AUDIT_CHECKPOINT_CREATED: { description: 'Tenant chain: a signed audit checkpoint was made.' },
    CSV_EXPORTED: { description: 'Tenant chain: the complaints CSV was exported (who, which window, by bearer token or one-use link).' },
    CONTRACT_CHANGED: { description: "Tenant chain: the tenant's contract was terminated (the retention purge follows after the retention period)." },
  },
});

registerEnumType(DueStepKind, {
  name: 'DueStepKind',
  description: "A step of a timer's explanation: START, RULE, SKIP, PAUSE, EXTEND, DUE.",
  valuesConfig: {
    START: { description: "The clock starts: the instant, and the local time in the calendar's zone." },
    RULE: { description: 'The rule applied and its legal source, e.g. one calendar month (GDPR Art. 12(3)).' },
    SKIP: { description: "A run of consecutive non-business days skipped, from `at` until `until` (weekend, or the holiday's name)." },
    PAUSE: { description: 'A pause while the case awaited the complainant, from `at` until `until` (open while still paused).' },
    EXTEND: { description: 'The one extension, granted at `at`, with its reason (masked like description).' },
    DUE: { description: "The resulting due instant: `at` equals the timer's dueAt." },
  },
});
