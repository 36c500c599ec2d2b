/* Every migration, in order: schema changes happen here and nowhere else. */
import { Initial1764374400000 } from './1764374400000-Initial';
import { SlaWorker1764374500000 } from './1764374500000-SlaWorker';
import { Retention1764374600000 } from './1764374600000-Retention';
import { ReportIndexes1764374700000 } from './1764374700000-ReportIndexes';
import { AuditHead1764374800000 } from './1764374800000-AuditHead';
import { AuditHeadGuard1764375000000 } from './1764375000000-AuditHeadGuard';
import { PurgeRole1764375100000 } from './1764375100000-PurgeRole';
import { LegalClocks1764375200000 } from './1764375200000-LegalClocks';
import { TenantGate1764375300000 } from './1764375300000-TenantGate';
import { AuditEventsByTime1764375400000 } from './1764375400000-AuditEventsByTime';
import { AuditCheckpoints1764375500000 } from './1764375500000-AuditCheckpoints';
import { ExportLinks1764375600000 } from './1764375600000-ExportLinks';
import { MetricsReadable1764376100000 } from './1764376100000-MetricsReadable';
import { Webhooks1764376200000 } from './1764376200000-Webhooks';
import { SlaMail1764376210000 } from './1764376210000-SlaMail';
import { ReportRollups1764381000000 } from './1764381000000-ReportRollups';
import { EmailDigests1764382500000 } from './1764382500000-EmailDigests';
import { AuditEventSignatures1764383000000 } from './1764383000000-AuditEventSignatures';
import { SlaDueIndexes1764383500000 } from './1764383500000-SlaDueIndexes';

export const MIGRATIONS = [
  Initial1764374400000,
  SlaWorker1764374500000,
  Retention1764374600000,
  ReportIndexes1764374700000,
  AuditHead1764374800000,
  AuditHeadGuard1764375000000,
  PurgeRole1764375100000,
  LegalClocks1764375200000,
  TenantGate1764375300000,
  AuditEventsByTime1764375400000,
  AuditCheckpoints1764375500000,
  ExportLinks1764375600000,
  MetricsReadable1764376100000,
  Webhooks1764376200000,
  SlaMail1764376210000,
  ReportRollups1764381000000,
  EmailDigests1764382500000,
  AuditEventSignatures1764383000000,
  SlaDueIndexes1764383500000,
];
