import type { Express, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { authenticate } from '../auth/authenticate';
import type { TokenVerifier } from '../auth/jwt';
import { CSV_EXPORT_ROLES } from '../auth/permissions';
import { RequestContext } from '../context';
import type { ReadFreshness } from '../db/read-replica';
import { ForbiddenError } from '../errors';
import type { Logger } from '../logger';
import { ExportWindow, redeemExportLink, startBearerExport, streamComplaintsCsv } from '../services/export.service';
import type { AccessLog } from './access-log';
import { requestIdOf, sendRestError } from './rest-door';

export const CSV_REPORT_PATH = '/reports/complaints.csv';

export interface CsvReportDeps {
  /** The primary: authentication, link redemption and the audit trail are written here; the rows come from its read replica when it has one. */
  dataSource: DataSource;
  verifier: TokenVerifier;
  log: Logger;
  /** The access line of the request: its caller and error code. */
  access: AccessLog;
  statementTimeoutMs: number;
}

/**
 * SPEC §8 `GET /reports/complaints.csv`: `?from=&to=` with a bearer token, or `?token=` of a
 * one-use link (csvExportUrl). Through the same door as GraphQL: authentication, the tenant
 * gate, coded JSON errors, the request id and the access log; every export is recorded on
 * the tenant's audit chain before a row leaves, then streamed from a read-only transaction on
 * the hot standby when there is one (SPEC §2); headers say which server answered and how fresh.
 */
export function mountCsvReport(app: Express, deps: CsvReportDeps): void {
  const { dataSource, verifier, log, access } = deps;
  app.get(CSV_REPORT_PATH, async (req: Request, res: Response) => {
    const requestId = requestIdOf(req, res);
    try {
      const { ctx, window } =
        req.query.token !== undefined
          ? await redeemExportLink(dataSource, req.query.token, requestId, log, deps.statementTimeoutMs)
          : await bearerExport(req, res, requestId);
      access.attach(ctx, res, ctx.user);
      await streamComplaintsCsv(ctx, window, deps.statementTimeoutMs, (freshness) =>
        res
          .status(200)
          .type('text/csv; charset=utf-8')
          .set(freshnessHeaders(freshness))
          .setHeader('content-disposition', 'attachment; filename="complaints.csv"'),
      );
    } catch (error) {
      access.refused(req, res, sendRestError(res, error, requestId, log));
    }
  });

  async function bearerExport(req: Request, res: Response, requestId: string): Promise<{ ctx: RequestContext; window: ExportWindow }> {
    const actor = await authenticate(dataSource, verifier, req.headers.authorization);
    access.attach({}, res, actor); // a refusal from here on names its caller
    if (!actor.roles.some((r) => CSV_EXPORT_ROLES.includes(r)))
      throw new ForbiddenError(`The CSV report requires one of the roles ${CSV_EXPORT_ROLES.join(', ')}`);
    const ctx = new RequestContext(dataSource, requestId, log.child({ requestId, tenantId: actor.tenantId, userId: actor.userId }), actor);
    return { ctx, window: await startBearerExport(ctx, req.query.from, req.query.to, deps.statementTimeoutMs) };
  }
}

/** What the complianceReport says about its freshness, as response headers (the CSV has no room for it). */
function freshnessHeaders(freshness: ReadFreshness): Record<string, string> {
  return {
    'x-read-from': freshness.origin,
    ...(freshness.dataAsOf ? { 'x-data-as-of': freshness.dataAsOf.toISOString() } : {}),
    ...(freshness.replicaLagSeconds !== null ? { 'x-replica-lag-seconds': String(freshness.replicaLagSeconds) } : {}),
  };
}
