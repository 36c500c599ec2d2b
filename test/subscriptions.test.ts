import { once } from 'node:events';
import { createClient, Client as WsClient } from 'graphql-ws';
import request from 'supertest';
import WebSocket from 'ws';
import { signDevToken } from '../src/auth/jwt';
import { Role } from '../src/auth/roles';
import { FEED_LIMITS } from '../src/events';
import { QUERY_LIMITS } from '../src/graphql/limits';
import { SUBSCRIPTION_LIMITS } from '../src/http/subscriptions';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { startTestApp, TEST_SECRET, TestApp } from './support/harness';
import { loadConfig } from '../src/config';
import { createApp } from '../src/http/app';
import { createLogger } from '../src/logger';
import { processTimer, startSlaWorker } from '../src/worker/sla-worker';

/** graphql-ws over /graphql with real clients on an ephemeral port: isolation, limits, expiry, reconnects. */
const { AGENT, DPO } = Role;
const EVENTS = 'subscription($id: ID) { complaintEvents(complaintId: $id) { id action complaintId sequence at changes hash } }';

let t: TestApp;
let url: string;
let acme: string;
let globex: string;

beforeAll(async () => {
  t = await startTestApp();
  await new Promise<void>((r) => t.app.httpServer.listen(0, '127.0.0.1', r));
  url = `ws://127.0.0.1:${(t.app.httpServer.address() as { port: number }).port}/graphql`;
  acme = await t.token(DPO);
  globex = await t.token(DPO, { tid: 'globex' });
});
afterAll(() => t?.close());

interface Closed {
  code: number;
  reason: string;
}

interface Connection {
  client: WsClient;
  closed: Promise<Closed>;
}

const open: WsClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.dispose()));
});

function connect(token: string): Connection {
  let onClosed: (c: Closed) => void = () => undefined;
  const closed = new Promise<Closed>((resolve) => (onClosed = resolve));
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: { closed: (event) => onClosed({ code: (event as { code: number }).code, reason: String((event as { reason: unknown }).reason) }) },
  });
  open.push(client);
  return { client, closed };
}

interface Feed {
  messages: any[];
  errors: any[];
  ended: Promise<void>;
}

function subscribe(client: WsClient, query: string, variables?: Record<string, unknown>): Feed {
  const feed: Feed = { messages: [], errors: [], ended: Promise.resolve() };
  feed.ended = new Promise<void>((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (m) => feed.messages.push(m),
        error: (e) => {
          feed.errors.push(e);
          resolve();
        },
        complete: resolve,
      },
    );
  });
  return feed;
}

/** One query through the same socket: the subscriptions sent before it are registered by then. */
async function settled(client: WsClient): Promise<void> {
  await new Promise<void>((resolve, reject) => client.subscribe({ query: '{ me { tenantId } }' }, { next: () => undefined, error: reject, complete: resolve }));
  await new Promise((r) => setTimeout(r, 50));
}

async function until<T>(what: string, ms: number, check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function fileComplaint(token: string, summary = 'No answer to my access request'): Promise<{ id: string; reference: string }> {
  const res = await t.gql(token, FILE_COMPLAINT, { input: complaintInput({ summary }) });
  expect(res.errors).toBeUndefined();
  return res.data.fileComplaint;
}

/** `count` audit events of one complaint committed at once, each NOTIFYed as appendAudit does. */
async function floodAuditEvents(tenantId: string, complaintId: string, count: number): Promise<void> {
  // Raw rows, not a chain: past the audit trigger that admits only the head's next link.
  await t.sql('BEGIN');
  await t.sql(`SET LOCAL session_replication_role = replica`);
  await t.sql(
    `WITH ins AS (
       INSERT INTO audit_events (tenant_id, complaint_id, chain_id, sequence, action, at, changes, hash)
       SELECT $1, $2::uuid, $2::text, 100000 + g, 'NOTE_ADDED', now(), '{"flood": true}'::jsonb, 'flood'
       FROM generate_series(1, $3::int) g
       RETURNING id, tenant_id, complaint_id)
     SELECT count(pg_notify('cms_audit', json_build_object('tenantId', tenant_id, 'complaintId', complaint_id, 'eventId', id)::text)) FROM ins`,
    [tenantId, complaintId, count],
  );
  await t.sql('COMMIT');
}

/** A graphql-transport-ws client on a raw socket, for what graphql-ws's client won't do (stop reading, oversized messages). */
async function rawSocket(token: string): Promise<{ ws: WebSocket; closed: Promise<Closed> }> {
  const ws = new WebSocket(url, 'graphql-transport-ws');
  const closed = new Promise<Closed>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => undefined);
  await once(ws, 'open');
  ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  const [ack] = await once(ws, 'message');
  expect(JSON.parse(String(ack)).type).toBe('connection_ack');
  return { ws, closed };
}

