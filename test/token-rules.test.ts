import { decodeJwt, JWTPayload, SignJWT } from 'jose';
import { parseClaims } from '../src/auth/jwt';
import { Role } from '../src/auth/roles';
import { seedDemoTenant } from '../src/demo';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { errorCode, GqlResult, startTestApp, TEST_SECRET, TestApp } from './support/harness';

/** SPEC §3: what a bearer token must carry and which of its claims the service may ignore. */
const ME = `{ me { tenantId user { id name email } } }`;
const DAY = 86400;
const now = () => Math.floor(Date.now() / 1000);

/** An HS256 token with exactly these claims: `iat`/`exp` only when given. */
function sign(payload: JWTPayload & Record<string, unknown>): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(TEST_SECRET));
}
const claims = (tid: string, extra: Record<string, unknown> = {}) => ({ sub: `${tid}-user`, tid, roles: ['AGENT', 'DPO'], ...extra });

async function tenantRows(tid: string): Promise<number> {
  return (await t.sql('SELECT ((SELECT count(*) FROM tenants WHERE id = $1) + (SELECT count(*) FROM users WHERE tenant_id = $1))::int AS n', [tid]))[0].n;
}

function expectRefused(res: GqlResult, message: RegExp): void {
  expect(res.status).toBe(401);
  expect(errorCode(res)).toBe('UNAUTHENTICATED');
  expect(res.errors![0].message).toMatch(message);
  expect(res.data ?? null).toBeNull();
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('token lifetime (JWT_MAX_TTL, default P30D; 60 s of clock skew)', () => {
  test.each([
    ['a token without exp', (tid: string) => claims(tid, { iat: now() }), /exp\) is required/],
    ['a token without exp or iat', (tid: string) => claims(tid), /exp\) is required/],
    ['a token living longer than 30 days after iat', (tid: string) => claims(tid, { iat: now(), exp: now() + 30 * DAY + 1 }), /longer than the P30D/],
    [
      'a back-dated iat with exp within 30 days from now but 31 after iat',
      (tid: string) => claims(tid, { iat: now() - DAY, exp: now() + 30 * DAY }),
      /longer than/,
    ],
    [
      'a token without iat expiring more than 30 days from now',
      (tid: string) => claims(tid, { exp: now() + 30 * DAY + 120 }),
      /expires more than P30D from now/,
    ],
    ['a token issued more than 60 s in the future', (tid: string) => claims(tid, { iat: now() + 120, exp: now() + 3600 }), /future/],
    ['a token expired more than 60 s ago', (tid: string) => claims(tid, { iat: now() - 3600, exp: now() - 61 }), /expired/],
    ['a token not valid before 2 minutes from now', (tid: string) => claims(tid, { iat: now(), nbf: now() + 120, exp: now() + 3600 }), /nbf|invalid/],
  ])('%s is UNAUTHENTICATED, saying why, and provisions nothing', async (_label, payload, message) => {
    const tid = `ttl-${Math.random().toString(36).slice(2, 10)}`;
    expectRefused(await t.gql(await sign(payload(tid)), ME), message);
    expect(await tenantRows(tid)).toBe(0);
  });

  test.each([
    ['exactly 30 days after iat', (tid: string) => claims(tid, { iat: now(), exp: now() + 30 * DAY })],
    ['no iat, 30 days from now', (tid: string) => claims(tid, { exp: now() + 30 * DAY })],
    ['iat 50 s in the future (clock skew)', (tid: string) => claims(tid, { iat: now() + 50, exp: now() + 3600 })],
    ['exp 50 s ago (clock skew)', (tid: string) => claims(tid, { iat: now() - 3600, exp: now() - 50 })],
    ['nbf 50 s from now (clock skew)', (tid: string) => claims(tid, { iat: now(), nbf: now() + 50, exp: now() + 3600 })],
  ])('a token with %s is accepted', async (_label, payload) => {
    const tid = `ttl-${Math.random().toString(36).slice(2, 10)}`;
    const res = await t.gql(await sign(payload(tid)), ME);
    expect(res.errors).toBeUndefined();
    expect(res.data.me.tenantId).toBe(tid);
  });

  test('a shorter JWT_MAX_TTL is enforced, and the harness (12 h) and demo-seed tokens fit within it', async () => {
    const short = await startTestApp({ JWT_MAX_TTL: 'P1D', jwtMaxTtlSeconds: DAY });
    try {
      expectRefused(await short.gql(await sign(claims('ttl-short', { iat: now(), exp: now() + 2 * DAY })), ME), /longer than the P1D/);
      expect((await short.gql(await short.token(Role.AGENT), ME)).errors).toBeUndefined();
      const demo = await seedDemoTenant(short.dataSource, TEST_SECRET, DAY);
      for (const { token } of demo) {
        const { iat, exp } = decodeJwt(token);
        expect(Number(exp) - Number(iat)).toBe(DAY);
        expect((await short.gql(token, ME)).errors).toBeUndefined();
      }
    } finally {
      await short.close();
    }
  });
});

