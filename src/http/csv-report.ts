import { stringify } from 'csv-stringify';
import type { Request, Response } from 'express';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import type { TokenVerifier } from '../auth/jwt';
import { PERMISSIONS } from '../auth/permissions';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { checkWindow } from '../services/report.service';
import { authenticate } from '../auth/authenticate';
import { instantProblem } from '../validation';

const COLUMNS = ['reference', 'stage', 'status', 'regimes', 'rights', 'received_at', 'acknowledged_at', 'resolved_at', 'outcome', 'breached_timers'];

// One row per complaint received in the window; no PII (SPEC §8).
const SQL = `
  SELECT c.reference, c.stage, c.status, array_to_string(c.regimes, ' '), array_to_string(c.rights, ' '),
         to_char(c.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         to_char(c.acknowledged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         to_char(c.resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         c.outcome,
         (SELECT count(*) FROM sla_timers t WHERE t.complaint_id = c.id AND t.status = 'BREACHED')::int
  FROM complaints c WHERE c.received_at BETWEEN $1 AND $2 ORDER BY c.received_at, c.id`;

const WINDOW_END = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const WINDOW_END_FORMS = 'must be an ISO-8601 instant with offset (2026-11-30T00:00:00Z) or a date (2026-11-30), between 1900 and 9999';

/**
 * `from`/`to` of the window: four-digit years only, so that nothing JavaScript reads but
 * PostgreSQL refuses (year 275760, -271821) reaches the query.
 */
function parseWindowEnd(value: unknown): Date | null {
  if (typeof value !== 'string' || !WINDOW_END.test(value)) return null;
  const instant = new Date(value);
  return instantProblem(instant) ? null : instant;
}

function fail(res: Response, status: number, code: string, message: string, fields?: Record<string, string>): void {
  res.status(status).json({ errors: [{ message, extensions: { code, ...(fields ? { fields } : {}) } }] });
}

/** GET /reports/complaints.csv?from=&to=: streamed from a cursor, RFC 4180 quoting. */
export function complaintsCsvHandler(dataSource: DataSource, verifier: TokenVerifier, log: Logger, statementTimeoutMs: number) {
  return async (req: Request, res: Response): Promise<void> => {
    let tenantId: string;
    try {
      const actor = await authenticate(dataSource, verifier, req.headers.authorization);
      if (!actor.roles.some((r) => PERMISSIONS.complianceReport.includes(r))) {
        return fail(res, 403, 'FORBIDDEN', `The CSV report requires one of the roles ${PERMISSIONS.complianceReport.join(', ')}`);
      }
      tenantId = actor.tenantId;
      const from = parseWindowEnd(req.query.from);
      const to = parseWindowEnd(req.query.to);
      const fields: Record<string, string> = {};
      if (!from) fields.from = WINDOW_END_FORMS;
      if (!to) fields.to = WINDOW_END_FORMS;
      if (!from || !to) return fail(res, 400, 'BAD_USER_INPUT', 'Invalid report window', fields);
      checkWindow(from, to);

      const runner = dataSource.createQueryRunner();
      await runner.connect();
      const client = (runner as unknown as { databaseConnection: PoolClient }).databaseConnection;
      try {
        await client.query('BEGIN READ ONLY');
        // A streamed export may outlast the API's statement timeout: its own, longer one.
        await client.query(`SELECT cms_enter_tenant($1), set_config('statement_timeout', $2, true)`, [tenantId, String(statementTimeoutMs)]);
        const rows = client.query(new QueryStream(SQL, [from, to], { rowMode: 'array', batchSize: 500 }));
        res.status(200).type('text/csv; charset=utf-8').setHeader('content-disposition', 'attachment; filename="complaints.csv"');
        await pipeline(rows, stringify({ header: true, columns: COLUMNS, record_delimiter: '\r\n', cast: { boolean: (v) => String(v) } }), res);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        await runner.release();
      }
    } catch (error) {
      if (error instanceof AppError) {
        const status = error.code === 'UNAUTHENTICATED' ? 401 : error.code === 'FORBIDDEN' ? 403 : 400;
        return fail(res, status, error.code, error.message, (error.extensions.fields as Record<string, string>) ?? undefined);
      }
      log.error({ err: error }, 'CSV report failed');
      if (!res.headersSent) fail(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      else res.destroy();
    }
  };
}
