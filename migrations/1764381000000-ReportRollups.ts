import { MigrationInterface, QueryRunner } from 'typeorm';

const currentTenant = `NULLIF(current_setting('app.tenant_id', true), '')`;

/**
 * complianceReport at millions of cases (issue 12): exact partial counts per tenant, UTC
 * day and metric, kept by triggers in the same transaction as the change (no client round
 * trip, never stale). A row per (tenant, day, metric, slot): the slot (8 per metric, from
 * the complaint id) spreads concurrent writers of one tenant and day over eight rows
 * instead of one hot row; readers sum the slots. `metric` sorts bytewise (COLLATE "C"), so a
 * prefix such as `days:` is one index range.
 *
 * Metrics, by the day they are counted on:
 * - received day: `received`, `escalated`, `stage:<stage>`, `right:<right>`, `regime:<regime>`,
 *   `unresolved` (resolved_at IS NULL, for aging);
 * - resolved day: `resolved`, `outcome:<outcome>`, `days:<whole days to resolution>` (a
 *   histogram that locates the exact percentiles; slot 0);
 * - the timer's complaint_received_at day: `timer:<kind>:met|breached|running`.
 */
export class ReportRollups1764381000000 implements MigrationInterface {
  name = 'ReportRollups1764381000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE report_rollups (
        tenant_id text NOT NULL,
        metric text COLLATE "C" NOT NULL,
        day date NOT NULL,
        slot smallint NOT NULL,
        n integer NOT NULL,
        PRIMARY KEY (tenant_id, metric, day, slot)
      )`);
    await q.query(`ALTER TABLE report_rollups ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE report_rollups FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON report_rollups USING (tenant_id = ${currentTenant}) WITH CHECK (tenant_id = ${currentTenant})`);
    // The triggers run as the writer (cms_app, or cms_purger which is a member of it).
    await q.query(`GRANT SELECT, INSERT, UPDATE ON report_rollups TO cms_app`);

    // The exact percentiles: the histogram names a bucket of whole days to resolution, this
    // column and its index read only that bucket's cases. A plain integer column (kept by a
    // trigger), not an expression index: under RLS only leakproof operators (int4 =) may be
    // index conditions, and floor/extract are not.
    await q.query(`ALTER TABLE complaints ADD COLUMN resolution_days integer`);
    await q.query(`
      CREATE FUNCTION complaints_resolution_days() RETURNS trigger LANGUAGE plpgsql
      AS $$
      BEGIN
        NEW.resolution_days := floor(extract(epoch FROM NEW.resolved_at - NEW.received_at) / 86400)::int;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER complaints_resolution_days BEFORE INSERT OR UPDATE ON complaints FOR EACH ROW EXECUTE FUNCTION complaints_resolution_days()`);
    await q.query(`UPDATE complaints SET resolution_days = floor(extract(epoch FROM resolved_at - received_at) / 86400)::int WHERE resolved_at IS NOT NULL`);
    await q.query(
      `CREATE INDEX complaints_tenant_resolution_days_idx ON complaints (tenant_id, resolution_days, resolved_at) INCLUDE (received_at) WHERE resolved_at IS NOT NULL`,
    );

    await q.query(`
      CREATE FUNCTION report_slot(id uuid) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT (hashtext(id::text) & 7)::smallint $$`);
    // What a case counts on its received day, and on its resolved day (the histogram's bucket in slot 0).
    await q.query(`
      CREATE FUNCTION report_received_metrics(stage text, rights text[], regimes text[], unresolved boolean) RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$
        SELECT unnest(ARRAY['received', 'stage:' || stage]
          || CASE WHEN stage <> 'INTERNAL_DPO' THEN ARRAY['escalated'] ELSE ARRAY[]::text[] END
          || CASE WHEN unresolved THEN ARRAY['unresolved'] ELSE ARRAY[]::text[] END
          || ARRAY(SELECT DISTINCT 'right:' || r FROM unnest(rights) r)
          || ARRAY(SELECT DISTINCT 'regime:' || g FROM unnest(regimes) g))
      $$`);
    await q.query(`
      CREATE FUNCTION report_resolved_metrics(outcome text, days bigint, case_slot smallint) RETURNS TABLE (metric text, slot smallint) LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$
        SELECT m, CASE WHEN m LIKE 'days:%' THEN 0::smallint ELSE case_slot END
        FROM unnest(ARRAY['resolved', 'outcome:' || outcome, 'days:' || days]) m WHERE m IS NOT NULL
      $$`);
    await q.query(`
      CREATE FUNCTION report_timer_metric(kind text, status text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$
        SELECT 'timer:' || kind || ':' || CASE WHEN status = 'MET' THEN 'met' WHEN status = 'BREACHED' THEN 'breached' ELSE 'running' END
        WHERE status IN ('MET', 'BREACHED', 'RUNNING', 'PAUSED')
      $$`);
    const days = (row: string) => `floor(extract(epoch FROM ${row}.resolved_at - ${row}.received_at) / 86400)::bigint`;
    const utcDay = (column: string) => `(${column} AT TIME ZONE 'UTC')::date`;
    const caseDeltas = (row: 'OLD' | 'NEW', n: number, unless: string) => `
          SELECT ${row}.tenant_id AS tenant_id, ${utcDay(`${row}.received_at`)} AS day, m AS metric, report_slot(${row}.id) AS slot, ${n} AS n
          FROM report_received_metrics(${row}.stage, ${row}.rights, ${row}.regimes, ${row}.resolved_at IS NULL) m WHERE TG_OP <> '${unless}'
          UNION ALL
          SELECT ${row}.tenant_id, ${utcDay(`${row}.resolved_at`)}, rm.metric, rm.slot, ${n}
          FROM report_resolved_metrics(${row}.outcome, ${days(row)}, report_slot(${row}.id)) rm WHERE TG_OP <> '${unless}' AND ${row}.resolved_at IS NOT NULL`;
    const timerDeltas = (row: 'OLD' | 'NEW', n: number, unless: string) => `
          SELECT ${row}.tenant_id AS tenant_id, ${utcDay(`${row}.complaint_received_at`)} AS day, report_timer_metric(${row}.kind, ${row}.status) AS metric,
            report_slot(${row}.complaint_id) AS slot, ${n} AS n
          WHERE TG_OP <> '${unless}' AND report_timer_metric(${row}.kind, ${row}.status) IS NOT NULL`;
    // One statement per changed row: the old row's metrics out, the new row's in, in key order (no deadlock between writers).
    for (const [table, deltas] of [
      ['complaints', caseDeltas],
      ['sla_timers', timerDeltas],
    ] as const) {
      await q.query(`
        CREATE FUNCTION report_rollups_${table}() RETURNS trigger LANGUAGE plpgsql
        AS $$
        BEGIN
          INSERT INTO report_rollups AS r (tenant_id, metric, day, slot, n)
          SELECT d.tenant_id, d.metric, d.day, d.slot, sum(d.n)::int
          FROM (${deltas('OLD', -1, 'INSERT')}
                UNION ALL ${deltas('NEW', 1, 'DELETE')}) d
          GROUP BY 1, 2, 3, 4 HAVING sum(d.n) <> 0
          ORDER BY 1, 2, 3, 4
          ON CONFLICT (tenant_id, metric, day, slot) DO UPDATE SET n = r.n + EXCLUDED.n;
          RETURN NULL;
        END $$`);
    }
    const complaintColumns = ['tenant_id', 'received_at', 'stage', 'rights', 'regimes', 'resolved_at', 'outcome'];
    const timerColumns = ['tenant_id', 'complaint_received_at', 'kind', 'status'];
    for (const [table, columns] of [
      ['complaints', complaintColumns],
      ['sla_timers', timerColumns],
    ] as const) {
      await q.query(`CREATE TRIGGER ${table}_report_rollups AFTER INSERT OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION report_rollups_${table}()`);
      await q.query(
        `CREATE TRIGGER ${table}_report_rollups_update AFTER UPDATE OF ${columns.join(', ')} ON ${table} FOR EACH ROW
         WHEN ((${columns.map((c) => `OLD.${c}`).join(', ')}) IS DISTINCT FROM (${columns.map((c) => `NEW.${c}`).join(', ')}))
         EXECUTE FUNCTION report_rollups_${table}()`,
      );
    }

    // The rollups recounted from the cases, set-based (cases grouped first, then expanded): the
    // backfill below, the rebuild after a bulk load with triggers off (the bench seed), and the
    // test that the triggers kept them exact.
    await q.query(`
      CREATE FUNCTION report_rollups_recount() RETURNS TABLE (tenant_id text, metric text, day date, slot smallint, n integer) LANGUAGE sql STABLE
      AS $$
        SELECT x.tenant_id, x.metric, x.day, x.slot, sum(x.n)::int FROM (
          SELECT g.tenant_id, m AS metric, g.day, g.slot, g.n
          FROM (SELECT c.tenant_id, ${utcDay('c.received_at')} AS day, report_slot(c.id) AS slot, c.stage, c.rights, c.regimes,
                       c.resolved_at IS NULL AS unresolved, count(*) AS n
                FROM complaints c GROUP BY 1, 2, 3, 4, 5, 6, 7) g
          CROSS JOIN LATERAL report_received_metrics(g.stage, g.rights, g.regimes, g.unresolved) m
          UNION ALL
          SELECT g.tenant_id, r.metric, g.day, r.slot, g.n
          FROM (SELECT c.tenant_id, ${utcDay('c.resolved_at')} AS day, report_slot(c.id) AS slot, c.outcome, ${days('c')} AS days, count(*) AS n
                FROM complaints c WHERE c.resolved_at IS NOT NULL GROUP BY 1, 2, 3, 4, 5) g
          CROSS JOIN LATERAL report_resolved_metrics(g.outcome, g.days, g.slot) r
          UNION ALL
          SELECT g.tenant_id, report_timer_metric(g.kind, g.status), g.day, g.slot, g.n
          FROM (SELECT t.tenant_id, ${utcDay('t.complaint_received_at')} AS day, report_slot(t.complaint_id) AS slot, t.kind, t.status, count(*) AS n
                FROM sla_timers t GROUP BY 1, 2, 3, 4, 5) g
          WHERE report_timer_metric(g.kind, g.status) IS NOT NULL) x
        GROUP BY 1, 2, 3, 4
      $$`);
    await q.query(`
      CREATE FUNCTION report_rollups_rebuild() RETURNS void LANGUAGE sql
      AS $$
        DELETE FROM report_rollups;
        INSERT INTO report_rollups (tenant_id, metric, day, slot, n)
        SELECT tenant_id, metric, day, 0, sum(n)::int FROM report_rollups_recount() GROUP BY 1, 2, 3;
      $$`);
    // Folds the slots of the days before `before` into slot 0 (under RLS: the tenant's own). Past
    // days see few writes, so one row per metric and day serves them: up to 8 times fewer reads.
    await q.query(`
      CREATE FUNCTION report_rollups_compact(before date) RETURNS void LANGUAGE sql
      AS $$
        WITH folded AS (DELETE FROM report_rollups WHERE day < before AND slot <> 0 RETURNING tenant_id, metric, day, n)
        INSERT INTO report_rollups AS r (tenant_id, metric, day, slot, n)
        SELECT tenant_id, metric, day, 0, sum(n)::int FROM folded GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (tenant_id, metric, day, slot) DO UPDATE SET n = r.n + EXCLUDED.n;
      $$`);
    await q.query(`GRANT DELETE ON report_rollups TO cms_app`);
    await q.query(`REVOKE ALL ON FUNCTION report_rollups_rebuild() FROM PUBLIC`);
    await q.query(`SELECT report_rollups_rebuild()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of ['complaints', 'sla_timers']) {
      await q.query(`DROP TRIGGER ${table}_report_rollups_update ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_report_rollups ON ${table}`);
      await q.query(`DROP FUNCTION report_rollups_${table}()`);
    }
    await q.query(`DROP FUNCTION report_rollups_compact(date)`);
    await q.query(`DROP FUNCTION report_rollups_rebuild()`);
    await q.query(`DROP FUNCTION report_rollups_recount()`);
    await q.query(`DROP FUNCTION report_timer_metric(text, text)`);
    await q.query(`DROP FUNCTION report_resolved_metrics(text, bigint, smallint)`);
    await q.query(`DROP FUNCTION report_received_metrics(text, text[], text[], boolean)`);
    await q.query(`DROP FUNCTION report_slot(uuid)`);
    await q.query(`DROP INDEX complaints_tenant_resolution_days_idx`);
    await q.query(`DROP TRIGGER complaints_resolution_days ON complaints`);
    await q.query(`DROP FUNCTION complaints_resolution_days()`);
    await q.query(`ALTER TABLE complaints DROP COLUMN resolution_days`);
    await q.query(`DROP TABLE report_rollups`);
  }
}
