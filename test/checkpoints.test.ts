import { createHash, randomUUID } from 'node:crypto';
import { CompactSign, compactVerify, createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, JSONWebKeySet } from 'jose';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chainHash } from '../src/audit/chain-hash';
import { checkpointRoot, merkleTreeHash } from '../src/audit/merkle';
import { Role } from '../src/auth/roles';
import { createLogger } from '../src/logger';
import { evidenceKeysOf } from '../src/evidence/keys';
import { createScheduledCheckpoints } from '../src/services/checkpoint.service';
import { startSlaWorker } from '../src/worker/sla-worker';
import { ensureBuilt, verifyEvidenceCli } from './support/cli';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { errorCode, startTestApp, TestApp } from './support/harness';

/** SPEC §7 audit checkpoints: signed Merkle roots of every chain head, delivered outside the database. */
const CREATE = `mutation { createAuditCheckpoint { id createdAt root chains events jws } }`;
const LIST = `query ($first: Int, $after: String) { auditCheckpoints(first: $first, after: $after) { edges { cursor node { id createdAt root chains events } } pageInfo { hasNextPage endCursor } } }`;
const VERIFY = `query ($id: ID!) { verifyAuditTrail(complaintId: $id) { valid eventsChecked brokenAtSequence } }`;

let t: TestApp;
let work: string;
let checkpointDir: string;
let jwks: JSONWebKeySet;
let jwksFile: string;

beforeAll(async () => {
  ensureBuilt();
  work = mkdtempSync(path.join(tmpdir(), 'checkpoints-'));
  checkpointDir = path.join(work, 'checkpoints');
  const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
  t = await startTestApp({ EVIDENCE_SIGNING_KEY: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'cp-key' }), AUDIT_CHECKPOINT_DIR: checkpointDir });
  jwks = (await t.http().get('/.well-known/jwks.json')).body;
  jwksFile = path.join(work, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify(jwks));
}, 180_000);
afterAll(async () => {
  await t?.close();
  rmSync(work, { recursive: true, force: true });
});

async function file(tid = 'acme'): Promise<{ id: string; reference: string }> {
  const res = await t.gql(await t.token(Role.AGENT, { tid }), FILE_COMPLAINT, { input: complaintInput() });
  expect(res.errors).toBeUndefined();
  return res.data.fileComplaint;
}

async function checkpoint(tid = 'acme') {
  const res = await t.gql(await t.token(Role.ADMIN, { tid }), CREATE);
  expect(res.errors).toBeUndefined();
  return res.data.createAuditCheckpoint as { id: string; createdAt: string; root: string; chains: number; events: number; jws: string };
}

const verify = async (id: string) => (await t.gql(await t.token(Role.DPO), VERIFY, { id })).data.verifyAuditTrail;

async function signedPayload(jws: string) {
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks));
  expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: 'cp-key', typ: 'audit-checkpoint' });
  return JSON.parse(Buffer.from(payload).toString('utf8'));
}

/** As an attacker with owner rights: triggers off for this session, the change, triggers on. */
async function asOwnerWithoutTriggers(work: () => Promise<void>): Promise<void> {
  await t.sql('BEGIN');
  try {
    await t.sql(`SET LOCAL session_replication_role = replica`);
    await work();
    await t.sql('COMMIT');
  } catch (error) {
    await t.sql('ROLLBACK');
    throw error;
  }
}

type Row = {
  id: string;
  tenant_id: string;
  complaint_id: string;
  sequence: number;
  action: string;
  actor_id: string | null;
  actor_role: string | null;
  at: Date;
  changes: Record<string, unknown>;
  request_id: string | null;
  prev_hash: string | null;
  hash: string;
  signature: string | null;
};
const events = (id: string) => t.sql<Row>('SELECT * FROM audit_events WHERE chain_id = $1 ORDER BY sequence', [id]);
const asHashed = (r: Row) => ({
  id: r.id,
  tenantId: r.tenant_id,
  complaintId: r.complaint_id,
  sequence: r.sequence,
  action: r.action,
  actorId: r.actor_id,
  actorRole: r.actor_role,
  at: r.at,
  changes: r.changes,
  requestId: r.request_id,
});

