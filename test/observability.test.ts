import request from 'supertest';
import { Role } from '../src/auth/roles';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { startTestApp, TEST_SECRET, TestApp } from './support/harness';
import { ensureBuilt, startService, waitFor } from './support/processes';

/** SPEC §2 "Operating it": the access log, JSON errors outside GraphQL, /metrics. */
const METRICS_TOKEN = 'metrics-token-0123456789';
let t: TestApp;

beforeAll(async () => {
  ensureBuilt();
  t = await startTestApp({ METRICS_TOKEN }, { worker: true });
}, 180_000);
afterAll(() => t?.close());

describe('access log', () => {
  test('one JSON line per request at info: request id, operation, tenant, user, status, error codes, duration, ISO time; never variables, query text or tokens', async () => {
    // The real service on this test's database, its log read from its stdout.
    const service = startService({ DATABASE_URL: t.databaseUrl, JWT_SECRET: TEST_SECRET, NODE_ENV: 'test', SLA_WORKER: 'off' }, 'node');
    const url = await service.ready;
    const logStart = service.output().length;
    const agent = await t.token(Role.AGENT);
    const personal = complaintInput({ complainant: { name: 'Quintus Uniquename', email: 'quintus@private.example' } });

    const requests: [string, () => request.Test][] = [
      [
        'named query',
        () =>
          request(url)
            .post('/graphql')
            .set('authorization', `Bearer ${agent}`)
            .set('x-request-id', 'trace-me-0001')
            .send({ query: 'query Me { me { tenantId } }', operationName: 'Me' }),
      ],
      [
        'mutation with PII',
        () =>
          request(url)
            .post('/graphql')
            .set('authorization', `Bearer ${agent}`)
            .send({ query: FILE_COMPLAINT, variables: { input: personal } }),
      ],
      ['no token', () => request(url).post('/graphql').send({ query: 'query Anonymous { me { tenantId } }', operationName: 'Anonymous' })],
      ['invalid query', () => request(url).post('/graphql').set('authorization', `Bearer ${agent}`).send({ query: '{ noSuchField }' })],
      ['malformed JSON', () => request(url).post('/graphql').set('content-type', 'application/json').send('{"query": ')],
      [
        'GET with the query in the URL',
        () =>
          request(url)
            .get('/graphql?query=%7B%20me%20%7B%20tenantId%20%7D%20%7D')
            .set('apollo-require-preflight', 'true')
            .set('authorization', `Bearer ${agent}`),
      ],
      ['health', () => request(url).get('/healthz')],
    ];
    for (const [, send] of requests) await send();
    await waitFor(
      () =>
        service
          .output()
          .slice(logStart)
          .split('\n')
          .filter((l) => l.includes('"msg":"request ')).length >= requests.length,
    );
    process.kill(service.child.pid!, 'SIGTERM');
    await service.exited;

    const lines = service
      .output()
      .slice(logStart)
      .split('\n')
      .filter((l) => l.includes('"msg":"request '));
    expect(lines).toHaveLength(requests.length);
    const entries = lines.map((l) => JSON.parse(l));
    for (const entry of entries) {
      expect(entry).toMatchObject({
        level: 30,
        requestId: expect.any(String),
        req: { method: expect.any(String), path: expect.any(String) },
        res: { status: expect.any(Number) },
        ms: expect.any(Number),
      });
      expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const [named, mutation, anonymous, invalid, malformed, viaGet, health] = entries;
    expect(named).toMatchObject({ requestId: 'trace-me-0001', operationName: 'Me', tenantId: 'acme', userId: 'acme-agent', res: { status: 200 } });
    expect(named.errorCodes).toBeUndefined();
    expect(mutation).toMatchObject({ operationName: 'File', tenantId: 'acme', userId: 'acme-agent', res: { status: 200 } });
    expect(anonymous).toMatchObject({ operationName: 'Anonymous', errorCodes: ['UNAUTHENTICATED'], res: { status: 401 } });
    expect(anonymous.tenantId).toBeUndefined();
    expect(invalid).toMatchObject({ errorCodes: ['GRAPHQL_VALIDATION_FAILED'], res: { status: 400 }, tenantId: 'acme' });
    expect(malformed).toMatchObject({ errorCodes: ['BAD_REQUEST'], res: { status: 400 } });
    expect(viaGet).toMatchObject({ req: { method: 'GET', path: '/graphql' }, res: { status: 200 } });
    expect(health).toMatchObject({ req: { path: '/healthz' }, res: { status: 200 } });

    const text = lines.join('\n');
    for (const secret of ['Quintus', 'quintus@private.example', 'No answer to my access request', 'tenantId }', agent, 'noSuchField', 'query=']) {
      expect(text).not.toContain(secret);
    }
    // Every line the service wrote is JSON (the demo tokens aside): no HTML, no stack.
    for (const line of service
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{')))
      expect(() => JSON.parse(line)).not.toThrow();
  }, 120_000);
});

describe('errors outside GraphQL', () => {
  test('a malformed JSON body is a 400 GraphQL error with code BAD_REQUEST, not an HTML page', async () => {
    const res = await request(t.app.httpServer).post('/graphql').set('content-type', 'application/json').send('{"query": "{ me ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      errors: [{ message: 'Malformed JSON in the request body', extensions: { code: 'BAD_REQUEST', requestId: expect.any(String) } }],
    });
    expect(res.text).not.toMatch(/<html|at \w+ \(/i);
  });

  test('a body over the limit is a 413 with code BAD_REQUEST', async () => {
    const res = await request(t.app.httpServer)
      .post('/graphql')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ query: `{ me { tenantId } } #${'x'.repeat(1_100_000)}` }));
    expect(res.status).toBe(413);
    expect(res.body.errors[0]).toMatchObject({ message: 'The request body is too large', extensions: { code: 'BAD_REQUEST' } });
  });
});

