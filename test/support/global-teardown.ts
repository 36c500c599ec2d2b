import { rmSync } from 'node:fs';
import { Client } from 'pg';
import type { EmbeddedDatabase } from '../../src/db/embedded';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __EMBEDDED_PG__?: { embedded: EmbeddedDatabase; dataDir: string } }).__EMBEDDED_PG__;
  if (state) {
    await state.embedded.destroy();
    rmSync(state.dataDir, { recursive: true, force: true });
    return;
  }
  const admin = new Client({ connectionString: process.env.TEST_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${process.env.TEST_TEMPLATE_DB}`);
  await admin.end();
}