describe('claims the service cannot store are refused naming the claim', () => {
  test.each([
    ['sub', { sub: 'nul\u0000user' }],
    ['name', { name: 'Nul\u0000Name' }],
    ['email', { email: 'nul\u0000@example.com' }],
    ['name', { name: 'Lone \ud800 surrogate' }],
  ])('a %s claim with a NUL byte or lone surrogate is UNAUTHENTICATED (401, not 500) and provisions nothing', async (claim, extra) => {
    const tid = `nul-${Math.random().toString(36).slice(2, 10)}`;
    const res = await t.gql(await sign(claims(tid, { ...extra, iat: now(), exp: now() + 3600 })), ME);
    expectRefused(res, new RegExp(`${claim} claim`));
    expect(await tenantRows(tid)).toBe(0);
  });

  test('a long name with astral characters is cut without splitting a surrogate pair', async () => {
    const name = `${'a'.repeat(199)}😀😀`;
    const res = await t.gql(await sign(claims('long-name', { name, iat: now(), exp: now() + 3600 })), ME);
    expect(res.errors).toBeUndefined();
    expect(res.data.me.user.name).toBe(`${'a'.repeat(199)}😀`);
  });
});

describe('a tz or country claim the service cannot use is ignored, never fatal (SPEC §3)', () => {
  test.each([
    ['XX', 'Mars/Base'],
    ['QA', 'Europe/Nowhere'],
    ['KW', 42],
    ['JO', 'UTC'],
  ])('country %s and tz %s: the tenant runs on UTC without holidays, and a CCPA filing on business days succeeds', async (country, tz) => {
    const tid = `claims-${String(country).toLowerCase()}`;
    const token = await sign(claims(tid, { country, tz, iat: now(), exp: now() + 3600 }));

    const me = await t.gql(token, ME);
    expect(me.errors).toBeUndefined();
    expect(await t.sql('SELECT time_zone, holiday_country FROM tenants WHERE id = $1', [tid])).toEqual([{ time_zone: 'UTC', holiday_country: null }]);

    // US-CA → CCPA: its ACKNOWLEDGE clock counts business days of the tenant's calendar.
    const filed = await t.gql(token, FILE_COMPLAINT, { input: complaintInput({ jurisdiction: 'US-CA', rights: ['ACCESS'] }) });
    expect(filed.errors).toBeUndefined();
    expect(filed.data.fileComplaint.regimes).toEqual(['CCPA']);
    const timers = await t.sql('SELECT kind FROM sla_timers WHERE complaint_id = $1 ORDER BY kind', [filed.data.fileComplaint.id]);
    expect(timers.map((r) => r.kind)).toEqual(['ACKNOWLEDGE', 'RESPOND']);

    // And later requests with the same token keep working.
    expect((await t.gql(token, ME)).errors).toBeUndefined();
  });

  test('parseClaims reports what it ignored and why, for the provisioning log', () => {
    const parsed = parseClaims({ sub: 'u', tid: 'x', roles: ['AGENT'], tz: 'Mars/Base', country: 'XX' });
    expect(parsed).toMatchObject({ tz: undefined, country: undefined });
    expect(parsed.ignored).toEqual([
      { claim: 'tz', value: 'Mars/Base', reason: expect.stringContaining('UTC') },
      { claim: 'country', value: 'XX', reason: expect.stringContaining('holiday') },
    ]);
  });

  test('a usable country and tz are still applied (lower-case country too)', async () => {
    const res = await t.gql(await sign(claims('claims-de', { country: 'de', tz: 'Europe/Berlin', iat: now(), exp: now() + 3600 })), ME);
    expect(res.errors).toBeUndefined();
    expect(await t.sql('SELECT time_zone, holiday_country FROM tenants WHERE id = $1', ['claims-de'])).toEqual([
      { time_zone: 'Europe/Berlin', holiday_country: 'DE' },
    ]);
  });
});
