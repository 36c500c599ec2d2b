import { Initial1764374400000 } from './1764374400000-Initial';
import { SlaWorker1764374500000 } from './1764374500000-SlaWorker';
import { Retention1764374600000 } from './1764374600000-Retention';
import { ReportIndexes1764374700000 } from './1764374700000-ReportIndexes';
import { AuditHead1764374800000 } from './1764374800000-AuditHead';
import { MetricsReadable1764376100000 } from './1764376100000-MetricsReadable';

/** Every migration, in order. Schema changes happen here and nowhere else. */
export const MIGRATIONS = [Initial1764374400000, SlaWorker1764374500000, Retention1764374600000, ReportIndexes1764374700000, AuditHead1764374800000, MetricsReadable1764376100000];
