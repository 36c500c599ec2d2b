import type { DataSource } from 'typeorm';
import type { TokenClaims } from '../auth/jwt';
import type { Actor } from '../context';
import { assertTenantNotPurged, inTenantTransaction } from '../db/transaction';
import type { Logger } from '../logger';
import { seedSlaPresets } from './sla-policy.service';

const knownByDataSource = new WeakMap<DataSource, Set<string>>();
const KNOWN_LIMIT = 10_000;

/**
 * Just-in-time provisioning (SPEC §3): the tenant and the user of a valid token exist
 * after this call, with the user's name, email and roles as the token states them.
 * A purged tenant is refused on every call: the cache only spares the user upsert, never
 * the purge check, because another process may purge at any time.
 */
export async function provisionActor(dataSource: DataSource, claims: TokenClaims, log?: Logger): Promise<Actor> {
  const actor: Actor = { userId: claims.sub, tenantId: claims.tid, roles: claims.roles, name: claims.name ?? claims.sub, email: claims.email ?? null };
  const cacheKey = JSON.stringify([actor, claims.tz, claims.country]);
  let known = knownByDataSource.get(dataSource);
  if (!known) knownByDataSource.set(dataSource, (known = new Set()));
  if (known.has(cacheKey)) {
    await assertTenantNotPurged(dataSource, claims.tid);
    return actor;
  }
  await inTenantTransaction(dataSource, claims.tid, async (manager) => {
    const created = (await manager.query(
      `INSERT INTO tenants (id, name, time_zone, holiday_country) VALUES ($1, $1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [claims.tid, claims.tz ?? 'UTC', claims.country ?? null],
    )) as unknown[];
    if (created.length > 0) {
      await seedSlaPresets(manager, claims.tid); // SPEC §5: presets for every new tenant
      // SPEC §3: a claim the service cannot use is ignored for its setting, and logged.
      for (const { claim, value, reason } of claims.ignored ?? [])
        log?.warn({ tenantId: claims.tid, claim, value: String(value).slice(0, 64) }, `token claim ${claim} ignored: ${reason}`);
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
