import { createRemoteJWKSet, jwtVerify, JWTVerifyGetKey, SignJWT } from 'jose';
import { IANAZone } from 'luxon';
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
}

export interface VerifierOptions {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Verifies bearer tokens: HS256 with a shared secret, or RS256/ES256 keys from a JWKS URL. */
export class TokenVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(private readonly options: VerifierOptions) {
    if (options.secret) this.secret = new TextEncoder().encode(options.secret);
    if (options.jwksUrl) this.jwks = createRemoteJWKSet(new URL(options.jwksUrl));
    if (!this.secret && !this.jwks) throw new Error('TokenVerifier needs JWT_SECRET or JWT_JWKS_URL');
  }

  async verify(token: string): Promise<TokenClaims> {
    const verifyOptions = { issuer: this.options.issuer, audience: this.options.audience };
    let payload: Record<string, unknown>;
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
      const reason = (error as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'The token has expired' : 'The token is invalid or badly signed';
      throw new UnauthenticatedError(reason);
    }
    return parseClaims(payload);
  }
}

export function parseClaims(payload: Record<string, unknown>): TokenClaims {
  const { sub, tid, roles, name, email, tz, country } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) throw new UnauthenticatedError('The token has no valid sub claim');
  if (typeof tid !== 'string' || !TENANT_ID.test(tid)) throw new UnauthenticatedError('The token has no valid tid claim');
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => ALL_ROLES.includes(r as Role))) {
    throw new UnauthenticatedError(`The token's roles claim must be a non-empty array of ${ALL_ROLES.join(', ')}`);
  }
  if (tz !== undefined && (typeof tz !== 'string' || !IANAZone.isValidZone(tz))) throw new UnauthenticatedError('The token has an invalid tz claim (IANA time zone expected)');
  if (country !== undefined && (typeof country !== 'string' || !/^[A-Z]{2}$/.test(country))) throw new UnauthenticatedError('The token has an invalid country claim (ISO 3166-1 alpha-2 expected)');
  return {
    sub,
    tid,
    roles: [...new Set(roles as Role[])],
    name: typeof name === 'string' ? name.slice(0, 200) : undefined,
    email: typeof email === 'string' ? email.slice(0, 320) : undefined,
    tz: tz as string | undefined,
    country: country as string | undefined,
  };
}

/** Signs an HS256 development token (npm run token, the demo seed, tests). */
export async function signDevToken(secret: string, claims: TokenClaims, expiresIn = '12h'): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
