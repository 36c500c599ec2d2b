import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import { createDataSource } from './data-source';

const MIGRATION_LOCK = 7_311_842; // any constant: one migrator at a time per database

/**
 * Runs pending migrations under an advisory lock, so that replicas starting together don't
 * race: first graphile-worker's own schema (the SLA job queue), then ours. On a pool of its
 * own as the owner: the API's pool runs as cms_app, which these migrations create.
 */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const owner = createDataSource(databaseUrl, { poolSize: 2, asOwner: true, applicationName: 'complaint-cms-migrate' });
  await owner.initialize();
  try {
    const runner = owner.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await runWorkerMigrations({ connectionString: databaseUrl, logger: quietLogger });
      const applied = await owner.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      await runner.release();
    }
  } finally {
    await owner.destroy();
  }
}

const quietLogger = new Logger(() => () => {});
