import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client } from 'pg';
import { Role } from '../src/auth/roles';
import { loadConfig } from '../src/config';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { errorCode, startTestApp, TestApp } from './support/harness';

/**
 * Slow and greedy clients lose their socket instead of holding it (Node's defaults: a
 * slowloris socket held 100 s, a trickled body 113 s and more, no connection cap), and a
 * statement stuck in the database is cancelled. Short limits here so the test is quick; the
 * defaults are checked at the end.
 */
const LIMITS = {
  HTTP_HEADERS_TIMEOUT_MS: 1_500,
  HTTP_REQUEST_TIMEOUT_MS: 3_000,
  HTTP_MAX_CONNECTIONS: 6,
  DB_STATEMENT_TIMEOUT_MS: 500,
  DB_EXPORT_STATEMENT_TIMEOUT_MS: 10_000,
};
const CHECK_SLACK_MS = 1_500; // Node checks the timeouts once a second

let t: TestApp;
let port: number;

beforeAll(async () => {
  t = await startTestApp(LIMITS);
  port = await listen(t.app.httpServer);
});
afterAll(() => t?.close());

interface Trickle {
  closedAfterMs: Promise<number>;
  received: () => string;
  stop: () => void;
}

/** Opens a socket, sends `head`, then one byte of `drip` every `everyMs` until the server closes it. */
function trickle(head: string, drip: string, everyMs: number): Trickle {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  let sent = 0;
  const started = Date.now();
  socket.setEncoding('utf8');
  socket.on('data', (c: string) => (received += c));
  socket.on('error', () => undefined);
  socket.write(head);
  const timer = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write(drip[sent++ % drip.length]);
  }, everyMs);
  const closedAfterMs = new Promise<number>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    }),
  );
  return {
    closedAfterMs,
    received: () => received,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

async function closedWithin(socket: Trickle, ms: number): Promise<number> {
  const guard = new Promise<number>((resolve) => setTimeout(() => resolve(-1), ms));
  const after = await Promise.race([socket.closedAfterMs, guard]);
  socket.stop();
  return after;
}

test('a slowloris client (headers one byte at a time, never finished) is cut at the header timeout', async () => {
  const socket = trickle('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ', 'abcdefghij', 300);
  const after = await closedWithin(socket, LIMITS.HTTP_HEADERS_TIMEOUT_MS + CHECK_SLACK_MS + 1_000);
  expect(after).toBeGreaterThanOrEqual(LIMITS.HTTP_HEADERS_TIMEOUT_MS - 100);
  expect(after).toBeLessThanOrEqual(LIMITS.HTTP_HEADERS_TIMEOUT_MS + CHECK_SLACK_MS);
  expect(socket.received()).toMatch(/^HTTP\/1\.1 408 /);
});

test('a body trickled in slower than the request timeout allows is cut, and nothing is run', async () => {
  const token = await t.token(Role.AGENT);
  const before = (await t.sql('SELECT count(*)::int AS n FROM complaints'))[0].n;
  const body = JSON.stringify({ query: FILE_COMPLAINT, variables: { input: complaintInput({ summary: 'trickled' }) } });
  const head = `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\n\r\n`;
  const socket = trickle(head, body, 100); // ~10 bytes a second: it would take minutes
  const after = await closedWithin(socket, LIMITS.HTTP_REQUEST_TIMEOUT_MS + CHECK_SLACK_MS + 1_000);
  expect(after).toBeGreaterThanOrEqual(LIMITS.HTTP_REQUEST_TIMEOUT_MS - 100);
  expect(after).toBeLessThanOrEqual(LIMITS.HTTP_REQUEST_TIMEOUT_MS + CHECK_SLACK_MS);
  expect(socket.received()).toMatch(/^HTTP\/1\.1 408 /);
  expect((await t.sql('SELECT count(*)::int AS n FROM complaints'))[0].n).toBe(before);
});

test('connections beyond the cap are dropped at once; the service answers again when they go', async () => {
  const held = await Promise.all(
    Array.from(
      { length: LIMITS.HTTP_MAX_CONNECTIONS },
      () =>
        new Promise<net.Socket>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => resolve(s));
          s.on('error', () => undefined);
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, 100)); // the server has accepted them
  const refused = await fetch(`http://127.0.0.1:${port}/healthz`).then(
    (r) => r.status,
    (e: Error) => e.message,
  );
  expect(refused).toBe('fetch failed');
  held.forEach((s) => s.destroy());
  await new Promise((r) => setTimeout(r, 100));
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
});