async function healthzMs(): Promise<number> {
  const started = Date.now();
  const res = await t.http().get('/healthz');
  expect(res.status).toBe(200);
  return Date.now() - started;
}

describe('tenant isolation', () => {
  test("a subscriber of one tenant never receives another tenant's events", async () => {
    const a = connect(acme);
    const b = connect(globex);
    const aFeed = subscribe(a.client, EVENTS);
    const bFeed = subscribe(b.client, EVENTS);
    await Promise.all([settled(a.client), settled(b.client)]);

    const acmeCase = await fileComplaint(acme);
    const globexCase = await fileComplaint(globex);
    await until(
      'both filings heard',
      10_000,
      () =>
        aFeed.messages.some((m) => m.data.complaintEvents.complaintId === acmeCase.id) &&
        bFeed.messages.some((m) => m.data.complaintEvents.complaintId === globexCase.id),
    );
    await new Promise((r) => setTimeout(r, 300));

    expect(aFeed.messages.length).toBeGreaterThan(0);
    expect(aFeed.messages.every((m) => m.data.complaintEvents.complaintId === acmeCase.id)).toBe(true);
    expect(bFeed.messages.every((m) => m.data.complaintEvents.complaintId === globexCase.id)).toBe(true);
  });

  test('complaintEvents(complaintId) hears that case only', async () => {
    const x = await fileComplaint(acme, 'case X');
    const a = connect(acme);
    const feed = subscribe(a.client, EVENTS, { id: x.id });
    await settled(a.client);
    await fileComplaint(acme, 'case Y');
    const note = await t.gql(acme, 'mutation($id: ID!) { addNote(complaintId: $id, body: "called back") { id } }', { id: x.id });
    expect(note.errors).toBeUndefined();
    await until('the note on X', 10_000, () => feed.messages.some((m) => m.data.complaintEvents.action === 'NOTE_ADDED'));
    expect(feed.messages.every((m) => m.data.complaintEvents.complaintId === x.id)).toBe(true);
  });
});

