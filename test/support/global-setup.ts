import 'reflect-metadata';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { runMigrations } from '../../src/db/migrate';

/**
 * Once per test run: a real PostgreSQL (DATABASE_URL, else an embedded one) and a
 * migrated template database that every test file clones into a database of its own.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dataDir = path.resolve(__dirname, '../../.data', `test-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    const embedded = await startEmbeddedPostgres(dataDir, 'postgres');
    (globalThis as { __EMBEDDED_PG__?: unknown }).__EMBEDDED_PG__ = { embedded, dataDir };
    adminUrl = embedded.url;
  }
  const template = `cms_test_tpl_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();

  await runMigrations(withDatabase(adminUrl, template));

  process.env.TEST_ADMIN_URL = adminUrl;
  process.env.TEST_TEMPLATE_DB = template;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