/** Rewrites rows from `from` on with the service's own canonical hashing, and moves the head. */
async function rehash(complaintId: string, rows: Row[]): Promise<void> {
  let prev: string | null = null;
  for (const r of rows) {
    const hash = chainHash(prev, asHashed(r));
    await t.sql('UPDATE audit_events SET changes = $2, prev_hash = $3, hash = $4 WHERE id = $1', [r.id, JSON.stringify(r.changes), prev, hash]);
    prev = hash;
  }
  await t.sql('UPDATE complaints SET audit_head_sequence = $2, audit_head_hash = $3 WHERE id = $1', [complaintId, rows.length, prev]);
}

async function bundleOf(id: string): Promise<string> {
  const res = await t
    .http()
    .get(`/complaints/${id}/evidence`)
    .set('authorization', `Bearer ${await t.token(Role.DPO)}`)
    .buffer(true)
    .parse((r, done) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => done(null, body));
    });
  expect(res.status).toBe(200);
  const target = path.join(work, `${id}-${Date.now()}.jws`);
  writeFileSync(target, res.body as string);
  return target;
}

function checkpointFile(id: string, tid = 'acme'): string {
  const name = readdirSync(path.join(checkpointDir, tid)).find((f) => f.endsWith(`-${id}.jws`));
  expect(name).toBeDefined();
  return path.join(checkpointDir, tid, name!);
}

