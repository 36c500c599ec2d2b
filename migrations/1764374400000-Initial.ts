import { MigrationInterface, QueryRunner } from 'typeorm';

const TENANT_TABLES = [
  'users',
  'complaints',
  'notes',
  'stage_transitions',
  'sla_policies',
  'sla_timers',
  'audit_events',
  'idempotency_keys',
  'reference_counters',
];

/**
 * The whole initial schema: tables, row-level security on every tenant table, the
 * append-only audit trail, and the non-owner role `cms_app` the API runs as.
 */
export class Initial1764374400000 implements MigrationInterface {
  name = 'Initial1764374400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
        name text NOT NULL,
        time_zone text NOT NULL DEFAULT 'UTC',
        holiday_country text,
        contract_terminated_at timestamptz(3),
        retention_days int NOT NULL DEFAULT 90 CHECK (retention_days BETWEEN 0 AND 90),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE users (
        tenant_id text NOT NULL REFERENCES tenants(id),
        id text NOT NULL,
        name text NOT NULL,
        email text,
        roles text[] NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(`
      CREATE TABLE complaints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        reference text NOT NULL,
        stage text NOT NULL,
        status text NOT NULL,
        rights text[] NOT NULL CHECK (cardinality(rights) > 0),
        data_context text NOT NULL,
        processing_role text NOT NULL,
        regimes text[] NOT NULL CHECK (cardinality(regimes) > 0),
        jurisdiction text NOT NULL,
        channel text NOT NULL,
        summary text NOT NULL,
        description text NOT NULL,
        complainant_name text,
        complainant_email text,
        complainant_phone text,
        involves_child_under13 boolean NOT NULL DEFAULT false,
        complainant_erased_at timestamptz(3),
        assignee_id text,
        received_at timestamptz(3) NOT NULL,
        acknowledged_at timestamptz(3),
        resolved_at timestamptz(3),
        closed_at timestamptz(3),
        outcome text,
        resolution_summary text,
        panel_advice_summary text,
        panel_advice_at timestamptz(3),
        next_due_at timestamptz(3),
        version int NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        FOREIGN KEY (tenant_id, assignee_id) REFERENCES users(tenant_id, id)
      )`);
    await q.query(`CREATE UNIQUE INDEX complaints_tenant_reference_key ON complaints (tenant_id, reference)`);
    await q.query(`CREATE INDEX complaints_tenant_received_idx ON complaints (tenant_id, received_at, id)`);
    await q.query(`CREATE INDEX complaints_tenant_updated_idx ON complaints (tenant_id, updated_at, id)`);
    await q.query(`CREATE INDEX complaints_tenant_next_due_idx ON complaints (tenant_id, (coalesce(next_due_at, 'infinity'::timestamptz)), id)`);
    await q.query(`CREATE INDEX complaints_tenant_assignee_idx ON complaints (tenant_id, assignee_id)`);

    await q.query(`
      CREATE TABLE notes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        complaint_id uuid NOT NULL REFERENCES complaints(id),
        body text NOT NULL,
        internal boolean NOT NULL DEFAULT true,
        author_id text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX notes_complaint_idx ON notes (complaint_id, created_at)`);

    await q.query(`
      CREATE TABLE stage_transitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        complaint_id uuid NOT NULL REFERENCES complaints(id),
        from_stage text,
        to_stage text NOT NULL,
        reason text NOT NULL,
        at timestamptz(3) NOT NULL,
        actor_id text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX stage_transitions_complaint_idx ON stage_transitions (complaint_id, at)`);

    await q.query(`
      CREATE TABLE sla_policies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        regime text NOT NULL,
        stage text NOT NULL,
        kind text NOT NULL,
        duration text NOT NULL,
        business_days boolean NOT NULL,
        extension text,
        warn_at_percent int NOT NULL DEFAULT 80 CHECK (warn_at_percent BETWEEN 1 AND 99),
        pausable boolean NOT NULL,
        starts_on text NOT NULL DEFAULT 'STAGE_ENTERED',
        source text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX sla_policies_tenant_key ON sla_policies (tenant_id, regime, stage, kind)`);

    await q.query(`
      CREATE TABLE sla_timers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        complaint_id uuid NOT NULL REFERENCES complaints(id),
        policy_id uuid REFERENCES sla_policies(id),
        kind text NOT NULL,
        regime text NOT NULL,
        stage text NOT NULL,
        status text NOT NULL,
        terms jsonb NOT NULL DEFAULT '{}',
        started_at timestamptz(3) NOT NULL,
        due_at timestamptz(3) NOT NULL,
        warn_at timestamptz(3),
        warned_at timestamptz(3),
        paused_at timestamptz(3),
        remaining_on_pause double precision,
        met_at timestamptz(3),
        breached_at timestamptz(3),
        cancelled_at timestamptz(3),
        extended boolean NOT NULL DEFAULT false,
        extension_reason text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sla_timers_complaint_idx ON sla_timers (complaint_id)`);
    await q.query(`CREATE INDEX sla_timers_status_due_idx ON sla_timers (tenant_id, status, due_at)`);

    await q.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        complaint_id uuid REFERENCES complaints(id),
        chain_id text NOT NULL,
        sequence int NOT NULL CHECK (sequence > 0),
        action text NOT NULL,
        actor_id text,
        actor_role text,
        at timestamptz(3) NOT NULL,
        changes jsonb NOT NULL DEFAULT '{}',
        request_id text,
        prev_hash text,
        hash text NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX audit_events_chain_key ON audit_events (tenant_id, chain_id, sequence)`);
    await q.query(`CREATE INDEX audit_events_complaint_idx ON audit_events (complaint_id, sequence)`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        tenant_id text NOT NULL REFERENCES tenants(id),
        key text NOT NULL,
        request_hash text NOT NULL,
        complaint_id uuid REFERENCES complaints(id),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, key)
      )`);
    await q.query(`
      CREATE TABLE reference_counters (
        tenant_id text NOT NULL REFERENCES tenants(id),
        year int NOT NULL,
        last_value int NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, year)
      )`);

