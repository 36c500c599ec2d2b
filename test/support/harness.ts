import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { signDevToken, TokenClaims } from '../../src/auth/jwt';
import { Role } from '../../src/auth/roles';
import { AppConfig, loadConfig } from '../../src/config';
import { createDataSource, QueryCounter } from '../../src/db/data-source';
import { createApp, RunningApp } from '../../src/http/app';
import { createLogger } from '../../src/logger';
import { startSlaWorker } from '../../src/worker/sla-worker';

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export interface GqlResult<T = any> {
  status: number;
  data: T;
  errors?: { message: string; path?: string[]; extensions: { code: string; fields?: Record<string, string>; [k: string]: unknown } }[];
  body: any;
}

export interface TestApp {
  app: RunningApp;
  dataSource: DataSource;
  queries: QueryCounter;
  databaseUrl: string;
  http: () => request.Agent;
  /** Signs a token; defaults: sub `<tenant>-<role>`, tenant `acme`. */
  token(role: Role | Role[], claims?: Partial<TokenClaims>): Promise<string>;
  /** POST /graphql with a bearer token; returns status, data, errors. */
  gql<T = any>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  /** SQL as the database owner (bypasses RLS): for checking what was (not) written. */
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A fresh database cloned from the migrated template, and the API on it (no port bound). */
export async function startTestApp(overrides: Partial<AppConfig> = {}, options: { worker?: boolean; logs?: DestinationStream } = {}): Promise<TestApp> {
  const { url: databaseUrl, drop } = await createTestDatabase();
  const config: AppConfig = { ...loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }), ...overrides };
  const queries = new QueryCounter();
  const dataSource = createDataSource(databaseUrl, { poolSize: 20, logger: queries, statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS });
  await dataSource.initialize();
  const log = createLogger(config.LOG_LEVEL, options.logs);
  const app = await createApp({ config, dataSource, log });
  const worker = options.worker ? await startSlaWorker(dataSource, databaseUrl, log, { pollInterval: 100 }) : null;
  const owner = new Client({ connectionString: databaseUrl });
  await owner.connect();

  const testApp: TestApp = {
    app,
    dataSource,
    queries,
    databaseUrl,
    http: () => request.agent(app.httpServer),
    async token(role, claims = {}) {
      const roles = Array.isArray(role) ? role : [role];
      const tid = claims.tid ?? 'acme';
      return signDevToken(TEST_SECRET, { sub: `${tid}-${roles[0].toLowerCase()}`, tid, roles, name: `${roles[0]} of ${tid}`, ...claims });
    },
    async gql(token, query, variables) {
      const req = request(app.httpServer).post('/graphql').set('content-type', 'application/json');
      if (token) req.set('authorization', `Bearer ${token}`);
      const res = await req.send({ query, variables });
      return { status: res.status, data: res.body?.data, errors: res.body?.errors, body: res.body };
    },
    async sql(text, params) {
      return (await owner.query(text, params)).rows;
    },
    async close() {
      await app.stop();
      await worker?.stop();
      await dataSource.destroy();
      await owner.end();
      await drop();
    },
  };
  return testApp;
}

/** A fresh database cloned from the migrated template; `drop` removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = process.env.TEST_ADMIN_URL!;
  const database = `cms_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, 'postgres', async (c) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE ${database} TEMPLATE ${process.env.TEST_TEMPLATE_DB}`);
        return;
      } catch (error) {
        // 55006: the template is briefly in use by another file's CREATE DATABASE.
        if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  return {
    url: withDatabase(adminUrl, database),
    drop: () => withAdmin(adminUrl, 'postgres', async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`))),
  };
}

async function withAdmin<T>(url: string, database: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDatabase(url, database) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The first error's code, for terse assertions. */
export function errorCode(result: GqlResult): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

/** supertest's parser for a body read as UTF-8 text whatever its type (a CSV, a JWS): `req.buffer(true).parse(textBody)`. */
export const textBody: Extract<Parameters<request.Test['parse']>[0], (res: never, done: never) => void> = (res, done) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => done(null, body));
};
