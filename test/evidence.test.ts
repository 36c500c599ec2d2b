import { compactVerify, createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, CompactSign, JWK } from 'jose';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Role } from '../src/auth/roles';
import { ConfigError, loadConfig } from '../src/config';
import { DEV_KEY_FILE, loadEvidenceKeys } from '../src/evidence/keys';
import { createDataSource } from '../src/db/data-source';
import { createApp } from '../src/http/app';
import { createLogger } from '../src/logger';
import { ensureBuilt, verifyEvidenceCli } from './support/cli';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { startTestApp, TEST_SECRET, TestApp, textBody } from './support/harness';

/** SPEC §7 evidence bundles: a signed JWS of one case that an auditor checks offline. */
const OTHER_TENANT = 'globex';

let t: TestApp;
let work: string;
let signingKey: JWK;
let jwksFile: string;

async function ed25519Jwk(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid };
}

beforeAll(async () => {
  ensureBuilt();
  work = mkdtempSync(path.join(tmpdir(), 'evidence-'));
  signingKey = await ed25519Jwk('evidence-2026-12');
  t = await startTestApp({ EVIDENCE_SIGNING_KEY: JSON.stringify(signingKey) });
  const jwks = await t.http().get('/.well-known/jwks.json');
  jwksFile = path.join(work, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify(jwks.body));
}, 180_000);
afterAll(async () => {
  await t?.close();
  rmSync(work, { recursive: true, force: true });
});

async function file(input: Record<string, unknown> = complaintInput(), tid = 'acme'): Promise<{ id: string; reference: string }> {
  const res = await t.gql(await t.token(Role.AGENT, { tid }), FILE_COMPLAINT, { input });
  expect(res.errors).toBeUndefined();
  return res.data.fileComplaint;
}

async function download(id: string, bearer: string | null) {
  const req = t.http().get(`/complaints/${id}/evidence`);
  if (bearer) req.set('authorization', `Bearer ${bearer}`);
  const res = await req.buffer(true).parse(textBody);
  return { status: res.status, type: res.headers['content-type'] as string, text: res.body as string };
}

const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8'));
const withPayload = (jws: string, payload: unknown) => {
  const [header, , signature] = jws.split('.');
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
};

function saved(name: string, content: string): string {
  const target = path.join(work, name);
  writeFileSync(target, content);
  return target;
}

