import 'reflect-metadata';
import { Client } from 'pg';
import { performance } from 'node:perf_hooks';
import { signDevToken } from '../auth/jwt';
import { Role } from '../auth/roles';
import { loadConfig } from '../config';
import { createDataSource } from '../db/data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../db/embedded';
import { runMigrations } from '../db/migrate';
import { createApp } from '../http/app';
import { createLogger } from '../logger';
import { provisionActor } from '../services/provisioning.service';

/**
 * Times importComplaints of ITEMS complaints (default 1,000: SPEC §11's batch cap) through
 * HTTP, then the same batch again (idempotent: nothing written). Each item is a DE case
 * (two timers) back-dated by a few days with its own idempotency key. Uses DATABASE_URL's
 * server (a fresh database `cms_import_bench`) or an embedded PostgreSQL under .data/bench.
 * Run: npx tsc -p tsconfig.build.json && node dist/src/bench/import-bench.js
 */
const ITEMS = Number(process.env.BENCH_IMPORT_ITEMS ?? 1000);
const TENANT = 'import-bench';
const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';

const IMPORT = `mutation($items: [ImportComplaintInput!]!) { importComplaints(items: $items) { index complaint { id reference } error { code message } } }`;

function items(): Record<string, unknown>[] {
  return Array.from({ length: ITEMS }, (_, i) => ({
    idempotencyKey: `import-bench-${i}`,
    complaint: {
      complainant: { name: `Person ${i}`, email: `p${i}@example.com`, involvesChildUnder13: false },
      jurisdiction: 'DE',
      rights: ['ACCESS'],
      channel: 'EMAIL',
      summary: `Imported complaint ${i}`,
      description: 'Imported from the previous system.',
      receivedAt: new Date(Date.now() - (1 + (i % 20)) * 86_400_000).toISOString(),
      dataContext: 'CONSUMER',
      processingRole: 'CONTROLLER',
    },
  }));
}

async function main(): Promise<void> {
  let embedded: EmbeddedDatabase | null = null;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres('.data/bench', 'postgres');
    adminUrl = embedded.url;
  }
  const url = new URL(adminUrl);
  url.pathname = '/cms_import_bench';
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS cms_import_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE cms_import_bench');
  await admin.end();

  await runMigrations(url.toString());
  const dataSource = createDataSource(url.toString(), { poolSize: 10 });
  await dataSource.initialize();
  await provisionActor(dataSource, { sub: 'bench-agent', tid: TENANT, roles: [Role.AGENT], name: 'Bench agent' });
  const config = { ...loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, LOG_LEVEL: 'silent', DATABASE_URL: url.toString() }) };
  const app = await createApp({ config, dataSource, log: createLogger('silent') });
  await new Promise<void>((r) => app.httpServer.listen(0, '127.0.0.1', r));
  const port = (app.httpServer.address() as { port: number }).port;
  const token = await signDevToken(SECRET, { sub: 'bench-agent', tid: TENANT, roles: [Role.AGENT] });
  const batch = items();
  const run = async (name: string) => {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: IMPORT, variables: { items: batch } }),
    });
    const body = (await res.json()) as { errors?: unknown; data?: { importComplaints: { error: unknown }[] } };
    const seconds = (performance.now() - started) / 1000;
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    const failed = body.data!.importComplaints.filter((o) => o.error).length;
    console.log(`${name}: ${ITEMS} items in ${seconds.toFixed(1)} s (${(ITEMS / seconds).toFixed(0)} items/s), ${failed} failed`);
  };
  await run('importComplaints');
  await run('importComplaints again (idempotent)');
  const db = new Client({ connectionString: url.toString() });
  await db.connect();
  const [{ c, t, a }] = (
    await db.query(`SELECT (SELECT count(*) FROM complaints)::int c, (SELECT count(*) FROM sla_timers)::int t, (SELECT count(*) FROM audit_events)::int a`)
  ).rows;
  console.log(`written: ${c} complaints, ${t} timers, ${a} audit events`);
  await db.end();
  await app.stop();
  await dataSource.destroy();
  await embedded?.stop();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
