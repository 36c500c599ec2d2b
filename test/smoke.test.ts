import { Role } from '../src/auth/roles';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { startTestApp, TestApp } from './support/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

test('files a complaint through the API', async () => {
  const res = await t.gql(await t.token(Role.AGENT), FILE_COMPLAINT, { input: complaintInput() });
  expect(res.errors).toBeUndefined();
  expect(res.data.fileComplaint.reference).toMatch(/^PC-\d{4}-000001$/);
});
