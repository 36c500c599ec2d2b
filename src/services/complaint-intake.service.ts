import canonicalize from 'canonicalize';
import { DateTime } from 'luxon';
import { createHash, randomUUID } from 'node:crypto';
import { created } from '../audit/changes';
import type { RequestContext, TxContext } from '../context';
import { hydrate } from '../db/hydrate';
import { transaction } from '../db/transaction';
import {
  AuditAction,
  ComplaintStage,
  ComplaintStatus,
  DataContext,
  DataSubjectRight,
  IntakeChannel,
  ProcessingRole,
  Regime,
  SlaStartEvent,
} from '../domain/enums';
import { deriveRegimes } from '../domain/regimes';
import { calendarFor } from '../domain/sla-calendar';
import { BadUserInputError, IdempotencyKeyReusedError } from '../errors';
import { Complaint, SlaPolicy } from '../../entities';
import { checkAssigneeRole } from './assignment';
import { caseWriteSql, CaseWrite, FILE_CASE_CTE } from './case-write';
import { loadComplaint } from './complaint-query.service';
import { policyTimer, regulatorDeadlineTimer } from './sla-timers.service';

export interface FileComplaintData {
  complainant: { name: string; email?: string | null; phone?: string | null; involvesChildUnder13: boolean };
  jurisdiction: string;
  regimes?: Regime[] | null;
  dataContext: DataContext;
  processingRole: ProcessingRole;
  rights: DataSubjectRight[];
  channel: IntakeChannel;
  summary: string;
  description: string;
  receivedAt?: Date | null;
  assigneeId?: string | null;
  regulatorReferral?: { regulator: string; reference?: string | null; respondBy?: Date | null } | null;
}

/** SPEC §4: a regulator's referral comes with channel REGULATOR_REFERRAL, and only with it. */
function checkReferral(input: FileComplaintData): void {
  const referral = input.channel === IntakeChannel.REGULATOR_REFERRAL;
  if (referral && !input.regulatorReferral) {
    throw new BadUserInputError({
      'input.regulatorReferral': 'is required with channel REGULATOR_REFERRAL (the regulator, its reference, respondBy when it set a deadline)',
    });
  }
  if (!referral && input.regulatorReferral) {
    throw new BadUserInputError({ 'input.regulatorReferral': `is only for channel REGULATOR_REFERRAL (this complaint: ${input.channel})` });
  }
}

/** The complaint as filed, before its reference: every column set, as the response shows it. */
function newComplaint(tx: TxContext, input: FileComplaintData, now: Date): Complaint {
  const jurisdiction = input.jurisdiction.toUpperCase();
  const referral = input.regulatorReferral ?? null;
  return tx.manager.create(Complaint, {
    id: randomUUID(),
    tenantId: tx.tenantId,
    stage: referral ? ComplaintStage.REGULATOR : ComplaintStage.INTERNAL_DPO,
    status: ComplaintStatus.OPEN,
    rights: input.rights,
    dataContext: input.dataContext,
    processingRole: input.processingRole,
    regimes: input.regimes?.length ? input.regimes : deriveRegimes(jurisdiction, input.complainant.involvesChildUnder13),
    jurisdiction,
    channel: input.channel,
    summary: input.summary.trim(),
    description: input.description,
    complainantName: input.complainant.name.trim(),
    complainantEmail: input.complainant.email?.trim() || null,
    complainantPhone: input.complainant.phone?.trim() || null,
    involvesChildUnder13: input.complainant.involvesChildUnder13,
    complainantErasedAt: null,
    assigneeId: input.assigneeId ?? null,
    receivedAt: input.receivedAt ?? now,
    acknowledgedAt: null,
    resolvedAt: null,
    closedAt: null,
    outcome: null,
    resolutionSummary: null,
    panelAdviceSummary: null,
    panelAdviceAt: null,
    regulatorName: referral?.regulator.trim() ?? null,
    regulatorReference: referral?.reference?.trim() || null,
    regulatorRespondBy: referral?.respondBy ?? null,
    breachAwareAt: null,
    breachSummary: null,
    breachRecordedAt: null,
    authorityNotifiedAt: null,
    authorityName: null,
    authorityReference: null,
    nextDueAt: null,
    version: 1,
  });
}