describe('a flood and a subscriber that stops reading', () => {
  test('the process stays up, the slow subscriber is closed with a reason, the others keep receiving', async () => {
    const flooded = await fileComplaint(acme, 'flooded case');
    const subscriptions = SUBSCRIPTION_LIMITS.maxSubscriptionsPerConnection;

    // A dashboard that stops reading: many subscriptions on one socket, then the socket is paused.
    const stalled = await rawSocket(acme);
    for (let i = 0; i < subscriptions; i++) stalled.ws.send(JSON.stringify({ id: `s${i}`, type: 'subscribe', payload: { query: EVENTS } }));
    const healthy = connect(acme);
    const healthyFeed = subscribe(healthy.client, EVENTS, { id: flooded.id });
    const other = connect(globex);
    const otherFeed = subscribe(other.client, EVENTS);
    await Promise.all([settled(healthy.client), settled(other.client)]);
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const count = 4 * FEED_LIMITS.maxPendingPerSubscription + 1000;
    const queriesBefore = t.queries.count;
    await floodAuditEvents('acme', flooded.id, count);
    await until('the healthy subscriber to hear the whole flood', 60_000, () => healthyFeed.messages.length >= count);
    // Each event is read once for all 22 subscriptions, in batches: not once per subscriber and event.
    expect(t.queries.count - queriesBefore).toBeLessThan(count / 10);
    expect(healthyFeed.errors).toEqual([]);
    expect(await healthzMs()).toBeLessThan(2000);

    // The other tenant heard none of it and still hears its own.
    const globexCase = await fileComplaint(globex);
    await until("globex's own filing", 10_000, () => otherFeed.messages.some((m) => m.data.complaintEvents.complaintId === globexCase.id));
    expect(otherFeed.messages.every((m) => m.data.complaintEvents.complaintId === globexCase.id)).toBe(true);

    // Reading again, the stalled client finds its connection closed as too slow.
    (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await stalled.closed;
    expect(closed).toEqual({ code: 1013, reason: expect.stringMatching(/too slow/i) });
  }, 90_000);

  test("past the process's backlog cap, the flooding tenant's feeds end with a reason; another tenant's go on", async () => {
    const flooded = await fileComplaint(acme, 'flooded past the backlog');
    const a = connect(acme);
    const aFeed = subscribe(a.client, EVENTS);
    const b = connect(globex);
    const bFeed = subscribe(b.client, EVENTS);
    await Promise.all([settled(a.client), settled(b.client)]);
    const cap = FEED_LIMITS.maxPendingNotices;
    FEED_LIMITS.maxPendingNotices = 50;
    try {
      await floodAuditEvents('acme', flooded.id, 2000);
      expect(await a.closed).toEqual({ code: 1013, reason: expect.stringMatching(/backlog full/i) });
    } finally {
      FEED_LIMITS.maxPendingNotices = cap;
    }
    expect(aFeed.messages.length).toBeLessThan(2000);
    const globexCase = await fileComplaint(globex);
    await until("globex's own filing", 10_000, () => bFeed.messages.some((m) => m.data.complaintEvents.complaintId === globexCase.id));
    expect(bFeed.errors).toEqual([]);
  });

  test('16 concurrent filers with a dashboard subscribed: the process stays up and the dashboard hears every filing', async () => {
    const dashboard = connect(acme);
    const feed = subscribe(dashboard.client, 'subscription { complaintEvents { id action complaintId sequence actor { id name } } }');
    await settled(dashboard.client);
    const filers = await Promise.all(Array.from({ length: 16 }, (_, i) => t.token(AGENT, { sub: `filer-${i}` })));
    const started = Date.now();
    const filed = (
      await Promise.all(
        filers.map(async (token) => {
          const ids: string[] = [];
          while (Date.now() - started < 4_000) ids.push((await fileComplaint(token, 'one of many')).id);
          return ids;
        }),
      )
    ).flat();
    await until('every filing on the dashboard', 30_000, () => {
      const heard = new Set(feed.messages.filter((m) => m.data.complaintEvents.action === 'COMPLAINT_FILED').map((m) => m.data.complaintEvents.complaintId));
      return filed.every((id) => heard.has(id));
    });
    expect(feed.errors).toEqual([]);
    expect(await healthzMs()).toBeLessThan(2000);
    console.log(`[subscriptions] ${filed.length} filings by 16 concurrent agents, ${feed.messages.length} events on the dashboard`);
  }, 60_000);

  test('a connection may hold a bounded number of subscriptions; one past it is refused with a clear error', async () => {
    const { client } = connect(acme);
    const feeds = Array.from({ length: SUBSCRIPTION_LIMITS.maxSubscriptionsPerConnection }, () => subscribe(client, EVENTS));
    const refused = subscribe(client, EVENTS);
    await refused.ended;
    expect(refused.errors[0][0]).toMatchObject({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' }, message: expect.stringMatching(/at most \d+/) });

    // The ones within the cap keep working.
    const filed = await fileComplaint(acme, 'heard by all twenty');
    await until('every feed within the cap to hear it', 10_000, () =>
      feeds.every((f) => f.messages.some((m) => m.data.complaintEvents.complaintId === filed.id)),
    );
    expect(feeds.every((f) => f.errors.length === 0)).toBe(true);
  });

  test('a user may hold a bounded number of connections; one past it is closed with 4429', async () => {
    const token = await t.token(AGENT, { sub: 'many-tabs' });
    const connections = Array.from({ length: SUBSCRIPTION_LIMITS.maxConnectionsPerUser }, () => connect(token));
    await Promise.all(connections.map((c) => settled(c.client)));
    const extra = connect(token);
    expect(await extra.closed).toEqual({ code: 4429, reason: expect.stringMatching(/too many connections/i) });

    // Closing one frees its place.
    await connections[0].client.dispose();
    const again = connect(token);
    await settled(again.client);
  });
});

describe('the same limits as HTTP', () => {
  async function overSocket(query: string, variables?: Record<string, unknown>): Promise<any[]> {
    const { client } = connect(acme);
    const feed = subscribe(client, query, variables);
    await feed.ended;
    expect(feed.messages).toEqual([]);
    return feed.errors[0];
  }

  test('an over-cost operation is refused over the socket with the code HTTP gives it', async () => {
    const pages = Array.from(
      { length: 10 },
      (_, i) => `p${i}: complaints(first: $first) { edges { node { id auditTrail(first: $first) { edges { node { id action actor { id name } } } } } } }`,
    ).join(' ');
    const query = `query ($first: Int) { ${pages} }`;
    const overHttp = await t.gql(acme, query, { first: 100 });
    const errors = await overSocket(query, { first: 100 });
    expect(errors[0].message).toMatch(/cost limit/i);
    expect(errors[0].extensions.code).toBe(overHttp.errors?.[0].extensions.code);
    expect(errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  test('an over-depth operation is refused over the socket', async () => {
    let selection = 'name';
    for (let level = 0; level < 17; level++) selection = `ofType { ${selection} }`;
    const errors = await overSocket(`{ __type(name: "Complaint") { fields { type { ${selection} } } } }`);
    expect(errors.map((e) => e.extensions.code)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(errors.map((e) => e.message)).toContainEqual(expect.stringMatching(new RegExp(`depth limit of ${QUERY_LIMITS.maxDepth}\\b`, 'i')));
  });

  test('a subscription of more tokens than the limit is refused as a parse failure', async () => {
    const fields = Array.from({ length: QUERY_LIMITS.maxTokens + 500 }, () => 'id').join(' ');
    const errors = await overSocket(`subscription { complaintEvents { ${fields} } }`);
    expect(errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(errors[0].message).toMatch(/more th\w+ 5000 tokens/i);
  });

  test('a 2 MB message closes the socket with 1009 and /healthz stays prompt', async () => {
    const { ws, closed } = await rawSocket(acme);
    const padding = 'x'.repeat(2 * 1024 * 1024);
    ws.send(JSON.stringify({ id: 'big', type: 'subscribe', payload: { query: `subscription { complaintEvents { id } } # ${padding}` } }));
    expect((await closed).code).toBe(1009);
    expect(await healthzMs()).toBeLessThan(2000);
  });

  test('a subscription posted over HTTP is a 400 BAD_REQUEST pointing at graphql-ws', async () => {
    const res = await t.gql(acme, 'subscription { complaintEvents { id } }');
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions.code).toBe('BAD_REQUEST');
    expect(res.errors?.[0].message).toMatch(/graphql-ws.*\/graphql/i);
  });
});

describe('token expiry', () => {
  test('a subscription ends with 4401 "token expired" when its token expires, and hears nothing after', async () => {
    const shortLived = await signDevToken(TEST_SECRET, { sub: 'acme-dpo', tid: 'acme', roles: [DPO] }, '3s');
    const { client, closed } = connect(shortLived);
    const feed = subscribe(client, EVENTS);
    await settled(client);
    const before = await fileComplaint(acme, 'before expiry');
    await until('the event before expiry', 10_000, () => feed.messages.some((m) => m.data.complaintEvents.complaintId === before.id));

    const started = Date.now();
    expect(await closed).toEqual({ code: 4401, reason: 'token expired' });
    expect(Date.now() - started).toBeLessThan(4000);
    const heard = feed.messages.length;
    await fileComplaint(acme, 'after expiry');
    await new Promise((r) => setTimeout(r, 300));
    expect(feed.messages.length).toBe(heard);
  });
});

describe('when the LISTEN connection drops', () => {
  const terminateListener = () =>
    t.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'complaint-cms-events' AND datname = current_database()`);
  /** Terminates the LISTEN backend again whenever it comes back, for `ms`: a gap a loaded machine cannot miss. */
  const holdListenerDown = async (ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await terminateListener();
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  const readyzWhileDown = () =>
    until('/readyz to report the listener down', 5_000, async () => {
      const res = await t.http().get('/readyz');
      return res.status === 503 && res.body;
    });

  test('a change made while it reconnects still reaches the subscriber, once; /readyz is 503 meanwhile and 200 after', async () => {
    const { client } = connect(acme);
    const feed = subscribe(client, EVENTS);
    await settled(client);

    const [terminated] = await terminateListener();
    expect(terminated.pg_terminate_backend).toBe(true);
    const held = holdListenerDown(1_500);
    expect(await readyzWhileDown()).toEqual({ status: 'unavailable', down: ['eventListener'], checks: { database: 'up', eventListener: 'down' } });
    const missed = await fileComplaint(acme, 'filed while the listener reconnects');
    await held;
    const filed = await until('the missed filing', 15_000, () =>
      feed.messages.find((m) => m.data.complaintEvents.complaintId === missed.id && m.data.complaintEvents.action === 'COMPLAINT_FILED'),
    );
    expect(filed).toBeDefined();
    await until('/readyz 200 again', 10_000, async () => (await t.http().get('/readyz')).status === 200);

    const after = await fileComplaint(acme, 'filed after the reconnect');
    await until('the next filing', 10_000, () => feed.messages.some((m) => m.data.complaintEvents.complaintId === after.id));
    const ids = feed.messages.map((m) => m.data.complaintEvents.id);
    expect(new Set(ids).size).toBe(ids.length);
  }, 40_000);

  test('an SLA breach raised while it reconnects reaches slaAlerts subscribers once, caught up from the audit trail', async () => {
    const c = await fileComplaint(acme, 'the clock runs out while the listener is down');
    const [timer] = await t.sql(`SELECT id FROM sla_timers WHERE complaint_id = $1 AND status = 'RUNNING' ORDER BY due_at LIMIT 1`, [c.id]);
    const { client } = connect(acme);
    const feed = subscribe(client, 'subscription { slaAlerts { kind reference complaintId timer { id status } } }');
    await settled(client);

    const held = holdListenerDown(1_500);
    await readyzWhileDown();
    await t.sql(`UPDATE sla_timers SET due_at = now() - interval '1 minute' WHERE id = $1`, [timer.id]);
    await processTimer(t.dataSource, createLogger('silent'), 'acme', timer.id); // what the worker does when the timer falls due
    await held;

    const alert = await until('the breach alert', 15_000, () => feed.messages.find((m) => m.data.slaAlerts.timer.id === timer.id));
    expect(alert.data.slaAlerts).toEqual({ kind: 'BREACHED', reference: c.reference, complaintId: c.id, timer: { id: timer.id, status: 'BREACHED' } });
    await until('/readyz 200 again', 10_000, async () => (await t.http().get('/readyz')).status === 200);
    await new Promise((r) => setTimeout(r, 300));
    expect(feed.messages.filter((m) => m.data.slaAlerts.timer.id === timer.id)).toHaveLength(1);
  }, 40_000);
});

describe('/readyz with the SLA worker in the process', () => {
  test('names the worker: up while it runs, 503 with "worker" down once it has stopped', async () => {
    const log = createLogger('silent');
    const worker = await startSlaWorker(t.dataSource, t.databaseUrl, log, { pollInterval: 100 });
    const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent' });
    const app = await createApp({ config, dataSource: t.dataSource, log, worker });
    try {
      const up = await t.http().get('/readyz'); // the first app has no worker: unchanged
      expect(up.body).toEqual({ status: 'ready', checks: { database: 'up', eventListener: 'up' } });
      const ready = await request(app.httpServer).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', checks: { database: 'up', eventListener: 'up', worker: 'up' } });

      await worker.stop();
      const down = await request(app.httpServer).get('/readyz');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: 'unavailable', down: ['worker'], checks: { database: 'up', eventListener: 'up', worker: 'down' } });
    } finally {
      await app.stop();
      if (worker.running) await worker.stop();
    }
  });
});