describe('the Merkle tree hash (RFC 9162 §2.1.1)', () => {
  const sha = (...parts: (Buffer | number[])[]) =>
    createHash('sha256')
      .update(Buffer.concat(parts.map((p) => Buffer.from(p))))
      .digest();
  test('empty tree, one leaf, and five leaves split at the largest power of two', () => {
    expect(merkleTreeHash([]).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const leaves = ['a', 'b', 'c', 'd', 'e'].map((s) => Buffer.from(s));
    const leaf = (i: number) => sha([0], leaves[i]);
    const node = (l: Buffer, r: Buffer) => sha([1], l, r);
    expect(merkleTreeHash(leaves.slice(0, 1))).toEqual(leaf(0));
    expect(merkleTreeHash(leaves)).toEqual(node(node(node(leaf(0), leaf(1)), node(leaf(2), leaf(3))), leaf(4)));
    expect(merkleTreeHash(leaves.slice(0, 3))).toEqual(node(node(leaf(0), leaf(1)), leaf(2)));
  });

  test('leaves are the RFC 8785 JSON of {chain, sequence, hash}, sorted by chain', () => {
    const heads = [
      { chain: 'tenant', sequence: 2, hash: 'bb' },
      { chain: '0a', sequence: 1, hash: 'aa' },
    ];
    const leaf = (s: string) => sha([0], Buffer.from(s));
    expect(checkpointRoot(heads)).toBe(
      sha([1], leaf('{"chain":"0a","hash":"aa","sequence":1}'), leaf('{"chain":"tenant","hash":"bb","sequence":2}')).toString('hex'),
    );
  });
});

describe('createAuditCheckpoint and auditCheckpoints', () => {
  test('signs every chain head of the tenant, its own chain included, records itself on the tenant chain and writes <dir>/<tenant>/<createdAt>-<id>.jws', async () => {
    const a = await file();
    const b = await file();
    await file('initech'); // another tenant's chain stays out
    const made = await checkpoint();

    const payload = await signedPayload(made.jws);
    const heads = await t.sql(
      `SELECT id::text AS chain, audit_head_sequence AS sequence, audit_head_hash AS hash FROM complaints WHERE tenant_id = 'acme' ORDER BY id`,
    );
    const [tenantHead] = await t.sql(
      `SELECT sequence, hash, action, changes FROM audit_events WHERE tenant_id = 'acme' AND complaint_id IS NULL ORDER BY sequence DESC LIMIT 1`,
    );
    expect(tenantHead).toMatchObject({ action: 'AUDIT_CHECKPOINT_CREATED', changes: { checkpointId: made.id, scheduled: false } });
    const expected = [...heads, { chain: 'tenant', sequence: tenantHead.sequence, hash: tenantHead.hash }];
    expect(payload).toEqual({
      id: made.id,
      tenant: 'acme',
      createdAt: made.createdAt,
      root: made.root,
      chains: expected.length,
      events: expected.reduce((n, h) => n + h.sequence, 0),
      heads: expected,
    });
    expect(payload.heads.map((h: { chain: string }) => h.chain)).toEqual(expect.arrayContaining([a.id, b.id, 'tenant']));
    expect(made.root).toBe(checkpointRoot(expected));
    expect([made.chains, made.events]).toEqual([payload.chains, payload.events]);

    const written = checkpointFile(made.id);
    expect(path.basename(written)).toBe(`${made.createdAt.replace(/:/g, '-')}-${made.id}.jws`);
    expect(readFileSync(written, 'utf8').trim()).toBe(made.jws);
    expect((await t.gql(await t.token(Role.DPO), `{ verifyTenantAuditTrail { valid } }`)).data.verifyTenantAuditTrail.valid).toBe(true);
  });

  test('auditCheckpoints pages newest first for DPO, COMPLIANCE_OFFICER and ADMIN; AGENT is refused; another tenant sees none of them', async () => {
    const first = await checkpoint();
    const second = await checkpoint();
    for (const role of [Role.DPO, Role.COMPLIANCE_OFFICER, Role.ADMIN]) {
      const page1 = await t.gql(await t.token(role), LIST, { first: 1 });
      expect(page1.errors).toBeUndefined();
      expect(page1.data.auditCheckpoints.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([second.id]);
      expect(page1.data.auditCheckpoints.pageInfo.hasNextPage).toBe(true);
      const page2 = await t.gql(await t.token(role), LIST, { first: 1, after: page1.data.auditCheckpoints.pageInfo.endCursor });
      expect(page2.data.auditCheckpoints.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([first.id]);
    }
    expect(errorCode(await t.gql(await t.token(Role.AGENT), LIST, {}))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(await t.token(Role.DPO), CREATE))).toBe('FORBIDDEN');
    expect((await t.gql(await t.token(Role.DPO, { tid: 'hooli' }), LIST, {})).data.auditCheckpoints.edges).toEqual([]);
    expect(errorCode(await t.gql(await t.token(Role.DPO), LIST, { after: 'bogus' }))).toBe('BAD_USER_INPUT');
  });

  test('the hourly run makes one checkpoint per tenant and hour however many workers race, and none when no chain moved', async () => {
    await file('umbrella');
    const log = createLogger('silent');
    const hour = new Date('2031-05-05T10:00:00Z');
    const count = async () => (await t.sql(`SELECT count(*)::int AS n FROM audit_checkpoints WHERE tenant_id = 'umbrella'`))[0].n;

    await Promise.all([
      createScheduledCheckpoints(t.dataSource, log, new Date(hour.getTime() + 1_000)),
      createScheduledCheckpoints(t.dataSource, log, new Date(hour.getTime() + 2_000)),
    ]);
    expect(await count()).toBe(1);
    await createScheduledCheckpoints(t.dataSource, log, new Date(hour.getTime() + 3_599_000));
    expect(await count()).toBe(1);
    const [row] = await t.sql(`SELECT period, jws FROM audit_checkpoints WHERE tenant_id = 'umbrella'`);
    expect(row.period.toISOString()).toBe(hour.toISOString());
    expect(decodeProtectedHeader(row.jws).kid).toBe('cp-key');

    await createScheduledCheckpoints(t.dataSource, log, new Date(hour.getTime() + 3_600_000)); // next hour, nothing moved
    expect(await count()).toBe(1);
    await file('umbrella');
    await createScheduledCheckpoints(t.dataSource, log, new Date(hour.getTime() + 7_200_000));
    expect(await count()).toBe(2);
    const actions = await t.sql(`SELECT action, actor_id, changes FROM audit_events WHERE tenant_id = 'umbrella' AND complaint_id IS NULL ORDER BY sequence`);
    expect(actions).toEqual([
      { action: 'AUDIT_CHECKPOINT_CREATED', actor_id: null, changes: expect.objectContaining({ scheduled: true }) },
      { action: 'AUDIT_CHECKPOINT_CREATED', actor_id: null, changes: expect.objectContaining({ scheduled: true }) },
    ]);
    expect(readdirSync(path.join(checkpointDir, 'umbrella'))).toHaveLength(2);
  });
});

test('the worker runs the hourly checkpoint task from its crontab', async () => {
  await file('wayne');
  const log = createLogger('silent');
  const worker = await startSlaWorker(t.dataSource, t.databaseUrl, log, { evidence: evidenceKeysOf(t.dataSource), pollInterval: 100 });
  try {
    await t.sql(`SELECT graphile_worker.add_job('audit_checkpoint', '{}'::json)`); // what the crontab enqueues at minute 0
    let rows: { period: Date }[] = [];
    for (let i = 0; i < 100 && rows.length === 0; i++) {
      rows = await t.sql(`SELECT period FROM audit_checkpoints WHERE tenant_id = 'wayne'`);
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).toHaveLength(1);
    expect(rows[0].period.getTime() % 3_600_000).toBe(0);
  } finally {
    await worker.stop();
  }
});

describe('cover-ups after a checkpoint are reported by verifyAuditTrail and by verify-evidence --checkpoint', () => {
  let cases: { id: string }[];
  let made: { id: string };
  let lengths: Map<string, number>;

  beforeAll(async () => {
    const dpo = await t.token(Role.DPO);
    cases = [];
    for (let i = 0; i < 6; i++) {
      const c = await file();
      await t.gql(dpo, `mutation ($id: ID!) { acknowledgeComplaint(id: $id) { id } }`, { id: c.id });
      await t.gql(dpo, `mutation ($id: ID!) { addNote(complaintId: $id, body: "called back") { id } }`, { id: c.id });
      cases.push(c);
    }
    lengths = new Map();
    for (const c of cases) lengths.set(c.id, (await events(c.id)).length);
    made = await checkpoint();
  });

  test('before any tampering every trail verifies, each event signed by the evidence key, and a bundle matches the checkpoint kept outside', async () => {
    const c = cases[4];
    expect(await verify(c.id)).toEqual({ valid: true, eventsChecked: lengths.get(c.id), brokenAtSequence: null });
    for (const e of await events(c.id)) {
      const { payload, protectedHeader } = await compactVerify(e.signature!, createLocalJWKSet(jwks));
      expect(protectedHeader).toEqual({ alg: 'EdDSA', kid: 'cp-key', typ: 'audit-event' });
      expect(JSON.parse(Buffer.from(payload).toString('utf8'))).toEqual({ hash: e.hash });
    }
    const cli = await verifyEvidenceCli([await bundleOf(c.id), '--checkpoint', checkpointFile(made.id), '--jwks', jwksFile]);
    expect(cli.stdout).toMatch(new RegExp(`checkpoint ${made.id} holds at sequence ${lengths.get(c.id)}`));
    expect(cli.code).toBe(0);
  });

  test('(1) delete the tail and move the head back: reported at the first sequence missing since the checkpoint', async () => {
    const c = cases[0];
    const n = lengths.get(c.id)!;
    await asOwnerWithoutTriggers(async () => {
      await t.sql('DELETE FROM audit_events WHERE complaint_id = $1 AND sequence > $2', [c.id, n - 2]);
      const [last] = await t.sql('SELECT hash FROM audit_events WHERE complaint_id = $1 AND sequence = $2', [c.id, n - 2]);
      await t.sql('UPDATE complaints SET audit_head_sequence = $2, audit_head_hash = $3 WHERE id = $1', [c.id, n - 2, last.hash]);
    });
    expect(await verify(c.id)).toEqual({ valid: false, eventsChecked: n - 2, brokenAtSequence: n - 1 });

    const cli = await verifyEvidenceCli([await bundleOf(c.id), '--checkpoint', checkpointFile(made.id), '--jwks', jwksFile]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`FAIL checkpoint mismatch: the checkpoint signed event ${n}, the bundle's trail has no such event`);
  });

  test('(2) rewrite event 2 and recompute every later hash and the head: event 2 no longer carries the signature of its hash, and the checkpoint differs', async () => {
    const c = cases[1];
    const n = lengths.get(c.id)!;
    await asOwnerWithoutTriggers(async () => {
      const rows = await events(c.id);
      rows[1].changes = { ...rows[1].changes, rewritten: { from: null, to: 'by the owner' } };
      await rehash(c.id, rows);
    });
    expect(await verify(c.id)).toEqual({ valid: false, eventsChecked: 2, brokenAtSequence: 2 });

    const cli = await verifyEvidenceCli([await bundleOf(c.id), '--checkpoint', checkpointFile(made.id), '--jwks', jwksFile]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`FAIL event 2 bad signature`);
    expect(cli.stdout).not.toContain(`FAIL event 1 `);
    expect(cli.stdout).toContain(`FAIL checkpoint mismatch: event ${n} differs from the checkpoint's hash`);
    expect(cli.stdout).toContain(`FAIL audit trail broken at sequence 2 (checked against checkpoint ${made.id})`);
  });

  /** As an attacker holding the app role's credentials: the next link, hashed the service's way. */
  async function appendAsAppRole(complaintId: string, signature: (hash: string) => Promise<string | null>): Promise<number> {
    const [last] = await events(complaintId).then((rows) => rows.slice(-1));
    const fake = {
      id: randomUUID(),
      tenantId: 'acme',
      complaintId,
      sequence: last.sequence + 1,
      action: 'NOTE_ADDED',
      actorId: 'acme-dpo',
      actorRole: 'DPO',
      at: new Date(),
      changes: {},
      requestId: null,
    };
    const hash = chainHash(last.hash, fake);
    await t.sql('BEGIN');
    try {
      await t.sql(`SELECT set_config('role', 'cms_app', true), set_config('app.tenant_id', 'acme', true)`);
      await t.sql(
        `INSERT INTO audit_events (id, tenant_id, complaint_id, chain_id, sequence, action, actor_id, actor_role, at, changes, request_id, prev_hash, hash, signature)
         VALUES ($1, $2, $3::uuid, $3::text, $4, $5, $6, $7, $8, '{}', NULL, $9, $10, $11)`,
        [fake.id, fake.tenantId, complaintId, fake.sequence, fake.action, fake.actorId, fake.actorRole, fake.at, last.hash, hash, await signature(hash)],
      );
      await t.sql('COMMIT');
    } catch (error) {
      await t.sql('ROLLBACK');
      throw error;
    }
    return fake.sequence;
  }

  test('(3) an event appended by the app role past the head, correctly linked and hashed, is reported: unsigned, or signed by anyone but the evidence key', async () => {
    const c = cases[2];
    const n = lengths.get(c.id)!;
    // The database admits it as the head's next link (it moves the head itself) ...
    expect(await appendAsAppRole(c.id, async () => null)).toBe(n + 1);
    const trail = await events(c.id);
    expect(trail.map((e) => e.sequence)).toEqual(Array.from({ length: n + 1 }, (_, i) => i + 1));
    // ... but without the evidence key it cannot be the service's: reported by its sequence.
    expect(await verify(c.id)).toEqual({ valid: false, eventsChecked: n + 1, brokenAtSequence: n + 1 });
    const bundle = await bundleOf(c.id);
    const cli = await verifyEvidenceCli([bundle, '--checkpoint', checkpointFile(made.id), '--jwks', jwksFile]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`FAIL event ${n + 1} is not signed`);
    expect(cli.stdout).toContain(`FAIL audit trail broken at sequence ${n + 1} (checked against checkpoint ${made.id})`);
    expect(cli.stdout).not.toContain('checkpoint mismatch'); // what the checkpoint signed still holds: the signature is what catches it

    // Signed with a key of the attacker's own under the service's kid, or with a signature
    // copied from the service's previous event: neither is the evidence key's over this hash.
    const d = cases[5];
    const m = lengths.get(d.id)!;
    const { privateKey } = await generateKeyPair('Ed25519');
    const forged = (hash: string) =>
      new CompactSign(Buffer.from(JSON.stringify({ hash }))).setProtectedHeader({ alg: 'EdDSA', kid: 'cp-key', typ: 'audit-event' }).sign(privateKey);
    await appendAsAppRole(d.id, forged);
    const copied = (await events(d.id)).at(-1)!.signature;
    await appendAsAppRole(d.id, async () => copied);
    expect(await verify(d.id)).toEqual({ valid: false, eventsChecked: m + 1, brokenAtSequence: m + 1 });
    const both = await verifyEvidenceCli([await bundleOf(d.id), '--jwks', jwksFile]);
    expect(both.code).toBe(1);
    expect(both.stdout).toContain(`FAIL event ${m + 1} bad signature`);
    expect(both.stdout).toContain(`FAIL event ${m + 2} bad signature`);
    expect(both.stdout).toContain(`FAIL audit trail broken at sequence ${m + 1}`);
  });

  test('(4) wipe the trail and rebuild a shorter valid chain with a new head, the old signatures copied: reported at its first event, and at the first sequence missing since the checkpoint', async () => {
    const c = cases[3];
    const n = lengths.get(c.id)!;
    await asOwnerWithoutTriggers(async () => {
      const rows = (await events(c.id)).slice(0, 2);
      await t.sql('DELETE FROM audit_events WHERE complaint_id = $1', [c.id]);
      let prev: string | null = null;
      for (const [i, r] of rows.entries()) {
        const reset = { ...r, id: `00000000-0000-4000-8000-00000000000${i + 1}`, changes: { reset: true } };
        const hash = chainHash(prev, asHashed(reset));
        await t.sql(
          `INSERT INTO audit_events (id, tenant_id, complaint_id, chain_id, sequence, action, actor_id, actor_role, at, changes, request_id, prev_hash, hash, signature)
           VALUES ($1, $2, $3::uuid, $3::text, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
          [
            reset.id,
            r.tenant_id,
            c.id,
            r.sequence,
            r.action,
            r.actor_id,
            r.actor_role,
            r.at,
            JSON.stringify(reset.changes),
            r.request_id,
            prev,
            hash,
            r.signature,
          ],
        );
        prev = hash;
      }
      await t.sql('UPDATE complaints SET audit_head_sequence = 2, audit_head_hash = $2 WHERE id = $1', [c.id, prev]);
    });
    expect(await verify(c.id)).toEqual({ valid: false, eventsChecked: 1, brokenAtSequence: 1 });

    const bundle = await bundleOf(c.id);
    const cli = await verifyEvidenceCli([bundle, '--checkpoint', checkpointFile(made.id), '--jwks', jwksFile]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`FAIL event 1 bad signature`);
    expect(cli.stdout).toContain(`FAIL event 2 bad signature`);
    expect(cli.stdout).toContain(`FAIL checkpoint mismatch: the checkpoint signed event ${n}, the bundle's trail has no such event`);
    // Even without the file, the bundle says what the service found.
    const alone = await verifyEvidenceCli([bundle, '--jwks', jwksFile]);
    expect(alone.code).toBe(1);
    expect(alone.stdout).toContain(`FAIL audit trail broken at sequence 1 (checked against checkpoint ${made.id})`);
  });
});

describe('chains written before audit events were signed', () => {
  /** A chain as the migration AuditEventSignatures found it: its events unsigned, signing to start after them. */
  async function legacyCase(): Promise<{ id: string; n: number }> {
    const c = await file();
    const n = (await events(c.id)).length;
    await asOwnerWithoutTriggers(async () => {
      await t.sql('UPDATE audit_events SET signature = NULL WHERE complaint_id = $1', [c.id]);
      await t.sql(`INSERT INTO audit_signing_starts (tenant_id, chain_id, first_signed_sequence) VALUES ('acme', $1, $2)`, [c.id, n + 1]);
    });
    return { id: c.id, n };
  }

  test('its unsigned events verify and the service signs from the next one on; an unsigned event appended after them by the app role is reported', async () => {
    const { id, n } = await legacyCase();
    expect(await verify(id)).toEqual({ valid: true, eventsChecked: n, brokenAtSequence: null });
    await t.gql(await t.token(Role.DPO), `mutation ($id: ID!) { addNote(complaintId: $id, body: "after the upgrade") { id } }`, { id });
    expect((await events(id)).map((e) => e.signature !== null)).toEqual([...Array<boolean>(n).fill(false), true]);
    expect(await verify(id)).toEqual({ valid: true, eventsChecked: n + 1, brokenAtSequence: null });
    const cli = await verifyEvidenceCli([await bundleOf(id), '--jwks', jwksFile]);
    expect(cli.code).toBe(0);

    const [last] = (await events(id)).slice(-1);
    const fake = { ...asHashed(last), id: randomUUID(), sequence: n + 2, changes: {} };
    await t.sql('BEGIN');
    await t.sql(`SELECT set_config('role', 'cms_app', true), set_config('app.tenant_id', 'acme', true)`);
    await t.sql(
      `INSERT INTO audit_events (id, tenant_id, complaint_id, chain_id, sequence, action, actor_id, actor_role, at, changes, request_id, prev_hash, hash)
       VALUES ($1, 'acme', $2::uuid, $2::text, $3, $4, $5, $6, $7, '{}', $8, $9, $10)`,
      [fake.id, id, fake.sequence, fake.action, fake.actorId, fake.actorRole, fake.at, fake.requestId, last.hash, chainHash(last.hash, fake)],
    );
    await t.sql('COMMIT');
    expect(await verify(id)).toEqual({ valid: false, eventsChecked: n + 2, brokenAtSequence: n + 2 });
    const after = await verifyEvidenceCli([await bundleOf(id), '--jwks', jwksFile]);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain(`FAIL event ${n + 2} is not signed`);
  });

  test('the app role can neither record nor move where signing starts', async () => {
    const { id, n } = await legacyCase();
    for (const statement of [
      [`INSERT INTO audit_signing_starts (tenant_id, chain_id, first_signed_sequence) VALUES ('acme', $1, 1000)`, [randomUUID()]],
      [`UPDATE audit_signing_starts SET first_signed_sequence = 1000 WHERE chain_id = $1`, [id]],
      [`DELETE FROM audit_signing_starts WHERE chain_id = $1`, [id]],
    ] as const) {
      await t.sql('BEGIN');
      const refused = await t
        .sql(`SELECT set_config('role', 'cms_app', true), set_config('app.tenant_id', 'acme', true)`)
        .then(() => t.sql(statement[0], [...statement[1]]))
        .then(
          () => null,
          (error: { code?: string }) => error.code,
        );
      await t.sql('ROLLBACK');
      expect(refused).toBe('42501');
    }
    expect(await t.sql('SELECT first_signed_sequence FROM audit_signing_starts WHERE chain_id = $1', [id])).toEqual([{ first_signed_sequence: n + 1 }]);
  });
});
