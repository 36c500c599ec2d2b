import { createRemoteJWKSet, JWTPayload, jwtVerify, JWTVerifyGetKey, SignJWT } from 'jose';
import { Duration, IANAZone } from 'luxon';
import { supportsHolidayCountry } from '../domain/sla-calendar';
import type { Logger } from '../logger';
import { textProblem } from '../validation';
import { ALL_ROLES, Role } from './roles';
import { UnauthenticatedError } from '../errors';

export interface TokenClaims {
  sub: string;
  tid: string;
  roles: Role[];
  name?: string;
  email?: string;
  tz?: string;
  country?: string;
  /** tz/country claims the service could not use; the tenant is provisioned without them. */
  ignored?: IgnoredClaim[];
}

export interface VerifierOptions {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** JWT_MAX_TTL in seconds: the longest lifetime a token may claim. */
  maxTtlSeconds?: number;
  /** Where provisioning reports claims it had to ignore. */
  log?: Logger;
}

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** SPEC §3: at most 60 s of clock skew between the issuer and this service. */
export const CLOCK_SKEW_SECONDS = 60;
export const DEFAULT_MAX_TTL_SECONDS = 30 * 86400;

/** Verifies bearer tokens: HS256 with a shared secret, or RS256/ES256 keys from a JWKS URL. */
export class TokenVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;
  readonly maxTtlSeconds: number;
  readonly log?: Logger;

  constructor(private readonly options: VerifierOptions) {
    this.log = options.log;
    if (options.secret) this.secret = new TextEncoder().encode(options.secret);
    if (options.jwksUrl) this.jwks = createRemoteJWKSet(new URL(options.jwksUrl));
    if (!this.secret && !this.jwks) throw new Error('TokenVerifier needs JWT_SECRET or JWT_JWKS_URL');
    this.maxTtlSeconds = options.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS;
  }

  async verify(token: string): Promise<TokenClaims> {
    const verifyOptions = { issuer: this.options.issuer, audience: this.options.audience, requiredClaims: ['exp'], clockTolerance: CLOCK_SKEW_SECONDS };
    let payload: JWTPayload;
    try {
      const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: string };
      if (header.alg === 'HS256' && this.secret) {
        payload = (await jwtVerify(token, this.secret, { ...verifyOptions, algorithms: ['HS256'] })).payload;
      } else if (this.jwks) {
        payload = (await jwtVerify(token, this.jwks, { ...verifyOptions, algorithms: ['RS256', 'ES256'] })).payload;
      } else {
        throw new Error(`algorithm ${header.alg ?? 'none'} not accepted`);
      }
    } catch (error) {
      throw new UnauthenticatedError(refusal(error));
    }
    checkLifetime(payload, this.maxTtlSeconds);
    return parseClaims(payload);
  }
}

function refusal(error: unknown): string {
  const { code, claim } = error as { code?: string; claim?: string };
  if (code === 'ERR_JWT_EXPIRED') return 'The token has expired';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'exp') return 'The token has no exp claim: an expiry (exp) is required';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim) return `The token's ${claim} claim is not accepted`;
  return 'The token is invalid or badly signed';
}

/**
 * SPEC §3: a token lives at most JWT_MAX_TTL: exp no later than that after iat (when given)
 * and after now, and iat not in the future, each with 60 s of clock skew. jose has checked
 * that exp is present and not past; its maxTokenAge measures now − iat, not the lifetime.
 */
function checkLifetime(payload: JWTPayload, maxTtlSeconds: number, now = Math.floor(Date.now() / 1000)): void {
  const exp = payload.exp as number;
  const ttl = () => Duration.fromObject({ seconds: maxTtlSeconds }).shiftTo('days', 'hours', 'minutes', 'seconds').toISO();
  if (payload.iat !== undefined && payload.iat > now + CLOCK_SKEW_SECONDS) throw new UnauthenticatedError('The token was issued in the future (iat)');
  if (payload.iat !== undefined && exp - payload.iat > maxTtlSeconds)
    throw new UnauthenticatedError(`The token lives longer than the ${ttl()} allowed (exp - iat)`);
  if (exp > now + maxTtlSeconds + CLOCK_SKEW_SECONDS) throw new UnauthenticatedError(`The token expires more than ${ttl()} from now (exp)`);
}

/** A claim the service cannot use (SPEC §3): ignored for its setting, and said why. */
export interface IgnoredClaim {
  claim: 'tz' | 'country';
  value: unknown;
  reason: string;
}

/** Cuts text to `max` code points, never through a surrogate pair. */
function truncate(value: string, max: number): string {
  const points = Array.from(value);
  return points.length <= max ? value : points.slice(0, max).join('');
}

export function parseClaims(payload: Record<string, unknown>): TokenClaims {
  const { sub, tid, roles, name, email, tz, country } = payload;
  for (const claim of ['sub', 'name', 'email'] as const) {
    const value = payload[claim];
    const problem = typeof value === 'string' ? textProblem(value) : null;
    if (problem) throw new UnauthenticatedError(`The token's ${claim} claim ${problem}`);
  }
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) throw new UnauthenticatedError('The token has no valid sub claim');
  if (typeof tid !== 'string' || !TENANT_ID.test(tid)) throw new UnauthenticatedError('The token has no valid tid claim');
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => ALL_ROLES.includes(r as Role))) {
    throw new UnauthenticatedError(`The token's roles claim must be a non-empty array of ${ALL_ROLES.join(', ')}`);
  }
  const ignored: IgnoredClaim[] = [];
  let zone: string | undefined;
  if (tz !== undefined) {
    if (typeof tz === 'string' && IANAZone.isValidZone(tz)) zone = tz;
    else ignored.push({ claim: 'tz', value: tz, reason: 'not an IANA time zone: the tenant runs on UTC' });
  }
  let holidayCountry: string | undefined;
  if (country !== undefined) {
    if (typeof country === 'string' && /^[A-Za-z]{2}$/.test(country) && supportsHolidayCountry(country)) holidayCountry = country.toUpperCase();
    else ignored.push({ claim: 'country', value: country, reason: 'no public-holiday calendar for it: business days skip weekends only' });
  }
  return {
    sub,
    tid,
    roles: [...new Set(roles as Role[])],
    name: typeof name === 'string' ? truncate(name, 200) : undefined,
    email: typeof email === 'string' ? truncate(email, 320) : undefined,
    tz: zone,
    country: holidayCountry,
    ...(ignored.length > 0 ? { ignored } : {}),
  };
}

/**
 * Signs an HS256 development token (npm run token, the demo seed, tests). It expires
 * `expiresIn` after issue (a jose time span such as '12h'), which must be within JWT_MAX_TTL.
 */
export async function signDevToken(secret: string, claims: TokenClaims, expiresIn: string | number = '12h'): Promise<string> {
  const { ignored: _ignored, ...signed } = claims;
  return new SignJWT({ ...signed })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn)
    .sign(new TextEncoder().encode(secret));
}