/** What filing reads, in one round trip: the idempotency claim, the tenant's calendar, the assignee, the policies of the stage. */
interface IntakeFacts {
  claimed: boolean;
  timeZone: string;
  holidayCountry: string | null;
  assigneeKnown: boolean;
  policies: Record<string, unknown>[];
}

const INTAKE_FACTS_SQL = `WITH claim AS (
  INSERT INTO idempotency_keys (tenant_id, key, request_hash) SELECT $1, $2, $3 WHERE $2::text IS NOT NULL
  ON CONFLICT DO NOTHING RETURNING key
)
SELECT (SELECT count(*) FROM claim) > 0 AS claimed, t.time_zone AS "timeZone", t.holiday_country AS "holidayCountry",
  EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = $1 AND u.id = $4) AS "assigneeKnown",
  (SELECT coalesce(json_agg(p ORDER BY p.regime, p.kind, p.id), '[]') FROM sla_policies p
    WHERE p.regime = ANY($5::text[]) AND p.starts_on = $6 AND p.stage = $7 AND (p.rights IS NULL OR p.rights && $8::text[])) AS policies
FROM tenants t WHERE t.id = $1`;

/** The case's row for the filing statement (src/services/case-write.ts, FILE_CASE_CTE). */
function caseRow(c: Complaint): Record<string, unknown> {
  return {
    id: c.id,
    tenant_id: c.tenantId,
    reference: c.reference,
    stage: c.stage,
    status: c.status,
    rights: c.rights,
    data_context: c.dataContext,
    processing_role: c.processingRole,
    regimes: c.regimes,
    jurisdiction: c.jurisdiction,
    channel: c.channel,
    summary: c.summary,
    description: c.description,
    complainant_name: c.complainantName,
    complainant_email: c.complainantEmail,
    complainant_phone: c.complainantPhone,
    involves_child_under13: c.involvesChildUnder13,
    assignee_id: c.assigneeId,
    received_at: c.receivedAt.toISOString(),
    regulator_name: c.regulatorName,
    regulator_reference: c.regulatorReference,
    regulator_respond_by: c.regulatorRespondBy?.toISOString() ?? null,
    next_due_at: c.nextDueAt?.toISOString() ?? null,
  };
}

const FILE_COMPLAINT_SQL = caseWriteSql(FILE_CASE_CTE);

/**
 * Logs a complaint at INTERNAL_DPO / OPEN with the next reference of the tenant (SPEC §4);
 * a regulator's referral is filed straight at REGULATOR, with its deadline as a clock.
 *
 * Three round trips (issue 12): (1) the idempotency claim and everything filing reads;
 * then the case, its transition, timers, audit events, webhook rows and jobs are planned
 * in JS; (2) the tenant's reference counter; (3) one statement writing all of it; COMMIT.
 * The counter comes last because its row lock serialises a tenant's filings until COMMIT:
 * it is held for one statement and the COMMIT. It cannot be inside that statement: the filing event
 * records the reference in its hashed changes, and every hash is computed in JS before
 * the INSERT (sealEvent, so that an event can also be signed there). So the reference is
 * the one value set between the two: on the case, in the COMPLAINT_FILED changes, in the
 * webhook payloads; then the chain is sealed from sequence 1, and numbers stay gap-free
 * because nothing after the counter can fail but the statement itself (then all rolls back).
 */
