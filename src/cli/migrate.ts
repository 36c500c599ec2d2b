import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../db/embedded';
import { runMigrations } from '../db/migrate';
import { describeStartFailure, ensureDatabaseReachable } from '../start-failure';

/** npm run migrate: applies pending migrations to DATABASE_URL (or the embedded server). */
async function main(): Promise<void> {
  const config = loadConfig();
  let embedded: EmbeddedDatabase | null = null;
  try {
    if (!config.DATABASE_URL) embedded = await startEmbeddedPostgres(config.DATA_DIR);
    else await ensureDatabaseReachable(config.DATABASE_URL);
    const applied = await runMigrations(config.DATABASE_URL ?? embedded!.url);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
  } finally {
    await embedded?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof ConfigError ? error.message : describeStartFailure(error).replace('Failed to start', 'Migration failed'));
    process.exit(1);
  },
);
