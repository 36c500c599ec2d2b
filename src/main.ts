import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { createDataSource } from './db/data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded';
import { runMigrations } from './db/migrate';
import { seedDemoTenant } from './demo';
import { resolveJwtSecret } from './dev-secret';
import { loadEvidenceKeys } from './evidence/keys';
import { createApp } from './http/app';
import { createLogger } from './logger';
import { startSlaWorker } from './worker/sla-worker';

let embedded: EmbeddedDatabase | null = null;

/** `npm start`: the API on DATABASE_URL, or on an embedded PostgreSQL under .data/. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.LOG_LEVEL);
  const secret = resolveJwtSecret(config);
  config = { ...config, JWT_SECRET: secret ?? undefined };

  let url = config.DATABASE_URL;
  if (!url) {
    log.info({ dataDir: config.DATA_DIR }, 'DATABASE_URL not set: starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres(config.DATA_DIR, 'cms', (m) => log.debug({ postgres: m }));
    url = embedded.url;
  }
  const applied = await runMigrations(url);
  const dataSource = createDataSource(url, { poolSize: config.DB_POOL_SIZE, statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS });
  await dataSource.initialize();
  log.info({ applied }, 'migrations up to date');
  // SPEC §2: the CSV export may read from a hot standby (migrations reach it by replication).
  const readDataSource = config.DATABASE_READ_URL ? createDataSource(config.DATABASE_READ_URL, { poolSize: config.DB_POOL_SIZE, applicationName: 'complaint-cms-reports' }) : null;
  await readDataSource?.initialize();

  const worker = config.SLA_WORKER === 'in-process' ? await startSlaWorker(dataSource, url, log, { evidence: await loadEvidenceKeys(config, log) }) : null;
  const app = await createApp({ config, dataSource, readDataSource, log, worker });
  await new Promise<void>((resolve) => app.httpServer.listen(config.PORT, resolve));
  const address = app.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  log.info({ port }, `API ready at http://localhost:${port}/graphql`);

  if (secret && !config.isProduction) {
    const tokens = await seedDemoTenant(dataSource, secret, config.jwtMaxTtlSeconds);
    const lines = tokens.map((t) => `  ${t.role.padEnd(18)} ${t.token}`);
    process.stdout.write(`\nDemo tenant "demo" — bearer tokens (valid 30 days):\n${lines.join('\n')}\n\n` +
      `Try: curl -s http://localhost:${port}/graphql -H 'content-type: application/json' -H "authorization: Bearer <token>" -d '{"query":"{ me { tenantId roles } }"}'\n\n`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining requests');
    const timer = setTimeout(() => {
      log.error('shutdown timed out');
      process.exit(1);
    }, 25_000);
    try {
      await app.stop();
      log.info('HTTP drained');
      await worker?.stop();
      await dataSource.destroy();
      await readDataSource?.destroy();
      if (embedded) await embedded.stop();
      clearTimeout(timer);
      log.info('stopped');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch(async (error) => {
  console.error('Failed to start:', error instanceof Error ? error.stack ?? error.message : error);
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
});
