import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Role } from '../src/auth/roles';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { startTestApp, TestApp } from './support/harness';

let t: TestApp;
let url: string;
beforeAll(async () => {
  t = await startTestApp();
  await new Promise<void>((r) => t.app.httpServer.listen(0, '127.0.0.1', r));
  url = `ws://127.0.0.1:${(t.app.httpServer.address() as any).port}/graphql`;
});
afterAll(() => t.close());

test('a subscriber hears the audit events of its tenant', async () => {
  const token = await t.token(Role.DPO);
  const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` } });
  const received: any[] = [];
  const done = new Promise<void>((resolve, reject) => {
    client.subscribe(
      { query: 'subscription { complaintEvents { action sequence complaintId } }' },
      {
        next: (m) => {
          received.push(m);
          if (received.length >= 1) resolve();
        },
        error: reject,
        complete: () => undefined,
      },
    );
  });
  await new Promise((r) => setTimeout(r, 300));
  await t.gql(token, FILE_COMPLAINT, { input: complaintInput() });
  await done;
  expect(received[0].data.complaintEvents.action).toBe('COMPLAINT_FILED');
  await client.dispose();
});
