import 'reflect-metadata';
import '../tracing'; // first: it instruments http and pg as they load
import { ConfigError, loadConfig } from '../config';
import { createDataSource } from '../db/data-source';
import { runMigrations } from '../db/migrate';
import { loadEvidenceKeys } from '../evidence/keys';
import { createLogger } from '../logger';
import { describeStartFailure, ensureDatabaseReachable } from '../start-failure';
import { startSlaWorker } from './sla-worker';
import { useMail } from '../mail/sla-mail';
import { useWebhookPolicy, webhookPolicyFrom } from '../webhooks/url-policy';

/**
 * `npm run worker`: the SLA worker as its own process, so API replicas and workers scale
 * apart (run the API with SLA_WORKER=off). Any number may share one database.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new ConfigError("DATABASE_URL is required: a separate worker shares the API's database");
  const log = createLogger(config.LOG_LEVEL).child({ process: 'worker' });
  await ensureDatabaseReachable(config.DATABASE_URL);
  await runMigrations(config.DATABASE_URL);
  const dataSource = createDataSource(config.DATABASE_URL, {
    poolSize: config.DB_POOL_SIZE,
    applicationName: 'complaint-cms-worker',
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
  });
  await dataSource.initialize();
  useWebhookPolicy(dataSource, webhookPolicyFrom(config));
  useMail(dataSource, config);
  const worker = await startSlaWorker(dataSource, config.DATABASE_URL, log, { evidence: await loadEvidenceKeys(config, log) });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'worker shutting down: finishing running jobs');
    await worker.stop();
    await dataSource.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : describeStartFailure(error));
  process.exit(1);
});
