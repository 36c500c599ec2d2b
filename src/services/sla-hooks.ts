import type { TxContext } from '../context';
import type { Complaint } from '../../entities';

/** Starts the clocks of the complaint's current stage (SPEC §5); the SLA engine fills this in. */
export async function startStageTimers(_tx: TxContext, _complaint: Complaint, _at: Date): Promise<void> {}