describe('statement timeouts', () => {
  let blocker: Client;
  let dpo: string;
  beforeAll(async () => {
    dpo = await t.token(Role.DPO);
    const agent = await t.token(Role.AGENT);
    expect((await t.gql(agent, FILE_COMPLAINT, { input: complaintInput() })).errors).toBeUndefined();
    expect(errorCode(await t.gql(dpo, '{ me { tenantId } }'))).toBeUndefined();
    blocker = new Client({ connectionString: t.databaseUrl });
    await blocker.connect();
  });
  afterAll(() => blocker?.end());

  test('an API statement stuck longer than the timeout is cancelled and answered as an error; the streamed export waits on under its own longer one', async () => {
    // The owner holds complaints locked for 3 s: longer than the API's 0.5 s, shorter than the export's 10 s.
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE complaints IN ACCESS EXCLUSIVE MODE');
    const started = Date.now();
    const window = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 86_400_000).toISOString()}`;
    const csv = fetch(`http://127.0.0.1:${port}/reports/complaints.csv?${window}`, { headers: { authorization: `Bearer ${dpo}` } }).then(async (r) => ({
      status: r.status,
      text: await r.text(),
      ms: Date.now() - started,
    }));
    const api = t.gql(dpo, '{ complaints(first: 5) { totalCount } }').then((r) => ({ ...r, ms: Date.now() - started }));
    const release = new Promise((r) => setTimeout(r, 3_000)).then(() => blocker.query('ROLLBACK'));

    const res = await api;
    expect(errorCode(res)).toBe('INTERNAL_SERVER_ERROR');
    expect(res.ms).toBeGreaterThanOrEqual(LIMITS.DB_STATEMENT_TIMEOUT_MS);
    expect(res.ms).toBeLessThan(2_500); // cancelled, not released by the lock's end
    await release;
    const report = await csv;
    expect(report.status).toBe(200);
    expect(report.text.split('\r\n').filter(Boolean)).toHaveLength(2); // header + the complaint
    expect(report.ms).toBeGreaterThanOrEqual(3_000);
    // Nothing of the API is left waiting in the database.
    const waiting = await t.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
    expect(waiting[0].n).toBe(0);
  });
});

test('defaults: 10 s for headers, 30 s for a request, 5 s keep-alive, 1000 connections, 100 headers, 15 s and 120 s statements; the server applies what is configured', () => {
  expect(loadConfig({})).toMatchObject({
    HTTP_HEADERS_TIMEOUT_MS: 10_000,
    HTTP_REQUEST_TIMEOUT_MS: 30_000,
    HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
    HTTP_MAX_CONNECTIONS: 1_000,
    HTTP_MAX_HEADERS_COUNT: 100,
    DB_STATEMENT_TIMEOUT_MS: 15_000,
    DB_EXPORT_STATEMENT_TIMEOUT_MS: 120_000,
  });
  const server = t.app.httpServer;
  expect({
    headers: server.headersTimeout,
    request: server.requestTimeout,
    keepAlive: server.keepAliveTimeout,
    connections: server.maxConnections,
    headerCount: server.maxHeadersCount,
  }).toEqual({
    headers: LIMITS.HTTP_HEADERS_TIMEOUT_MS,
    request: LIMITS.HTTP_REQUEST_TIMEOUT_MS,
    keepAlive: 5_000,
    connections: LIMITS.HTTP_MAX_CONNECTIONS,
    headerCount: 100,
  });
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
