import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import type { DataSource } from 'typeorm';

const MIGRATION_LOCK = 7_311_842; // any constant: one migrator at a time per database

/**
 * Runs pending migrations under an advisory lock, so that replicas starting together don't
 * race: first graphile-worker's own schema (the SLA job queue), then ours.
 */
export async function runMigrations(dataSource: DataSource, databaseUrl: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await runWorkerMigrations({ connectionString: databaseUrl, logger: quietLogger });
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

const quietLogger = new Logger(() => () => {});
