import 'reflect-metadata';
import './tracing'; // first: it instruments http and pg as they load
import type http from 'node:http';
import { AppConfig, ConfigError, loadConfig } from './config';
import { createDataSource } from './db/data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded';
import { runMigrations } from './db/migrate';
import { seedDemoTenant } from './demo';
import { resolveJwtSecret } from './dev-secret';
import { loadEvidenceKeys } from './evidence/keys';
import { createApp } from './http/app';
import { createLogger, Logger } from './logger';
import { describeStartFailure, ensureDatabaseReachable, ensurePortFree, listenFailure, StartInterrupted } from './start-failure';
import { startSlaWorker } from './worker/sla-worker';
import { useMail } from './mail/sla-mail';
import { useWebhookPolicy, webhookPolicyFrom } from './webhooks/url-policy';

let embedded: EmbeddedDatabase | null = null;
/** A hot standby that does not answer within this is taken for down: reads go to the primary. */
const READ_REPLICA_CONNECT_TIMEOUT_MS = 3_000;
let startLog: Logger | null = null;
/** What a failed or interrupted start must release, in the order started. */
const started: (() => Promise<unknown>)[] = [];
let interruptedBy: NodeJS.Signals | null = null;
const interruptStart = (signal: NodeJS.Signals) => (interruptedBy = signal);

/** A Ctrl-C during start-up stops the start between steps, so nothing is left running. */
function checkNotInterrupted(): void {
  if (interruptedBy) throw new StartInterrupted(interruptedBy);
}

/** `npm start`: the API on DATABASE_URL, or on an embedded PostgreSQL under .data/. */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = (startLog = createLogger(config.LOG_LEVEL));
  process.on('SIGTERM', interruptStart);
  process.on('SIGINT', interruptStart);
  const secret = resolveJwtSecret(config);
  config = { ...config, JWT_SECRET: secret ?? undefined };
  await ensurePortFree(config.PORT);

  let url = config.DATABASE_URL;
  if (!url) {
    const db = (embedded = await startEmbeddedPostgres(config.DATA_DIR, 'cms', (m) => log.debug({ postgres: m })));
    started.push(() => db.stop());
    log.info({ dataDir: config.DATA_DIR, cluster: db.clusterDir, relocated: db.relocated }, 'DATABASE_URL not set: embedded PostgreSQL started');
    url = db.url;
  } else {
    await ensureDatabaseReachable(url);
  }
  checkNotInterrupted();
  const applied = await runMigrations(url);
  const dataSource = createDataSource(url, { poolSize: config.DB_POOL_SIZE, statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS });
  await dataSource.initialize();
  started.push(() => dataSource.destroy());
  log.info({ applied }, 'migrations up to date');
  // SPEC §2: reports and the CSV export may read from a hot standby (migrations reach it by
  // replication). Its pool connects on first use: a standby that is down does not stop the start.
  const readDataSource = config.DATABASE_READ_URL
    ? createDataSource(config.DATABASE_READ_URL, {
        poolSize: config.DB_POOL_SIZE,
        applicationName: 'complaint-cms-reports',
        statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
        connectTimeoutMs: READ_REPLICA_CONNECT_TIMEOUT_MS,
      })
    : null;
  const destroyReadPool = async () => {
    if (readDataSource?.isInitialized) await readDataSource.destroy();
  };
  if (readDataSource) started.push(destroyReadPool);
  checkNotInterrupted();
  // Before the worker's first sweep: its SLA events queue mail and its jobs send webhooks.
  useWebhookPolicy(dataSource, webhookPolicyFrom(config));
  useMail(dataSource, config);

  const worker = config.SLA_WORKER === 'in-process' ? await startSlaWorker(dataSource, url, log, { evidence: await loadEvidenceKeys(config, log) }) : null;
  if (worker) started.push(() => worker.stop());
  const app = await createApp({ config, dataSource, readDataSource, log, worker });
  started.push(() => app.stop());
  checkNotInterrupted();
  await listen(app.httpServer, config.PORT);
  const address = app.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  log.info({ port }, `API ready at http://localhost:${port}/graphql`);

  if (secret && !config.isProduction) {
    const tokens = await seedDemoTenant(dataSource, secret, config.jwtMaxTtlSeconds);
    const lines = tokens.map((t) => `  ${t.role.padEnd(18)} ${t.token}`);
    process.stdout.write(
      `\nDemo tenant "demo" — bearer tokens (valid 30 days):\n${lines.join('\n')}\n\n` +
        `Try: curl -s http://localhost:${port}/graphql -H 'content-type: application/json' -H "authorization: Bearer <token>" -d '{"query":"{ me { tenantId roles } }"}'\n\n`,
    );
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
      await destroyReadPool();
      if (embedded) await embedded.stop();
      clearTimeout(timer);
      log.info('stopped');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.off('SIGTERM', interruptStart);
  process.off('SIGINT', interruptStart);
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  if (interruptedBy) void shutdown(interruptedBy);
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(listenFailure(error, port));
    server.once('error', onError);
    server.listen(port, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** A failed start: one line naming the cause and what to do, everything started released, exit 1. */
main().catch(async (error) => {
  const interrupted = error instanceof StartInterrupted;
  if (interrupted) startLog?.info({ signal: interruptedBy }, 'stopped before the start completed');
  else {
    startLog?.debug({ err: error }, 'start failed');
    console.error(describeStartFailure(error));
  }
  const release = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  };
  await Promise.race([release(), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
  process.exit(interrupted ? 0 : 1);
});
