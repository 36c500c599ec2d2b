import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Role } from '../src/auth/roles';
import { startTestApp, TEST_SECRET, TestApp } from './support/harness';
import { ensureBuilt, startService, waitFor } from './support/processes';

/** SPEC §2: traces go to an OpenTelemetry collector when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
let t: TestApp;
beforeAll(async () => {
  ensureBuilt();
  t = await startTestApp();
}, 180_000);
afterAll(() => t?.close());

test('a GraphQL request is traced through HTTP, GraphQL and PostgreSQL to the collector, without variables', async () => {
  // A collector of our own: it keeps what the service exports to /v1/traces (OTLP over HTTP).
  const exported: Buffer[] = [];
  const collector = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') exported.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' }).end();
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  const service = startService(
    {
      DATABASE_URL: t.databaseUrl,
      JWT_SECRET: TEST_SECRET,
      NODE_ENV: 'test',
      SLA_WORKER: 'off',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
    'node',
  );
  try {
    const url = await service.ready;
    const res = await request(url)
      .post('/graphql')
      .set('authorization', `Bearer ${await t.token(Role.AGENT)}`)
      .send({
        query: 'query TracedMe($r: String!) { me { tenantId } complaintByReference(reference: $r) { id } }',
        operationName: 'TracedMe',
        variables: { r: 'variable-value-never-exported' },
      });
    expect(res.body.data.me).toEqual({ tenantId: 'acme' });
    const all = () => Buffer.concat(exported).toString('latin1');
    expect(await waitFor(() => all().includes('TracedMe') && all().includes('postgresql') && all().includes('POST'), 20_000)).toBe(true);
    expect(all()).not.toContain('variable-value-never-exported');
  } finally {
    process.kill(service.child.pid!, 'SIGTERM');
    await service.exited;
    collector.close();
  }
}, 120_000);
