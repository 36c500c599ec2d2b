import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The head of each audit chain (last sequence and hash) kept on the chain's owner row,
 * written in the same transaction as each event: verifyAuditTrail then also notices
 * events removed from the end of a chain, which a hash chain alone cannot.
 */
export class AuditHead1764374800000 implements MigrationInterface {
  name = 'AuditHead1764374800000';

  public async up(q: QueryRunner): Promise<void> {
    for (const [table, key] of [
      ['complaints', 'complaint_id'],
      ['tenants', null],
    ] as const) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN audit_head_sequence int NOT NULL DEFAULT 0, ADD COLUMN audit_head_hash text`);
      const owner = key ? `e.${key} = t.id` : `e.complaint_id IS NULL AND e.tenant_id = t.id`;
      await q.query(`
        UPDATE ${table} t SET audit_head_sequence = h.sequence, audit_head_hash = h.hash
        FROM (SELECT DISTINCT ON (e.chain_id) e.chain_id, e.sequence, e.hash FROM audit_events e ORDER BY e.chain_id, e.sequence DESC) h
        WHERE h.chain_id = t.id::text AND EXISTS (SELECT 1 FROM audit_events e WHERE ${owner})`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of ['complaints', 'tenants']) {
      await q.query(`ALTER TABLE ${table} DROP COLUMN audit_head_sequence, DROP COLUMN audit_head_hash`);
    }
  }
}
