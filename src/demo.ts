import type { DataSource } from 'typeorm';
import { DEFAULT_MAX_TTL_SECONDS, signDevToken, TokenClaims } from './auth/jwt';
import { Role } from './auth/roles';
import { provisionActor } from './services/provisioning.service';

export const DEMO_TENANT = 'demo';

const DEMO_USERS: TokenClaims[] = [
  { sub: 'demo-agent', tid: DEMO_TENANT, roles: [Role.AGENT], name: 'Ada Agent', email: 'agent@demo.example' },
  { sub: 'demo-dpo', tid: DEMO_TENANT, roles: [Role.DPO], name: 'Dana DPO', email: 'dpo@demo.example' },
  { sub: 'demo-compliance', tid: DEMO_TENANT, roles: [Role.COMPLIANCE_OFFICER], name: 'Cole Compliance', email: 'compliance@demo.example' },
  { sub: 'demo-admin', tid: DEMO_TENANT, roles: [Role.ADMIN], name: 'Ari Admin', email: 'admin@demo.example' },
];

const DEMO_TOKEN_SECONDS = 30 * 86400;

/**
 * Provisions the demo tenant with one user per role and returns a bearer token for each,
 * valid 30 days or JWT_MAX_TTL if that is shorter (SPEC §3).
 */
export async function seedDemoTenant(
  dataSource: DataSource,
  secret: string,
  maxTtlSeconds = DEFAULT_MAX_TTL_SECONDS,
): Promise<{ role: Role; sub: string; token: string }[]> {
  const tokens = [];
  for (const claims of DEMO_USERS) {
    await provisionActor(dataSource, claims);
    tokens.push({ role: claims.roles[0], sub: claims.sub, token: await signDevToken(secret, claims, Math.min(DEMO_TOKEN_SECONDS, maxTtlSeconds)) });
  }
  return tokens;
}
