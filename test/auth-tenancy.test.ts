import { exportJWK, generateKeyPair, JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '../src/auth/roles';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { errorCode, GqlResult, startTestApp, TEST_SECRET, TestApp } from './support/harness';

const ME = `{ me { tenantId roles user { id name email roles } } }`;
const USERS = `{ users { id name email roles } }`;
const COMPLAINT = `query ($id: ID!) { complaint(id: $id) { id reference complainant { name email phone involvesChildUnder13 } } }`;
const BY_REFERENCE = `query ($reference: String!) { complaintByReference(reference: $reference) { id } }`;
const SEARCH = `query ($search: String!) { complaints(filter: { search: $search }) { totalCount edges { node { id } } } }`;
const AUDIT_TRAIL = `query ($id: ID!) { auditTrail(complaintId: $id) { edges { node { sequence } } } }`;
const VERIFY = `query ($id: ID!) { verifyAuditTrail(complaintId: $id) { valid eventsChecked brokenAtSequence } }`;

const hmacKey = (secret: string) => new TextEncoder().encode(secret);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An HS256 token with exactly the claims given (no defaults added). */
function hs256(payload: JWTPayload, secret = TEST_SECRET, expiresAt: number = nowSeconds() + 3600): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().setExpirationTime(expiresAt).sign(hmacKey(secret));
}

function expectUnauthenticated(res: GqlResult): void {
  expect(res.status).toBe(401);
  expect(errorCode(res)).toBe('UNAUTHENTICATED');
  expect(res.data ?? null).toBeNull();
}

async function fileAs(t: TestApp, token: string, input: Record<string, unknown>): Promise<{ id: string; reference: string }> {
  const res = await t.gql(token, FILE_COMPLAINT, { input });
  expect(res.errors).toBeUndefined();
  return res.data.fileComplaint;
}

