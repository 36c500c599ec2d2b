import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §6: the database, not the API, keeps each audit chain's head. An event is admitted
 * only as the next link (sequence = head + 1, prevHash = head hash) and moves the head
 * itself; the API role can neither move a head nor start a chain at one, so it cannot
 * cover up a rewritten, cut or forged trail.
 */
export class AuditHeadGuard1764375000000 implements MigrationInterface {
  name = 'AuditHeadGuard1764375000000';

  public async up(q: QueryRunner): Promise<void> {
    // SECURITY DEFINER: runs as the owner, so it may move the head the API role may not.
    // The owner row is locked by the UPDATE, so concurrent appends to one chain queue.
    await q.query(`
      CREATE FUNCTION audit_events_link() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
      SET search_path = pg_catalog, public, pg_temp AS $$
      DECLARE
        moved int;
      BEGIN
        IF NEW.chain_id IS DISTINCT FROM coalesce(NEW.complaint_id::text, NEW.tenant_id) THEN
          RAISE EXCEPTION 'audit event chain_id % is not the chain of its complaint or tenant', NEW.chain_id USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.complaint_id IS NOT NULL THEN
          UPDATE complaints SET audit_head_sequence = NEW.sequence, audit_head_hash = NEW.hash
           WHERE id = NEW.complaint_id AND tenant_id = NEW.tenant_id
             AND audit_head_sequence = NEW.sequence - 1 AND audit_head_hash IS NOT DISTINCT FROM NEW.prev_hash;
        ELSE
          UPDATE tenants SET audit_head_sequence = NEW.sequence, audit_head_hash = NEW.hash
           WHERE id = NEW.tenant_id
             AND audit_head_sequence = NEW.sequence - 1 AND audit_head_hash IS NOT DISTINCT FROM NEW.prev_hash;
        END IF;
        GET DIAGNOSTICS moved = ROW_COUNT;
        IF moved = 0 THEN
          RAISE EXCEPTION 'audit event % of chain % does not follow the chain head', NEW.sequence, NEW.chain_id
            USING ERRCODE = 'check_violation', DETAIL = 'sequence must be the head sequence + 1 and prev_hash the head hash';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION audit_events_link() FROM PUBLIC`);
    await q.query(`CREATE TRIGGER audit_events_link BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_link()`);

    // Only the owner (the trigger above runs as it) writes a head. A trigger rather than
    // column privileges, so that columns later migrations add stay writable by the API.
    await q.query(`
      CREATE FUNCTION audit_head_owner_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')
           AND current_user <> 'cms_app' THEN
          RETURN NEW;
        END IF;
        IF TG_OP = 'INSERT' AND (NEW.audit_head_sequence <> 0 OR NEW.audit_head_hash IS NOT NULL)
           OR TG_OP = 'UPDATE' AND (NEW.audit_head_sequence, NEW.audit_head_hash) IS DISTINCT FROM (OLD.audit_head_sequence, OLD.audit_head_hash) THEN
          RAISE EXCEPTION 'permission denied: the audit chain head of % is kept by the database', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    for (const table of ['complaints', 'tenants']) {
      await q.query(`CREATE TRIGGER ${table}_audit_head_owner_only BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_head_owner_only()`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of ['complaints', 'tenants']) await q.query(`DROP TRIGGER IF EXISTS ${table}_audit_head_owner_only ON ${table}`);
    await q.query(`DROP FUNCTION IF EXISTS audit_head_owner_only()`);
    await q.query(`DROP TRIGGER IF EXISTS audit_events_link ON audit_events`);
    await q.query(`DROP FUNCTION IF EXISTS audit_events_link()`);
  }
}
