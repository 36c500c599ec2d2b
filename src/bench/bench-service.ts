import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { findFreePort, startEmbeddedPostgres } from '../db/embedded';

export const BENCH_DATABASE = 'cms_bench_load';

/** The server the bench uses: DATABASE_URL's, else an embedded one under .data/bench (as npm start does). */
export interface BenchServer {
  adminUrl: string;
  stop(): Promise<void>;
}

export async function openBenchServer(): Promise<BenchServer> {
  if (process.env.DATABASE_URL) return { adminUrl: process.env.DATABASE_URL, stop: async () => undefined };
  const embedded = await startEmbeddedPostgres(path.resolve('.data/bench'), 'postgres');
  return { adminUrl: embedded.url, stop: () => embedded.stop() };
}

export function withDatabase(url: string, database: string): string {
  const target = new URL(url);
  target.pathname = `/${database}`;
  return target.toString();
}

/** A fresh bench database each run (never dev data): figures do not drift with leftovers of earlier runs. */
export async function recreateDatabase(adminUrl: string, database: string): Promise<string> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return withDatabase(adminUrl, database);
}

export async function serverVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0].v;
  } finally {
    await client.end();
  }
}

export interface BenchService {
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * The real built service as its own process (`node dist/src/main.js`), on the bench
 * database, with the SLA worker in-process (the default), LOG_LEVEL=warn.
 */
export async function startService(databaseUrl: string, jwtSecret: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<BenchService> {
  const port = await findFreePort();
  const main = path.resolve(__dirname, '../main.js');
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: { ...process.env, DATABASE_URL: databaseUrl, JWT_SECRET: jwtSecret, LOG_LEVEL: 'warn', PORT: String(port), NODE_ENV: 'production', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}) before it was ready: ${output}`);
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service was not ready within 90 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