export async function fileComplaint(ctx: RequestContext, input: FileComplaintData, idempotencyKey?: string | null): Promise<Complaint> {
  checkReferral(input);
  return transaction(ctx, async (tx) => {
    const now = new Date();
    const c = newComplaint(tx, input, now);
    const requestHash = idempotencyKey ? createHash('sha256').update(canonicalize(input)!).digest('hex') : null;
    const [facts] = (await tx.manager.query(INTAKE_FACTS_SQL, [
      tx.tenantId,
      idempotencyKey ?? null,
      requestHash,
      c.assigneeId,
      c.regimes,
      SlaStartEvent.STAGE_ENTERED,
      c.stage,
      c.rights,
    ])) as IntakeFacts[];
    if (!facts) throw new Error(`tenant ${tx.tenantId} is not provisioned`);
    if (idempotencyKey && !facts.claimed) return earlierFiling(tx, idempotencyKey, requestHash!);
    if (c.assigneeId) checkAssigneeRole(tx, c.assigneeId);
    if (c.assigneeId && !facts.assigneeKnown) throw new BadUserInputError({ 'input.assigneeId': `no user ${c.assigneeId} in this tenant` });

    const write = new CaseWrite(tx, c);
    const referral = c.regulatorName !== null;
    write.enterStage(null, c.stage, referral ? `Referred by ${c.regulatorName}` : 'Complaint filed', c.receivedAt);
    const filed = write.audit(AuditAction.COMPLAINT_FILED, filingChanges(c), { at: now });
    // SPEC §7: a child's data is flagged in the trail and restricted to the DPO.
    if (c.involvesChildUnder13) write.audit(AuditAction.CHILD_DATA_FLAGGED, { involvesChildUnder13: { from: false, to: true } }, { at: now });
    const calendar = calendarFor(facts.timeZone, facts.holidayCountry);
    for (const row of facts.policies) {
      const policy = hydrate(tx.manager, SlaPolicy, row);
      write.startTimer(policyTimer(policy, calendar, c.stage, SlaStartEvent.STAGE_ENTERED, c.receivedAt), now);
    }
    if (c.regulatorName && c.regulatorRespondBy) {
      const deadline = write.startTimer(regulatorDeadlineTimer(c, calendar, c.regulatorName, c.regulatorRespondBy, c.receivedAt), now);
      write.settleIfDue(deadline, new Date()); // a respondBy already past breaches at once
    }
    c.nextDueAt = write.nextDueAt([]);

    c.reference = await nextReference(tx, DateTime.fromJSDate(now, { zone: calendarFor(facts.timeZone, null).timeZone }).year);
    filed.changes.reference = { from: null, to: c.reference };
    const [written] = (await tx.manager.query(FILE_COMPLAINT_SQL, await write.parameters(caseRow(c), { sequence: 0, hash: null }, idempotencyKey ?? null))) as {
      version: number;
      createdAt: Date;
      updatedAt: Date;
    }[];
    return Object.assign(c, { version: written.version, createdAt: written.createdAt, updatedAt: written.updatedAt });
  });
}

/** The COMPLAINT_FILED changes: every field from null, PII and free text only as set; the reference is added once counted. */
function filingChanges(c: Complaint): Record<string, unknown> {
  return created({
    stage: c.stage,
    status: c.status,
    rights: c.rights,
    dataContext: c.dataContext,
    processingRole: c.processingRole,
    regimes: c.regimes,
    jurisdiction: c.jurisdiction,
    channel: c.channel,
    summary: c.summary,
    description: c.description,
    'complainant.name': c.complainantName,
    'complainant.email': c.complainantEmail,
    'complainant.phone': c.complainantPhone,
    receivedAt: c.receivedAt,
    assigneeId: c.assigneeId,
    ...(c.regulatorName !== null
      ? {
          'regulatorReferral.regulator': c.regulatorName,
          'regulatorReferral.reference': c.regulatorReference,
          'regulatorReferral.respondBy': c.regulatorRespondBy,
        }
      : {}),
  });
}

/**
 * The key was claimed before (SPEC §4): a concurrent claim of the same key waited on the row
 * until the first transaction ended. The first complaint when the input is the same.
 */
async function earlierFiling(tx: TxContext, key: string, requestHash: string): Promise<Complaint> {
  const [earlier] = (await tx.manager.query('SELECT request_hash, complaint_id FROM idempotency_keys WHERE tenant_id = $1 AND key = $2', [
    tx.tenantId,
    key,
  ])) as {
    request_hash: string;
    complaint_id: string;
  }[];
  if (earlier.request_hash !== requestHash) throw new IdempotencyKeyReusedError(key);
  return loadComplaint(tx, earlier.complaint_id);
}

/** PC-<year>-<6 digits>: the counter row is locked until commit, so numbers have no gaps; taken last (see fileComplaint). */
async function nextReference(tx: TxContext, year: number): Promise<string> {
  const [row] = (await tx.manager.query(
    `INSERT INTO reference_counters (tenant_id, year, last_value) VALUES ($1, $2, 1)
     ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = reference_counters.last_value + 1
     RETURNING last_value`,
    [tx.tenantId, year],
  )) as { last_value: number }[];
  return `PC-${year}-${String(row.last_value).padStart(6, '0')}`;
}