describe('GET /complaints/{id}/evidence', () => {
  test('a DPO downloads a compact JWS (EdDSA, kid) of the case, its history, timers, whole trail and verification, recorded on the tenant chain', async () => {
    const complaint = await file();
    const dpo = await t.token(Role.DPO);
    await t.gql(dpo, `mutation ($id: ID!) { acknowledgeComplaint(id: $id) { id } }`, { id: complaint.id });

    const res = await download(complaint.id, dpo);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/jose/);
    expect(res.text).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(decodeProtectedHeader(res.text)).toMatchObject({ alg: 'EdDSA', kid: 'evidence-2026-12', typ: 'evidence-bundle' });
    const { payload } = await compactVerify(res.text, createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8'))));
    const bundle = JSON.parse(Buffer.from(payload).toString('utf8'));

    expect(bundle.complaint).toMatchObject({
      id: complaint.id,
      reference: complaint.reference,
      complainant: { name: 'Eva Example', email: 'eva@example.com' },
    });
    expect(bundle.stageHistory).toEqual([expect.objectContaining({ from: null, to: 'INTERNAL_DPO' })]);
    expect(bundle.slaTimers.length).toBeGreaterThan(0);
    expect(bundle.slaTimers[0]).toEqual(expect.objectContaining({ kind: expect.any(String), status: expect.any(String), dueAt: expect.any(String) }));
    const trail = await t.sql('SELECT sequence, action, hash FROM audit_events WHERE complaint_id = $1 ORDER BY sequence', [complaint.id]);
    expect(bundle.auditTrail.map((e: { sequence: number }) => e.sequence)).toEqual(trail.map((_, i) => i + 1));
    expect(bundle.auditTrail.map((e: { hash: string }) => e.hash)).toEqual(trail.map((e) => e.hash));
    expect(bundle.auditTrail[1]).toEqual(
      expect.objectContaining({
        action: trail[1].action,
        at: expect.any(String),
        actorId: expect.anything(),
        changes: expect.any(Object),
        prevHash: trail[0].hash,
      }),
    );
    // Each event carries the evidence key's signature of its hash, as stored (issue 11).
    const signatures = await t.sql('SELECT signature FROM audit_events WHERE complaint_id = $1 ORDER BY sequence', [complaint.id]);
    expect(bundle.auditTrail.map((e: { signature: string }) => e.signature)).toEqual(signatures.map((e) => e.signature));
    expect(bundle.auditSignedFrom).toBe(1);
    for (const e of bundle.auditTrail as { hash: string; signature: string }[]) {
      const signed = await compactVerify(e.signature, createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8'))));
      expect(signed.protectedHeader).toEqual({ alg: 'EdDSA', kid: 'evidence-2026-12', typ: 'audit-event' });
      expect(JSON.parse(Buffer.from(signed.payload).toString('utf8'))).toEqual({ hash: e.hash });
    }
    expect(bundle.verification).toEqual({ valid: true, eventsChecked: trail.length, brokenAtSequence: null });
    expect(bundle.generatedBy).toEqual({ userId: 'acme-dpo', roles: ['DPO'] });
    expect(Date.parse(bundle.generatedAt)).toBeGreaterThan(Date.now() - 60_000);

    const [recorded] = await t.sql(
      `SELECT actor_id, at, changes FROM audit_events WHERE complaint_id IS NULL AND tenant_id = 'acme' AND action = 'EVIDENCE_BUNDLE_DOWNLOADED' ORDER BY sequence DESC LIMIT 1`,
    );
    expect(recorded).toMatchObject({ actor_id: 'acme-dpo', changes: { complaintId: complaint.id, reference: complaint.reference } });
    expect(recorded.at.toISOString()).toBe(bundle.generatedAt);
    const tenantTrail = await t.gql(dpo, `{ verifyTenantAuditTrail { valid } }`);
    expect(tenantTrail.data.verifyTenantAuditTrail.valid).toBe(true);
  });

  test('downloads at the same time all succeed, each recorded once on the tenant chain, which stays valid', async () => {
    const complaint = await file();
    const before = await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'EVIDENCE_BUNDLE_DOWNLOADED'`);
    const tokens = await Promise.all([Role.DPO, Role.COMPLIANCE_OFFICER, Role.DPO, Role.COMPLIANCE_OFFICER, Role.DPO, Role.DPO].map((r) => t.token(r)));
    const results = await Promise.all(tokens.map((bearer) => download(complaint.id, bearer)));
    expect(results.map((r) => r.status)).toEqual(tokens.map(() => 200));
    const after = await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'EVIDENCE_BUNDLE_DOWNLOADED'`);
    expect(after[0].n - before[0].n).toBe(tokens.length);
    expect((await t.gql(await t.token(Role.DPO), `{ verifyTenantAuditTrail { valid } }`)).data.verifyTenantAuditTrail.valid).toBe(true);
  });

  test('npm run verify-evidence accepts an untouched bundle (exit 0) with no database or server', async () => {
    const complaint = await file();
    const bundle = await download(complaint.id, await t.token(Role.DPO));

    const cli = await verifyEvidenceCli([saved('good.jws', bundle.text), '--jwks', jwksFile]);
    expect(cli.stdout).toMatch(new RegExp(`^valid: ${complaint.reference}`));
    expect(cli.code).toBe(0);
  });

  test('one flipped byte of the payload fails the signature; an edited event also names the event whose hash no longer holds (exit 1)', async () => {
    const complaint = await file();
    const { text } = await download(complaint.id, await t.token(Role.DPO));

    const [header, payload, signature] = text.split('.');
    const bytes = Buffer.from(payload, 'base64url');
    bytes[bytes.indexOf('"reference"') + 14] ^= 0x01; // one byte inside the reference
    const flipped = await verifyEvidenceCli([saved('flipped.jws', `${header}.${bytes.toString('base64url')}.${signature}`), '--jwks', jwksFile]);
    expect(flipped.code).toBe(1);
    expect(flipped.stdout).toMatch(/bundle: bad signature/);

    const edited = payloadOf(text);
    edited.auditTrail[1].at = new Date(Date.parse(edited.auditTrail[1].at) - 86_400_000).toISOString();
    const rewritten = await verifyEvidenceCli([saved('edited.jws', withPayload(text, edited)), '--jwks', jwksFile]);
    expect(rewritten.code).toBe(1);
    expect(rewritten.stdout.split('\n')).toEqual(expect.arrayContaining([expect.stringMatching(/bundle: bad signature/), 'FAIL event 2 hash mismatch']));

    const gap = payloadOf(text);
    gap.auditTrail.splice(1, 1);
    const missing = await verifyEvidenceCli([saved('gap.jws', withPayload(text, gap)), '--jwks', jwksFile]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('FAIL missing sequence 2');

    const unsigned = payloadOf(text);
    unsigned.auditTrail[1].signature = null;
    unsigned.auditTrail[2].signature = unsigned.auditTrail[0].signature;
    const stripped = await verifyEvidenceCli([saved('unsigned.jws', withPayload(text, unsigned)), '--jwks', jwksFile]);
    expect(stripped.code).toBe(1);
    expect(stripped.stdout).toContain('FAIL event 2 is not signed');
    expect(stripped.stdout).toContain('FAIL event 3 bad signature');
    expect(stripped.stdout).not.toContain('FAIL event 1 ');
  });

  test('a bundle re-signed with another key under the same kid is refused', async () => {
    const complaint = await file();
    const { text } = await download(complaint.id, await t.token(Role.DPO));
    const forged = await new CompactSign(Buffer.from(JSON.stringify(payloadOf(text))))
      .setProtectedHeader({ alg: 'EdDSA', kid: 'evidence-2026-12', typ: 'evidence-bundle' })
      .sign((await generateKeyPair('Ed25519')).privateKey);

    const cli = await verifyEvidenceCli([saved('forged.jws', forged), '--jwks', jwksFile]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/bundle: bad signature/);
  });

  test("a COMPLIANCE_OFFICER's bundle masks the complainant's PII; a child's case masks it for everyone but the DPO", async () => {
    const complaint = await file(complaintInput({ complainant: { phone: '+49 30 1234567' } }));
    const officer = payloadOf((await download(complaint.id, await t.token(Role.COMPLIANCE_OFFICER))).text);
    expect(officer.complaint.complainant).toEqual({ name: '***', email: '***', phone: '***', involvesChildUnder13: false, erasedAt: null });
    expect(officer.generatedBy).toEqual({ userId: 'acme-compliance_officer', roles: ['COMPLIANCE_OFFICER'] });
    expect(JSON.stringify(officer)).not.toMatch(/Eva Example|eva@example\.com|1234567/);

    const child = await file(complaintInput({ complainant: { name: 'Tilly Tiny', involvesChildUnder13: true } }));
    expect(payloadOf((await download(child.id, await t.token(Role.COMPLIANCE_OFFICER))).text).complaint.complainant.name).toBe('***');
    expect(payloadOf((await download(child.id, await t.token(Role.DPO))).text).complaint.complainant.name).toBe('Tilly Tiny');
  });

  test('refusals are JSON: no token 401, AGENT or ADMIN 403, another tenant or unknown id 404, a non-uuid 404; none is recorded', async () => {
    const complaint = await file();
    const foreign = await file(complaintInput(), OTHER_TENANT);
    const before = await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'EVIDENCE_BUNDLE_DOWNLOADED'`);
    const cases: [string, string | null, number, string][] = [
      [complaint.id, null, 401, 'UNAUTHENTICATED'],
      [complaint.id, 'not-a-jwt', 401, 'UNAUTHENTICATED'],
      [complaint.id, await t.token(Role.AGENT), 403, 'FORBIDDEN'],
      [complaint.id, await t.token(Role.ADMIN), 403, 'FORBIDDEN'],
      [foreign.id, await t.token(Role.DPO), 404, 'NOT_FOUND'],
      ['00000000-0000-4000-8000-000000000000', await t.token(Role.DPO), 404, 'NOT_FOUND'],
      ['PC-2026-000001', await t.token(Role.DPO), 404, 'NOT_FOUND'],
    ];
    for (const [id, bearer, status, code] of cases) {
      const req = t.http().get(`/complaints/${id}/evidence`);
      if (bearer) req.set('authorization', `Bearer ${bearer}`);
      const res = await req;
      expect([id, bearer ? 'token' : 'none', res.status, res.type, res.body.errors?.[0]?.extensions?.code]).toEqual([
        id,
        bearer ? 'token' : 'none',
        status,
        'application/json',
        code,
      ]);
    }
    expect(await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'EVIDENCE_BUNDLE_DOWNLOADED'`)).toEqual(before);
  });
});

