import type { DataSource } from 'typeorm';
import type { TokenClaims } from '../auth/jwt';
import type { Actor } from '../context';
import { inTenantTransaction } from '../db/transaction';
import { UnauthenticatedError } from '../errors';
import { seedSlaPresets } from './sla-policy.service';

const knownByDataSource = new WeakMap<DataSource, Set<string>>();
const KNOWN_LIMIT = 10_000;

/**
 * Just-in-time provisioning (SPEC §3): the tenant and the user of a valid token exist
 * after this call, with the user's name, email and roles as the token states them.
 */
export async function provisionActor(dataSource: DataSource, claims: TokenClaims): Promise<Actor> {
  const actor: Actor = { userId: claims.sub, tenantId: claims.tid, roles: claims.roles, name: claims.name ?? claims.sub, email: claims.email ?? null };
  const cacheKey = JSON.stringify([actor, claims.tz, claims.country]);
  let known = knownByDataSource.get(dataSource);
  if (!known) knownByDataSource.set(dataSource, (known = new Set()));
  if (known.has(cacheKey)) return actor;
  await inTenantTransaction(dataSource, claims.tid, async (manager) => {
    const created = (await manager.query(
      `INSERT INTO tenants (id, name, time_zone, holiday_country) VALUES ($1, $1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [claims.tid, claims.tz ?? 'UTC', claims.country ?? null],
    )) as unknown[];
    if (created.length > 0) await seedSlaPresets(manager, claims.tid); // SPEC §5: presets for every new tenant
    else {
      const [tenant] = (await manager.query('SELECT purged_at FROM tenants WHERE id = $1', [claims.tid])) as { purged_at: Date | null }[];
      if (tenant?.purged_at) throw new UnauthenticatedError("The tenant's contract ended and its data was purged");
    }
    await manager.query(
      `INSERT INTO users (tenant_id, id, name, email, roles) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, roles = EXCLUDED.roles, updated_at = now()
       WHERE (users.name, users.email, users.roles) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.email, EXCLUDED.roles)`,
      [actor.tenantId, actor.userId, actor.name, actor.email, actor.roles],
    );
  });
  if (known.size >= KNOWN_LIMIT) known.clear();
  known.add(cacheKey);
  return actor;
}