async function rowCount(t: TestApp, table: string): Promise<number> {
  const [row] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row.n;
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('authentication', () => {
  const postMe = (headers: Record<string, string>) => {
    const req = t.http().post('/graphql').set('content-type', 'application/json');
    for (const [name, value] of Object.entries(headers)) req.set(name, value);
    return req.send({ query: ME }).then((res) => ({ status: res.status, data: res.body?.data, errors: res.body?.errors, body: res.body }) as GqlResult);
  };

  test('a request without an Authorization header is UNAUTHENTICATED (401)', async () => {
    expectUnauthenticated(await postMe({}));
  });

  test.each([
    ['a Basic scheme', 'Basic dXNlcjpwYXNz'],
    ['a Bearer scheme with no token', 'Bearer'],
    ['a Bearer token that is not a JWT', 'Bearer not-a-jwt'],
    ['a Bearer token of three garbage segments', 'Bearer aaa.bbb.ccc'],
  ])('a malformed Authorization header (%s) is UNAUTHENTICATED (401)', async (_label, header) => {
    expectUnauthenticated(await postMe({ authorization: header }));
  });

  const badTokens: [string, () => Promise<string>][] = [
    ['an expired token', () => hs256({ sub: 'u1', tid: 'ghost-expired', roles: ['DPO'] }, TEST_SECRET, nowSeconds() - 60)],
    ['a token signed with another secret', () => hs256({ sub: 'u1', tid: 'ghost-secret', roles: ['DPO'] }, 'another-secret-0123456789abcdef0123456789')],
    [
      'an unsigned token (alg none)',
      async () => new UnsecuredJWT({ sub: 'u1', tid: 'ghost-none', roles: ['DPO'] }).setIssuedAt().setExpirationTime('1h').encode(),
    ],
    ['a token without tid', () => hs256({ sub: 'u1', roles: ['DPO'] })],
    ['a token without roles', () => hs256({ sub: 'u1', tid: 'ghost-noroles' })],
    ['a token with an empty roles list', () => hs256({ sub: 'u1', tid: 'ghost-emptyroles', roles: [] })],
    ['a token with an unknown role', () => hs256({ sub: 'u1', tid: 'ghost-superuser', roles: ['SUPERUSER'] })],
    ['a token without sub', () => hs256({ tid: 'ghost-nosub', roles: ['DPO'] })],
  ];
  test('a token crafted the same way with all claims valid is accepted (control for the cases below)', async () => {
    const res = await t.gql(await hs256({ sub: 'u1', tid: 'crafted-ok', roles: ['DPO'] }), ME);

    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data.me.tenantId).toBe('crafted-ok');
  });

  test.each(badTokens)('%s is UNAUTHENTICATED (401) and provisions nothing', async (_label, makeToken) => {
    const tenantsBefore = await rowCount(t, 'tenants');
    const usersBefore = await rowCount(t, 'users');
    expectUnauthenticated(await t.gql(await makeToken(), ME));
    expect(await rowCount(t, 'tenants')).toBe(tenantsBefore);
    expect(await rowCount(t, 'users')).toBe(usersBefore);
  });

  test('a valid token for a tenant never seen provisions the tenant with the tz and country claims', async () => {
    expect(await t.sql('SELECT id FROM tenants WHERE id = $1', ['fresh-berlin'])).toHaveLength(0);
    const token = await t.token(Role.AGENT, {
      tid: 'fresh-berlin',
      sub: 'ann',
      name: 'Ann Agent',
      email: 'ann@berlin.example',
      tz: 'Europe/Berlin',
      country: 'DE',
    });

    const res = await t.gql(token, ME);

    expect(res.errors).toBeUndefined();
    expect(res.data.me).toEqual({
      tenantId: 'fresh-berlin',
      roles: ['AGENT'],
      user: { id: 'ann', name: 'Ann Agent', email: 'ann@berlin.example', roles: ['AGENT'] },
    });
    expect(await t.sql('SELECT id, time_zone, holiday_country FROM tenants WHERE id = $1', ['fresh-berlin'])).toEqual([
      { id: 'fresh-berlin', time_zone: 'Europe/Berlin', holiday_country: 'DE' },
    ]);
  });

  test('a tenant provisioned from a token without tz or country runs on UTC with no holiday calendar', async () => {
    const res = await t.gql(await t.token(Role.DPO, { tid: 'fresh-utc', sub: 'dora' }), ME);

    expect(res.errors).toBeUndefined();
    expect(await t.sql('SELECT time_zone, holiday_country FROM tenants WHERE id = $1', ['fresh-utc'])).toEqual([{ time_zone: 'UTC', holiday_country: null }]);
  });

  test('the user of a valid token is provisioned and listed by users', async () => {
    const token = await t.token([Role.AGENT, Role.DPO], { tid: 'fresh-users', sub: 'zoe', name: 'Zoe Zed', email: 'zoe@users.example' });

    const res = await t.gql(token, USERS);

    expect(res.errors).toBeUndefined();
    expect(res.data.users).toEqual([{ id: 'zoe', name: 'Zoe Zed', email: 'zoe@users.example', roles: ['AGENT', 'DPO'] }]);
    expect(await t.sql('SELECT tenant_id, id, name, email, roles FROM users WHERE tenant_id = $1', ['fresh-users'])).toEqual([
      { tenant_id: 'fresh-users', id: 'zoe', name: 'Zoe Zed', email: 'zoe@users.example', roles: ['AGENT', 'DPO'] },
    ]);
  });

  test('a new name or roles in the token update the provisioned user', async () => {
    await t.gql(await t.token(Role.AGENT, { tid: 'fresh-rename', sub: 'max', name: 'Max Old' }), ME);
    const renamed = await t.token(Role.DPO, { tid: 'fresh-rename', sub: 'max', name: 'Max New', email: 'max@new.example' });

    const me = await t.gql(renamed, ME);
    const users = await t.gql(renamed, USERS);

    expect(me.data.me.user).toEqual({ id: 'max', name: 'Max New', email: 'max@new.example', roles: ['DPO'] });
    expect(users.data.users).toEqual([{ id: 'max', name: 'Max New', email: 'max@new.example', roles: ['DPO'] }]);
    expect(await t.sql('SELECT name, email, roles FROM users WHERE tenant_id = $1 AND id = $2', ['fresh-rename', 'max'])).toEqual([
      { name: 'Max New', email: 'max@new.example', roles: ['DPO'] },
    ]);
  });
});