describe('/metrics', () => {
  const scrape = () => request(t.app.httpServer).get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`);
  const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

  test('with METRICS_TOKEN set, a scrape needs it as a bearer token', async () => {
    expect((await request(t.app.httpServer).get('/metrics')).status).toBe(401);
    expect((await request(t.app.httpServer).get('/metrics').set('authorization', 'Bearer wrong-token-0123456789')).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('graphql_operation_duration_ms');
  });

  test('errors by code, counted from the request pipeline', async () => {
    const before = (await scrape()).text;
    await t.gql(null, '{ me { tenantId } }');
    await t.gql(null, '{ me { tenantId } }');
    await t.gql(await t.token(Role.AGENT), '{ noSuchField }');
    const after = (await scrape()).text;
    const delta = (series: string) => value(after, series) - (value(before, series) || 0);
    expect(delta('graphql_errors_total{code="UNAUTHENTICATED"}')).toBe(2);
    expect(delta('graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}')).toBe(1);
  });

  test('SLA breaches and warnings by regime and kind, and the job queue, read from the database', async () => {
    const dpo = await t.token(Role.DPO);
    // A Californian request received 50 days ago: both CCPA clocks (10 business days, 45 days) are past due.
    const filed = await t.gql(dpo, FILE_COMPLAINT, {
      input: complaintInput({ jurisdiction: 'US-CA', receivedAt: new Date(Date.now() - 50 * 86_400_000).toISOString() }),
    });
    expect(filed.errors).toBeUndefined();
    let text = '';
    const breached = async () => {
      text = (await scrape()).text;
      return value(text, 'sla_breaches{regime="CCPA",kind="RESPOND"}') >= 1 && value(text, 'sla_breaches{regime="CCPA",kind="ACKNOWLEDGE"}') >= 1;
    };
    const until = Date.now() + 60_000;
    while (!(await breached()) && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
    expect(value(text, 'sla_breaches{regime="CCPA",kind="RESPOND"}')).toBe(1);
    expect(value(text, 'sla_breaches{regime="CCPA",kind="ACKNOWLEDGE"}')).toBe(1);
    expect(text).toMatch(/^sla_warnings\{regime="CCPA",kind="RESPOND"\} \d+$/m);
    expect(value(text, 'job_queue_due')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'job_queue_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'job_queue_failed')).toBe(0);
  }, 90_000);

  test('queue lag is the wait of the oldest due job', async () => {
    // A job nobody can run (no task of that name) that fell due a minute ago.
    await t.sql(`SELECT graphile_worker.add_job('metrics_probe', '{}'::json, run_at := now() - interval '60 seconds', job_key := 'metrics-probe')`);
    const text = (await scrape()).text;
    expect(value(text, 'job_queue_due')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'job_queue_lag_seconds')).toBeGreaterThanOrEqual(59);
    await t.sql(`SELECT graphile_worker.remove_job('metrics-probe')`);
  });
});
