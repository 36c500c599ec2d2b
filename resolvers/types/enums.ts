import { registerEnumType } from 'type-graphql';
import { Role } from '../../src/auth/roles';
import {
  AuditAction, ComplaintOrderField, DueStepKind, ComplaintOutcome, ComplaintStage, ComplaintStatus, DataContext, DataSubjectRight,
  IntakeChannel, OrderDirection, ProcessingRole, Regime, SlaKind, SlaStartEvent, SlaTimerStatus,
} from '../../src/domain/enums';

registerEnumType(Role, { name: 'Role' });
registerEnumType(ComplaintStage, { name: 'ComplaintStage', description: "Where a case sits on its escalation path (see SPEC.md, 'Escalation path')." });
registerEnumType(ComplaintStatus, { name: 'ComplaintStatus' });
registerEnumType(DataContext, { name: 'DataContext' });
registerEnumType(ProcessingRole, { name: 'ProcessingRole' });
registerEnumType(Regime, { name: 'Regime' });
registerEnumType(IntakeChannel, { name: 'IntakeChannel' });
registerEnumType(DataSubjectRight, { name: 'DataSubjectRight' });
registerEnumType(ComplaintOutcome, { name: 'ComplaintOutcome' });
registerEnumType(SlaKind, { name: 'SlaKind' });
registerEnumType(SlaTimerStatus, { name: 'SlaTimerStatus' });
registerEnumType(SlaStartEvent, { name: 'SlaStartEvent' });
registerEnumType(ComplaintOrderField, { name: 'ComplaintOrderField' });
registerEnumType(OrderDirection, { name: 'OrderDirection' });
registerEnumType(AuditAction, { name: 'AuditAction' });
registerEnumType(DueStepKind, { name: 'DueStepKind', description: "A step of a timer's explanation: START, RULE, SKIP, PAUSE, EXTEND, DUE." });