describe('tokens from a JWKS URL (RS256, ES256)', () => {
  const ISSUER = 'https://idp.test.example/';
  const AUDIENCE = 'complaint-cms';
  let jwks: http.Server;
  let jwksUrl: string;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  let ec: Awaited<ReturnType<typeof generateKeyPair>>;
  let stranger: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    stranger = await generateKeyPair('RS256');
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    jwks = http.createServer((req, res) => {
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

  interface SignOptions {
    alg: 'RS256' | 'ES256';
    kid: string;
    key: Parameters<SignJWT['sign']>[0];
    issuer?: string;
    audience?: string;
  }
  function signed(claims: JWTPayload, { alg, kid, key, issuer = ISSUER, audience = AUDIENCE }: SignOptions): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg, kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
  }
  const rsaKey = (): SignOptions => ({ alg: 'RS256', kid: 'rsa-1', key: rsa.privateKey });
  const ecKey = (): SignOptions => ({ alg: 'ES256', kid: 'ec-1', key: ec.privateKey });

  describe('with JWT_JWKS_URL, JWT_ISSUER and JWT_AUDIENCE and no JWT_SECRET', () => {
    let j: TestApp;
    beforeAll(async () => {
      j = await startTestApp({ JWT_JWKS_URL: jwksUrl, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_SECRET: undefined });
    });
    afterAll(() => j.close());

    test('an RS256 token signed with a key of the JWKS is accepted and provisions its user', async () => {
      const res = await j.gql(await signed({ sub: 'rita', tid: 'jwks-rs', roles: ['DPO'], name: 'Rita RSA' }, rsaKey()), ME);

      expect(res.errors).toBeUndefined();
      expect(res.data.me).toEqual({ tenantId: 'jwks-rs', roles: ['DPO'], user: { id: 'rita', name: 'Rita RSA', email: null, roles: ['DPO'] } });
      expect(await j.sql('SELECT id, name FROM users WHERE tenant_id = $1', ['jwks-rs'])).toEqual([{ id: 'rita', name: 'Rita RSA' }]);
    });

    test('an ES256 token signed with a key of the JWKS is accepted', async () => {
      const res = await j.gql(await signed({ sub: 'eli', tid: 'jwks-ec', roles: ['AGENT'], name: 'Eli EC' }, ecKey()), ME);

      expect(res.errors).toBeUndefined();
      expect(res.data.me).toEqual({ tenantId: 'jwks-ec', roles: ['AGENT'], user: { id: 'eli', name: 'Eli EC', email: null, roles: ['AGENT'] } });
    });

    test('an RS256 token from the wrong issuer is UNAUTHENTICATED', async () => {
      expectUnauthenticated(await j.gql(await signed({ sub: 'rita', tid: 'jwks-rs', roles: ['DPO'] }, { ...rsaKey(), issuer: 'https://evil.example/' }), ME));
    });

    test('an ES256 token for another audience is UNAUTHENTICATED', async () => {
      expectUnauthenticated(await j.gql(await signed({ sub: 'eli', tid: 'jwks-ec', roles: ['AGENT'] }, { ...ecKey(), audience: 'some-other-api' }), ME));
    });

    test('an RS256 token signed by a key that is not in the JWKS is UNAUTHENTICATED', async () => {
      expectUnauthenticated(await j.gql(await signed({ sub: 'rita', tid: 'jwks-rs', roles: ['DPO'] }, { ...rsaKey(), key: stranger.privateKey }), ME));
    });

    test('an RS256 token from the JWKS still needs tid and roles', async () => {
      expectUnauthenticated(await j.gql(await signed({ sub: 'rita', roles: ['DPO'] }, rsaKey()), ME));
      expectUnauthenticated(await j.gql(await signed({ sub: 'rita', tid: 'jwks-rs' }, rsaKey()), ME));
    });

    test('an unsigned token (alg none) is UNAUTHENTICATED', async () => {
      const token = new UnsecuredJWT({ sub: 'rita', tid: 'jwks-none', roles: ['DPO'] })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .encode();

      expectUnauthenticated(await j.gql(token, ME));
    });

    test('an HS256 token is UNAUTHENTICATED when no JWT_SECRET is configured', async () => {
      const token = await new SignJWT({ sub: 'hugo', tid: 'jwks-hs', roles: ['DPO'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(hmacKey(TEST_SECRET));

      expectUnauthenticated(await j.gql(token, ME));
      expect(await j.sql('SELECT id FROM tenants WHERE id = $1', ['jwks-hs'])).toHaveLength(0);
    });
  });

  describe('with JWT_JWKS_URL and JWT_SECRET both set', () => {
    let j: TestApp;
    beforeAll(async () => {
      j = await startTestApp({ JWT_JWKS_URL: jwksUrl, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_SECRET: TEST_SECRET });
    });
    afterAll(() => j.close());

    test('both HS256 tokens from the shared secret and RS256/ES256 tokens from the JWKS are accepted', async () => {
      const hs = await new SignJWT({ sub: 'hugo', tid: 'both', roles: ['DPO'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(hmacKey(TEST_SECRET));
      const rs = await signed({ sub: 'rita', tid: 'both', roles: ['AGENT'] }, rsaKey());
      const es = await signed({ sub: 'eli', tid: 'both', roles: ['COMPLIANCE_OFFICER'] }, ecKey());

      for (const [token, sub] of [
        [hs, 'hugo'],
        [rs, 'rita'],
        [es, 'eli'],
      ]) {
        const res = await j.gql(token, ME);
        expect(res.errors).toBeUndefined();
        expect(res.data.me.user.id).toBe(sub);
      }
      expect((await j.sql('SELECT id FROM users WHERE tenant_id = $1 ORDER BY id', ['both'])).map((u) => u.id)).toEqual(['eli', 'hugo', 'rita']);
    });

    test('an HS256 token signed with another secret is still UNAUTHENTICATED', async () => {
      const token = await new SignJWT({ sub: 'hugo', tid: 'both', roles: ['DPO'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(hmacKey('another-secret-0123456789abcdef0123456789'));

      expectUnauthenticated(await j.gql(token, ME));
    });
  });
});

describe('roles and PII', () => {
  const TENANT = 'roles';
  const PERSON = { name: 'Quentin Quibble', email: 'quentin@quibble.example', phone: '+49 30 1234567' };
  const CHILD = { name: 'Tilly Tiny', email: 'parent@tiny.example', phone: '+1 415 555 0100', involvesChildUnder13: true };
  const token = (role: Role) => t.token(role, { tid: TENANT });
  let adult: { id: string; reference: string };
  let child: { id: string; reference: string };

  beforeAll(async () => {
    adult = await fileAs(t, await token(Role.AGENT), complaintInput({ complainant: PERSON }));
    child = await fileAs(t, await token(Role.AGENT), complaintInput({ complainant: CHILD, jurisdiction: 'US-CA' }));
  });

  test.each([Role.COMPLIANCE_OFFICER, Role.ADMIN])('%s cannot file a complaint (FORBIDDEN) and nothing is written', async (role) => {
    const complaintsBefore = await rowCount(t, 'complaints');
    const eventsBefore = await rowCount(t, 'audit_events');

    const res = await t.gql(await token(role), FILE_COMPLAINT, { input: complaintInput({ complainant: { name: 'Not Written' } }) });

    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.data).toBeNull();
    expect(await rowCount(t, 'complaints')).toBe(complaintsBefore);
    expect(await rowCount(t, 'audit_events')).toBe(eventsBefore);
    expect(await t.sql('SELECT id FROM complaints WHERE complainant_name = $1', ['Not Written'])).toHaveLength(0);
  });

  test.each([Role.COMPLIANCE_OFFICER, Role.ADMIN])("%s reads the complainant's name, email and phone as ***", async (role) => {
    const res = await t.gql(await token(role), COMPLAINT, { id: adult.id });

    expect(res.errors).toBeUndefined();
    expect(res.data.complaint.complainant).toEqual({ name: '***', email: '***', phone: '***', involvesChildUnder13: false });
  });

  test.each([Role.AGENT, Role.DPO])("%s reads the complainant's name, email and phone in clear", async (role) => {
    const res = await t.gql(await token(role), COMPLAINT, { id: adult.id });

    expect(res.errors).toBeUndefined();
    expect(res.data.complaint.complainant).toEqual({ ...PERSON, involvesChildUnder13: false });
  });

  const MASKED = { name: '***', email: '***', phone: '***' };
  test.each([
    [Role.DPO, 'in clear', { name: CHILD.name, email: CHILD.email, phone: CHILD.phone }],
    [Role.AGENT, 'as ***', MASKED],
    [Role.COMPLIANCE_OFFICER, 'as ***', MASKED],
    [Role.ADMIN, 'as ***', MASKED],
  ])("on a case involving a child under 13, %s reads the complainant's name, email and phone %s", async (role, _how, expected) => {
    const res = await t.gql(await token(role), COMPLAINT, { id: child.id });

    expect(res.errors).toBeUndefined();
    expect(res.data.complaint.complainant).toEqual({ ...expected, involvesChildUnder13: true });
  });

  test("an AGENT finds a case by the complainant's name", async () => {
    const res = await t.gql(await token(Role.AGENT), SEARCH, { search: 'quibble' });

    expect(res.errors).toBeUndefined();
    expect(res.data.complaints.totalCount).toBe(1);
    expect(res.data.complaints.edges.map((e: any) => e.node.id)).toEqual([adult.id]);
  });

  test("a COMPLIANCE_OFFICER cannot find a case by the complainant's name or email, only by its reference", async () => {
    const officer = await token(Role.COMPLIANCE_OFFICER);

    const byName = await t.gql(officer, SEARCH, { search: 'quibble' });
    const byEmail = await t.gql(officer, SEARCH, { search: 'quentin@' });
    const byReference = await t.gql(officer, SEARCH, { search: adult.reference });

    expect(byName.data.complaints).toEqual({ totalCount: 0, edges: [] });
    expect(byEmail.data.complaints).toEqual({ totalCount: 0, edges: [] });
    expect(byReference.data.complaints.edges.map((e: any) => e.node.id)).toEqual([adult.id]);
  });

  test("only the DPO finds a child's case by the complainant's name", async () => {
    const asAgent = await t.gql(await token(Role.AGENT), SEARCH, { search: 'Tilly' });
    const asDpo = await t.gql(await token(Role.DPO), SEARCH, { search: 'Tilly' });

    expect(asAgent.data.complaints).toEqual({ totalCount: 0, edges: [] });
    expect(asDpo.data.complaints.edges.map((e: any) => e.node.id)).toEqual([child.id]);
  });
});

describe('tenant isolation', () => {
  const A = 'tenant-a';
  const B = 'tenant-b';
  let complaintOfA: { id: string; reference: string };

  beforeAll(async () => {
    complaintOfA = await fileAs(t, await t.token(Role.AGENT, { tid: A }), complaintInput({ complainant: { name: 'Alice Of A' } }));
    // Provision tenant B (tenant row and user) without giving it complaints of its own.
    expect((await t.gql(await t.token(Role.DPO, { tid: B }), ME)).errors).toBeUndefined();
  });

  test("another tenant's complaint is NOT_FOUND by id, never FORBIDDEN", async () => {
    const res = await t.gql(await t.token(Role.DPO, { tid: B }), COMPLAINT, { id: complaintOfA.id });

    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.data.complaint).toBeNull();
  });

  test("another tenant's complaint is NOT_FOUND by reference", async () => {
    const res = await t.gql(await t.token(Role.DPO, { tid: B }), BY_REFERENCE, { reference: complaintOfA.reference });

    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.data.complaintByReference).toBeNull();
  });

  test("another tenant's complaints do not appear in the list", async () => {
    const res = await t.gql(await t.token(Role.DPO, { tid: B }), `{ complaints { totalCount edges { node { id } } pageInfo { hasNextPage } } }`);

    expect(res.errors).toBeUndefined();
    expect(res.data.complaints).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false } });
  });

  test("another tenant's audit trail and its verification are NOT_FOUND", async () => {
    const token = await t.token(Role.DPO, { tid: B });

    const trail = await t.gql(token, AUDIT_TRAIL, { id: complaintOfA.id });
    const verification = await t.gql(token, VERIFY, { id: complaintOfA.id });

    expect(errorCode(trail)).toBe('NOT_FOUND');
    expect(errorCode(verification)).toBe('NOT_FOUND');
    // The owner of the complaint can read both, so the NOT_FOUND above is isolation, not a broken query.
    const own = await t.gql(await t.token(Role.DPO, { tid: A }), VERIFY, { id: complaintOfA.id });
    expect(own.data.verifyAuditTrail.valid).toBe(true);
  });

  describe('row-level security in the database, as role cms_app', () => {
    const TABLES: [string, string][] = [
      ['complaints', 'tenant_id'],
      ['audit_events', 'tenant_id'],
      ['users', 'tenant_id'],
      ['stage_transitions', 'tenant_id'],
      ['reference_counters', 'tenant_id'],
      ['tenants', 'id'],
    ];

    /** One transaction on the owner's session, switched to cms_app with the tenant set (or not). */
    async function asCmsApp<T>(tenant: string | null, work: () => Promise<T>): Promise<T> {
      await t.sql('BEGIN');
      try {
        await t.sql('SET LOCAL ROLE cms_app');
        if (tenant !== null) await t.sql(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
        return await work();
      } finally {
        await t.sql('ROLLBACK');
      }
    }
    const countOf = async (table: string, column: string, tenant: string) =>
      (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`, [tenant]))[0].n;

    test('every table holding tenant data is under forced row-level security with a policy', async () => {
      const tables = await t.sql<{ table: string; rls: boolean; forced: boolean; policies: number }>(`
        SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
               (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r'
          AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
        ORDER BY c.relname`);

      expect(tables.map((r) => r.table)).toEqual(expect.arrayContaining(TABLES.map(([table]) => table)));
      expect(tables.filter((r) => !r.rls || !r.forced || r.policies === 0)).toEqual([]);
    });

    test.each(TABLES)("with tenant B set, %s shows none of tenant A's rows", async (table, column) => {
      const seenByA = await asCmsApp(A, () => countOf(table, column, A));
      const seenByB = await asCmsApp(B, () => countOf(table, column, A));
      const foreignSeenByB = await asCmsApp(
        B,
        async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} <> $1`, [B]))[0].n,
      );

      expect(seenByA).toBeGreaterThan(0);
      expect(seenByB).toBe(0);
      expect(foreignSeenByB).toBe(0);
    });

    test.each(TABLES)('with no tenant set, %s shows no rows at all', async (table) => {
      const [{ total }] = await t.sql<{ total: number }>(`SELECT count(*)::int AS total FROM ${table}`);
      const unset = await asCmsApp(null, async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
      const empty = await asCmsApp('', async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n);

      expect(total).toBeGreaterThan(0);
      expect(unset).toBe(0);
      expect(empty).toBe(0);
    });

    test('inserting a row for tenant A while tenant B is set is rejected by the policy', async () => {
      const attempt = asCmsApp(B, () => t.sql(`INSERT INTO users (tenant_id, id, name, roles) VALUES ($1, 'intruder', 'Intruder', '{DPO}')`, [A]));

      await expect(attempt).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/row-level security/) });
      expect(await t.sql('SELECT id FROM users WHERE id = $1', ['intruder'])).toHaveLength(0);
    });

    test("updating tenant A's complaint while tenant B is set changes nothing", async () => {
      const updated = await asCmsApp(B, () => t.sql(`UPDATE complaints SET summary = 'hijacked' WHERE id = $1 RETURNING id`, [complaintOfA.id]));

      expect(updated).toHaveLength(0);
      expect(await t.sql('SELECT summary FROM complaints WHERE id = $1', [complaintOfA.id])).toEqual([{ summary: complaintInput().summary }]);
    });
  });
});