    // SPEC §6: the trail is append-only in the database itself. The tenant purge (SPEC §7)
    // is the one exception: it names the tenant it purges in app.purge_tenant.
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND OLD.tenant_id = current_setting('app.purge_tenant', true) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(
      `CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
    );
    await q.query(`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);

    // The API runs every transaction as cms_app: not the owner, no BYPASSRLS.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cms_app') THEN
          CREATE ROLE cms_app NOLOGIN NOBYPASSRLS;
        END IF;
      END $$`);
    await q.query(`GRANT cms_app TO CURRENT_USER`);
    await q.query(`GRANT USAGE ON SCHEMA public TO cms_app`);
    await q.query(
      `GRANT SELECT, INSERT, UPDATE ON tenants, users, complaints, notes, stage_transitions, sla_policies, sla_timers, idempotency_keys, reference_counters TO cms_app`,
    );
    await q.query(`GRANT SELECT, INSERT ON audit_events TO cms_app`);

    // Tenant isolation (SPEC §3): the tenant is set per transaction with set_config(..., true).
    const currentTenant = `NULLIF(current_setting('app.tenant_id', true), '')`;
    await q.query(`ALTER TABLE tenants ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE tenants FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON tenants USING (id = ${currentTenant}) WITH CHECK (id = ${currentTenant})`);
    for (const table of TENANT_TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_isolation ON ${table} USING (tenant_id = ${currentTenant}) WITH CHECK (tenant_id = ${currentTenant})`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_events',
      'idempotency_keys',
      'reference_counters',
      'sla_timers',
      'sla_policies',
      'stage_transitions',
      'notes',
      'complaints',
      'users',
      'tenants',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS audit_events_append_only()`);
  }
}
