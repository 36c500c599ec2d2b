import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { Role } from '../src/auth/roles';
import { nextRetryDelayMs } from '../src/domain/webhook-events';
import { useWebhookPolicy, webhookPolicyOf } from '../src/webhooks/url-policy';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { errorCode, startTestApp, TestApp } from './support/harness';

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A real receiver: records every request; each path answers with its own script of status codes. */
class Receiver {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, number[]>();
  private server: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ path, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
        const script = this.scripts.get(path) ?? [];
        if (script[0] === 0) return; // never answers
        res.statusCode = script.length > 1 ? script.shift()! : (script[0] ?? 200);
        res.end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  answer(path: string, ...codes: number[]): string {
    this.scripts.set(path, codes);
    return `${this.url}${path}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

async function until<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CREATE = `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id url events active createdAt } } }`;
const DELIVERIES = `query($endpointId: ID, $status: [WebhookDeliveryStatus!]) {
  webhookDeliveries(endpointId: $endpointId, status: $status) { edges { cursor node { id event status attempts lastStatusCode lastAttemptAt nextAttemptAt payload createdAt endpoint { id active } } } pageInfo { hasNextPage endCursor } }
}`;

let t: TestApp;
const receiver = new Receiver();
beforeAll(async () => {
  await receiver.start();
  t = await startTestApp({ WEBHOOK_RETRY_BASE_MS: 200, WEBHOOK_TIMEOUT_MS: 300 }, { worker: true });
});
afterAll(async () => {
  await t.close();
  await receiver.stop();
});

/** Each scenario in its own tenant, so endpoints of one never receive another's events. */
async function tenant(tid: string) {
  return { admin: await t.token(Role.ADMIN, { tid }), agent: await t.token(Role.AGENT, { tid }) };
}

async function register(admin: string, url: string, events = ['COMPLAINT_FILED']) {
  const res = await t.gql(admin, CREATE, { input: { url, events } });
  expect(res.errors).toBeUndefined();
  return res.data.createWebhookEndpoint as { secret: string; endpoint: { id: string } };
}

async function deliveries(admin: string, endpointId: string) {
  const res = await t.gql(admin, DELIVERIES, { endpointId });
  expect(res.errors).toBeUndefined();
  return res.data.webhookDeliveries.edges.map((e: any) => e.node);
}

describe('webhooks', () => {
  test('a receiver gets a signed complaint.filed delivery that verifies with the endpoint secret, without PII or free text', async () => {
    const { admin, agent } = await tenant('wh-signed');
    const { secret, endpoint } = await register(admin, receiver.answer('/signed'));
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const filed = await t.gql(agent, FILE_COMPLAINT, {
      input: complaintInput({
        complainant: { name: 'Zelda PIIMARKER', email: 'zelda.piimarker@example.com', phone: '+49 30 999999' },
        summary: 'FREETEXTMARKER summary',
        description: 'FREETEXTMARKER description',
      }),
    });
    expect(filed.errors).toBeUndefined();
    const [request] = await until(() => receiver.at('/signed').length > 0 && receiver.at('/signed'));
    const payload = new Webhook(secret).verify(request.body, request.headers) as any;
    expect(payload).toMatchObject({
      type: 'complaint.filed',
      data: { complaintId: filed.data.fileComplaint.id, reference: filed.data.fileComplaint.reference, stage: 'INTERNAL_DPO', status: 'OPEN' },
    });
    expect(request.body).not.toMatch(/PIIMARKER|piimarker|999999|FREETEXTMARKER/);
    expect(() => new Webhook(`whsec_${Buffer.from('another secret of 32 bytes!!!!!!').toString('base64')}`).verify(request.body, request.headers)).toThrow();
    const [delivery] = await until(async () => {
      const rows = await deliveries(admin, endpoint.id);
      return rows[0]?.status === 'DELIVERED' && rows;
    });
    expect(delivery).toMatchObject({
      id: request.headers['webhook-id'],
      event: 'COMPLAINT_FILED',
      attempts: 1,
      lastStatusCode: 200,
      nextAttemptAt: null,
      endpoint: { id: endpoint.id, active: true },
    });
    expect(delivery.payload).toEqual(JSON.parse(request.body));
  });

  test('the endpoint list shows no secret, and other roles see no endpoints', async () => {
    const { admin } = await tenant('wh-signed');
    const res = await t.gql(admin, '{ webhookEndpoints { id url events active createdAt } }');
    expect(res.data.webhookEndpoints).toHaveLength(1);
    expect(JSON.stringify(res.body)).not.toMatch(/whsec_/);
    expect(errorCode(await t.gql(await t.token(Role.DPO, { tid: 'wh-signed' }), '{ webhookEndpoints { id } }'))).toBe('FORBIDDEN');
  });

  test('a failing receiver (500, then 200) is retried with backoff and delivered with the same webhook-id', async () => {
    const { admin, agent } = await tenant('wh-flaky');
    const { endpoint } = await register(admin, receiver.answer('/flaky', 500, 200));
    await t.gql(agent, FILE_COMPLAINT, { input: complaintInput() });
    const requests = await until(() => receiver.at('/flaky').length >= 2 && receiver.at('/flaky'));
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const [delivery] = await until(async () => {
      const rows = await deliveries(admin, endpoint.id);
      return rows[0]?.status === 'DELIVERED' && rows;
    });
    expect(delivery).toMatchObject({ id: requests[0].headers['webhook-id'], attempts: 2, lastStatusCode: 200 });
  });

  test('redelivery sends the same delivery again with the same webhook-id', async () => {
    const { admin, agent } = await tenant('wh-redeliver');
    const { endpoint } = await register(admin, receiver.answer('/again'));
    await t.gql(agent, FILE_COMPLAINT, { input: complaintInput() });
    const [first] = await until(() => receiver.at('/again').length > 0 && receiver.at('/again'));
    await until(async () => (await deliveries(admin, endpoint.id))[0]?.status === 'DELIVERED');
    const res = await t.gql(admin, `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id status } }`, { id: first.headers['webhook-id'] });
    expect(res.data.redeliverWebhook).toEqual({ id: first.headers['webhook-id'], status: 'PENDING' });
    const requests = await until(() => receiver.at('/again').length >= 2 && receiver.at('/again'));
    expect(requests[1].headers['webhook-id']).toBe(first.headers['webhook-id']);
    const [delivery] = await until(async () => {
      const rows = await deliveries(admin, endpoint.id);
      return rows[0]?.status === 'DELIVERED' && rows;
    });
    expect(delivery.attempts).toBe(2);
    expect(await t.sql('SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id])).toEqual([{ n: 1 }]);
  });

  test('a 410 answer fails the delivery and deactivates the endpoint', async () => {
    const { admin, agent } = await tenant('wh-gone');
    const { endpoint } = await register(admin, receiver.answer('/gone', 410));
    await t.gql(agent, FILE_COMPLAINT, { input: complaintInput() });
    const [delivery] = await until(async () => {
      const rows = await deliveries(admin, endpoint.id);
      return rows[0]?.status === 'FAILED' && rows;
    });
    expect(delivery).toMatchObject({ attempts: 1, lastStatusCode: 410, nextAttemptAt: null, endpoint: { active: false } });
    await t.gql(agent, FILE_COMPLAINT, { input: complaintInput() });
    expect(await deliveries(admin, endpoint.id)).toHaveLength(1); // an inactive endpoint gets no new deliveries
  });

  test('one delivery per event and endpoint, only to endpoints subscribed to the event', async () => {
    const { admin, agent } = await tenant('wh-subscribed');
    const filedOnly = await register(admin, receiver.answer('/filed-only'));
    const resolvedOnly = await register(admin, receiver.answer('/resolved-only'), ['COMPLAINT_RESOLVED']);
    await t.gql(agent, FILE_COMPLAINT, { input: complaintInput() });
    await until(async () => (await deliveries(admin, filedOnly.endpoint.id))[0]?.status === 'DELIVERED');
    expect(await deliveries(admin, filedOnly.endpoint.id)).toHaveLength(1);
    expect(await deliveries(admin, resolvedOnly.endpoint.id)).toHaveLength(0);
  });

  test('a receiver that does not answer in time is an attempt without status code, retried later', async () => {
    const { admin, agent } = await tenant('wh-slow');
    const { endpoint } = await register(admin, receiver.answer('/slow', 0));
    await t.gql(agent, FILE_COMPLAINT, { input: complaintInput() });
    const [delivery] = await until(async () => {
      const rows = await deliveries(admin, endpoint.id);
      return rows[0]?.attempts >= 1 && rows;
    });
    expect(delivery).toMatchObject({ status: 'PENDING', lastStatusCode: null });
    expect(delivery.nextAttemptAt).not.toBeNull();
  });

  test('the address is checked again at delivery time: a URL that became private is not called', async () => {
    const { admin, agent } = await tenant('wh-recheck');
    const { endpoint } = await register(admin, receiver.answer('/recheck'));
    const permissive = webhookPolicyOf(t.dataSource);
    useWebhookPolicy(t.dataSource, { ...permissive, allowPrivate: false });
    try {
      await t.gql(agent, FILE_COMPLAINT, { input: complaintInput() });
      const [delivery] = await until(async () => {
        const rows = await deliveries(admin, endpoint.id);
        return rows[0]?.attempts >= 1 && rows;
      });
      expect(delivery).toMatchObject({ status: 'PENDING', lastStatusCode: null });
      expect(receiver.at('/recheck')).toHaveLength(0);
    } finally {
      useWebhookPolicy(t.dataSource, permissive);
    }
    await until(async () => (await deliveries(admin, endpoint.id))[0]?.status === 'DELIVERED');
    expect(receiver.at('/recheck')).toHaveLength(1);
  });

  test('sla.breached carries the timer (id, kind, regime, dueAt, status) and the case, nothing more', async () => {
    const { admin, agent } = await tenant('wh-sla');
    const { secret, endpoint } = await register(admin, receiver.answer('/sla'), ['SLA_BREACHED']);
    const filed = await t.gql(agent, FILE_COMPLAINT, { input: complaintInput({ receivedAt: '2025-01-06T09:00:00.000Z' }) });
    const [request] = await until(() => receiver.at('/sla').length > 0 && receiver.at('/sla'));
    const payload = new Webhook(secret).verify(request.body, request.headers) as any;
    expect(payload.type).toBe('sla.breached');
    expect(Object.keys(payload.data).sort()).toEqual(['complaintId', 'reference', 'stage', 'status', 'timer']);
    expect(payload.data.complaintId).toBe(filed.data.fileComplaint.id);
    expect(Object.keys(payload.data.timer).sort()).toEqual(['dueAt', 'id', 'kind', 'regime', 'status']);
    expect(payload.data.timer.status).toBe('BREACHED');
    await until(async () => (await deliveries(admin, endpoint.id)).length > 0);
  });

  test('backoff doubles per attempt with jitter, capped at an hour', () => {
    expect(nextRetryDelayMs(1, 5000, () => 0)).toBe(2500);
    expect(nextRetryDelayMs(1, 5000, () => 1)).toBe(5000);
    expect(nextRetryDelayMs(3, 5000, () => 1)).toBe(20000);
    expect(nextRetryDelayMs(40, 5000, () => 1)).toBe(3_600_000);
  });

  test('update and delete an endpoint', async () => {
    const { admin } = await tenant('wh-manage');
    const { endpoint } = await register(admin, receiver.answer('/manage'));
    const updated = await t.gql(
      admin,
      `mutation($id: ID!, $input: WebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $input) { id url events active } }`,
      {
        id: endpoint.id,
        input: { url: receiver.answer('/manage2'), events: ['SLA_BREACHED', 'SLA_WARNING'], active: false },
      },
    );
    expect(updated.data.updateWebhookEndpoint).toMatchObject({
      id: endpoint.id,
      url: `${receiver.url}/manage2`,
      events: ['SLA_BREACHED', 'SLA_WARNING'],
      active: false,
    });
    const deleted = await t.gql(admin, `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
    expect(deleted.data.deleteWebhookEndpoint).toBe(true);
    expect(errorCode(await t.gql(admin, `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id }))).toBe('NOT_FOUND');
  });
});

describe('webhook URLs in production settings (WEBHOOK_ALLOW_HTTP=false, WEBHOOK_ALLOW_PRIVATE=false)', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await startTestApp({ webhookAllowHttp: false, webhookAllowPrivate: false });
  });
  afterAll(() => strict.close());

  test.each([
    ['https://127.0.0.1/hook', 'must not point to a loopback or private address'],
    ['https://10.1.2.3/hook', 'must not point to a loopback or private address'],
    ['https://[::1]/hook', 'must not point to a loopback or private address'],
    ['https://localhost/hook', 'must not point to a loopback or private address'],
    ['https://192.168.1.10/hook', 'must not point to a loopback or private address'],
    ['http://93.184.215.14/hook', 'must be an https URL'],
    ['not a url', 'must be an absolute URL'],
  ])('refuses %s', async (url, message) => {
    const admin = await strict.token(Role.ADMIN);
    const res = await strict.gql(admin, CREATE, { input: { url, events: ['COMPLAINT_FILED'] } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions.fields).toEqual({ 'input.url': message });
    expect(await strict.sql('SELECT count(*)::int AS n FROM webhook_endpoints')).toEqual([{ n: 0 }]);
  });

  test('accepts a public https address', async () => {
    const res = await strict.gql(await strict.token(Role.ADMIN), CREATE, { input: { url: 'https://93.184.215.14/hook', events: ['AUDIT_CHECKPOINT'] } });
    expect(res.errors).toBeUndefined();
  });
});