describe('the evidence key', () => {
  test('/.well-known/jwks.json publishes the public key with its kid, without a token and without the private part', async () => {
    const res = await t.http().get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: signingKey.x, kid: 'evidence-2026-12', alg: 'EdDSA', use: 'sig' }] });
  });

  test('after rotation the old key is still published and an old bundle still verifies, also against the JWKS URL', async () => {
    const complaint = await file();
    const oldBundle = saved('old.jws', (await download(complaint.id, await t.token(Role.DPO))).text);

    // The same database served by a second replica configured after the rotation.
    const { d: _d, ...oldPublic } = signingKey;
    const config = {
      ...loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent' }),
      EVIDENCE_SIGNING_KEY: JSON.stringify(await ed25519Jwk('evidence-2027-01')),
      EVIDENCE_PUBLIC_KEYS: JSON.stringify([oldPublic]),
    };
    const dataSource = createDataSource(t.databaseUrl, { poolSize: 2 });
    await dataSource.initialize();
    const rotated = await createApp({ config, dataSource, log: createLogger('silent') });
    try {
      await new Promise<void>((resolve) => rotated.httpServer.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(rotated.httpServer.address() as AddressInfo).port}/.well-known/jwks.json`;
      const jwks = (await request(rotated.httpServer).get('/.well-known/jwks.json')).body;
      expect(jwks.keys.map((k: JWK) => k.kid)).toEqual(['evidence-2027-01', 'evidence-2026-12']);

      const cli = await verifyEvidenceCli([oldBundle, '--jwks', url]);
      expect(cli.stdout).toMatch(/^valid: .* signed by key evidence-2026-12/);
      expect(cli.code).toBe(0);
    } finally {
      await rotated.stop();
      await dataSource.destroy();
    }
    // Without the old key in the set, the same bundle fails by name.
    const withoutOld = saved('new-only.jwks', JSON.stringify({ keys: [{ ...(await ed25519Jwk('evidence-2027-01')), d: undefined }] }));
    const refused = await verifyEvidenceCli([oldBundle, '--jwks', withoutOld]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/bundle: bad signature/);
  });

  test('with no EVIDENCE_SIGNING_KEY a development key is created once under DATA_DIR and reused on the next start; its kid is the RFC 7638 thumbprint', async () => {
    const dataDir = path.join(work, 'data');
    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir });
    const log = createLogger('silent');
    const [first, second] = await Promise.all([loadEvidenceKeys(config, log), loadEvidenceKeys(config, log)]);
    const third = await loadEvidenceKeys(config, log);
    expect(second.kid).toBe(first.kid);
    expect(third.kid).toBe(first.kid);
    expect(first.kid).toMatch(/^[\w-]{43}$/);
    const stored = JSON.parse(readFileSync(path.join(dataDir, DEV_KEY_FILE), 'utf8'));
    expect(stored).toMatchObject({ kty: 'OKP', crv: 'Ed25519', d: expect.any(String), kid: first.kid });
  });

  test('EVIDENCE_SIGNING_KEY and EVIDENCE_PUBLIC_KEYS are validated at start with a message naming them', async () => {
    const { d: _d, ...publicOnly } = await ed25519Jwk('k');
    const attempts = [
      { EVIDENCE_SIGNING_KEY: 'not json' },
      { EVIDENCE_SIGNING_KEY: JSON.stringify(publicOnly) },
      { EVIDENCE_SIGNING_KEY: JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }) },
      { EVIDENCE_PUBLIC_KEYS: JSON.stringify([signingKey]) },
      { EVIDENCE_PUBLIC_KEYS: '{}' },
    ];
    for (const env of attempts) {
      const name = Object.keys(env)[0];
      expect(() => loadConfig({ NODE_ENV: 'test', ...env })).toThrow(ConfigError);
      expect(() => loadConfig({ NODE_ENV: 'test', ...env })).toThrow(new RegExp(`${name}: must be`));
    }
    expect(
      loadConfig({ NODE_ENV: 'test', EVIDENCE_SIGNING_KEY: JSON.stringify(signingKey), EVIDENCE_PUBLIC_KEYS: JSON.stringify([publicOnly]) })
        .EVIDENCE_SIGNING_KEY,
    ).toBeDefined();
  });
});
