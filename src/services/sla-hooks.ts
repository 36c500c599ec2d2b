import type { TxContext } from '../context';
import type { Complaint } from '../../entities';
import type { ComplaintStage } from '../domain/enums';

/**
 * What the case lifecycle tells the SLA engine (SPEC §5). Each runs in the caller's
 * transaction and writes its own timer audit events.
 */
export interface SlaHooks {
  stageEntered(tx: TxContext, complaint: Complaint, at: Date): Promise<void>;
  stageLeft(tx: TxContext, complaint: Complaint, stage: ComplaintStage, at: Date): Promise<void>;
  acknowledged(tx: TxContext, complaint: Complaint, at: Date): Promise<void>;
  resolved(tx: TxContext, complaint: Complaint, at: Date): Promise<void>;
  paused(tx: TxContext, complaint: Complaint, at: Date): Promise<void>;
  resumed(tx: TxContext, complaint: Complaint, at: Date): Promise<void>;
  panelAdviceRecorded(tx: TxContext, complaint: Complaint, at: Date): Promise<void>;
  closed(tx: TxContext, complaint: Complaint, at: Date): Promise<void>;
}

const none = async () => {};
let hooks: SlaHooks = { stageEntered: none, stageLeft: none, acknowledged: none, resolved: none, paused: none, resumed: none, panelAdviceRecorded: none, closed: none };

export function registerSlaHooks(impl: SlaHooks): void {
  hooks = impl;
}

export function sla(): SlaHooks {
  return hooks;
}
