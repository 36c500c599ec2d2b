import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { Role } from '../src/auth/roles';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { startTestApp, TestApp } from './support/harness';

/**
 * The case desk (SPEC §12) in a real headless Debian Chromium against the API on an
 * ephemeral port: no request may leave the origin, no console error, no critical axe finding.
 * `pretest` builds dist/desk when src/desk is newer.
 */
const { AGENT, DPO, COMPLIANCE_OFFICER } = Role;
const SHOTS = path.resolve(__dirname, '..', 'test-output', 'desk');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let t: TestApp;
let base: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!existsSync(path.resolve(__dirname, '..', 'dist', 'desk', 'index.html'))) throw new Error('dist/desk is missing: run `npm run build:desk`');
  mkdirSync(SHOTS, { recursive: true });
  t = await startTestApp({}, { worker: true });
  await new Promise<void>((r) => t.app.httpServer.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(t.app.httpServer.address() as { port: number }).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await t?.close();
});

interface Watched {
  page: Page;
  problems: string[];
  /** Console errors the step expects (a 400 for a refused form), matched and forgiven. */
  expect: RegExp[];
}

/** A fresh context (no storage) whose page may only talk to the app's own origin. */
async function openPage(): Promise<Watched> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  const watched: Watched = { page, problems: [], expect: [] };
  await page.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    watched.problems.push(`request to another host: ${url}`);
    return route.abort();
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !watched.expect.some((re) => re.test(msg.text()))) watched.problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (error) => watched.problems.push(`page error: ${error.message}`));
  return watched;
}

async function signIn(w: Watched, token: string): Promise<void> {
  await w.page.goto(`${base}/`);
  await w.page.getByLabel('Bearer token').fill(token);
  await w.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await w.page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function noCriticalAxe(page: Page, name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const critical = result.violations.filter((v) => v.impact === 'critical').map((v) => `${name}: ${v.id} ${v.help}`);
  expect(critical).toEqual([]);
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

async function fileViaApi(overrides: Record<string, unknown> = {}): Promise<{ id: string; reference: string }> {
  const res = await t.gql(await t.token(AGENT), FILE_COMPLAINT, { input: complaintInput(overrides) });
  expect(res.errors).toBeUndefined();
  return res.data.fileComplaint;
}

test('the desk is served at / and the demo-token picker exists outside production', async () => {
  const page = await t.http().get('/').expect(200);
  expect(page.text).toContain('<div id="root">');
  expect(page.text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  const demo = await t.http().get('/desk/demo-tokens').expect(200);
  expect(demo.body.map((d: { role: string }) => d.role)).toEqual(['AGENT', 'DPO', 'COMPLIANCE_OFFICER', 'ADMIN']);
});

test('an agent files a complaint through the form, sees field errors, then the case in the queue', async () => {
  const w = await openPage();
  await signIn(w, await t.token(AGENT));
  await noCriticalAxe(w.page, 'queue');
  await w.page.getByRole('link', { name: 'New complaint' }).click();
  await w.page.getByLabel('Name').fill('Erika Mustermann');
  await w.page.getByLabel('Email').fill('erika@example.com');
  await w.page.getByLabel('Jurisdiction').fill('XX');
  await w.page.getByLabel('Access', { exact: true }).check();
  await w.page.getByLabel('Summary').fill('Access request unanswered for six weeks');
  await w.page.getByLabel('Description').fill('I asked for a copy of my data and heard nothing back.');
  w.expect.push(/status of 400/);
  await w.page.getByRole('button', { name: 'File complaint' }).click();
  await expect(w.page.locator('#f-jurisdiction-error').textContent()).resolves.toBeTruthy();
  await noCriticalAxe(w.page, 'intake');
  await shot(w.page, 'intake-field-errors');
  w.expect.length = 0;

  await w.page.getByLabel('Jurisdiction').fill('DE');
  await w.page.getByRole('button', { name: 'File complaint' }).click();
  await w.page.getByRole('heading', { level: 1, name: /PC-/ }).waitFor();
  await w.page.getByRole('link', { name: 'Queue' }).first().click();
  const row = w.page.getByRole('row', { name: /Access request unanswered for six weeks/ });
  await row.waitFor();
  await expect(row.textContent()).resolves.toContain('Erika Mustermann');
  await shot(w.page, 'queue-agent');
  expect(w.problems).toEqual([]);
});

test('a DPO opens a case, reads why a clock is due, escalates with a button and sees the timeline update live', async () => {
  const filed = await fileViaApi({ summary: 'Erasure request ignored' });
  const w = await openPage();
  await signIn(w, await t.token(DPO));
  await w.page.getByRole('link', { name: filed.reference }).click();
  await w.page.getByRole('heading', { level: 1, name: new RegExp(filed.reference) }).waitFor();
  await w.page.locator('.clock summary').first().click();
  await expect(w.page.locator('.steps').first().textContent()).resolves.toMatch(/\S/);
  await expect(w.page.locator('.steps li').count()).resolves.toBeGreaterThan(1);

  await w.page.getByLabel('Reason for escalating').fill('No agreement after the DPO review');
  await w.page.getByRole('button', { name: /Escalate to Independent adr/i }).click();
  await w.page.getByRole('heading', { level: 1, name: /Independent adr/i }).waitFor();
  await w.page.locator('.timeline').getByText('Stage escalated').waitFor();

  // Someone else adds a note: the timeline follows through the complaintEvents subscription.
  const note = await t.gql(await t.token(AGENT), 'mutation($id: ID!) { addNote(complaintId: $id, body: "Called the complainant") { id } }', { id: filed.id });
  expect(note.errors).toBeUndefined();
  await w.page.locator('.timeline').getByText('Note added').waitFor({ timeout: 10_000 });
  await noCriticalAxe(w.page, 'case');
  await shot(w.page, 'case-dpo');
  expect(w.problems).toEqual([]);
});

test('an SLA breach appears live as an alert', async () => {
  const w = await openPage();
  await signIn(w, await t.token(DPO));
  await w.page.getByRole('table').waitFor();
  await w.page.waitForTimeout(500); // the slaAlerts subscription is open
  const receivedAt = new Date(Date.now() - 60 * 86400_000).toISOString();
  const late = await fileViaApi({ summary: 'Overdue access request', receivedAt });
  const alert = w.page.locator('.alert.breach', { hasText: late.reference }).first();
  await alert.waitFor({ timeout: 20_000 });
  await expect(w.page.locator('[role=alert]').filter({ hasText: late.reference }).count()).resolves.toBeGreaterThan(0);
  await w.page
    .getByRole('row', { name: new RegExp(late.reference) })
    .getByText('Breached')
    .waitFor();
  await shot(w.page, 'sla-alert');
  expect(w.problems).toEqual([]);
});

test('a compliance officer sees masked PII, the report as charts, and downloads the CSV', async () => {
  const filed = await fileViaApi({ summary: 'Objection to profiling' });
  const w = await openPage();
  await signIn(w, await t.token(COMPLIANCE_OFFICER));
  await w.page.getByRole('link', { name: filed.reference }).click();
  await w.page.getByRole('heading', { level: 1, name: new RegExp(filed.reference) }).waitFor();
  await expect(w.page.locator('.facts').textContent()).resolves.toContain('***');
  await expect(w.page.getByRole('button', { name: /Escalate/ }).count()).resolves.toBe(0);
  await expect(w.page.getByRole('button', { name: 'Acknowledge receipt' }).count()).resolves.toBe(0);
  await noCriticalAxe(w.page, 'case-masked');
  await shot(w.page, 'case-compliance-masked');

  await w.page.getByRole('link', { name: 'Reports' }).click();
  await w.page.getByRole('heading', { name: 'Compliance report' }).waitFor();
  await w.page.locator('canvas').first().waitFor();
  await expect(w.page.locator('canvas').count()).resolves.toBe(4);
  await noCriticalAxe(w.page, 'reports');
  await shot(w.page, 'reports');
  const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.getByRole('button', { name: 'Download CSV' }).click()]);
  const saved = path.join(SHOTS, 'complaints.csv');
  await download.saveAs(saved);
  const csv = readFileSync(saved, 'utf8');
  expect(csv.split('\n')[0]).toMatch(/reference/i);
  expect(csv).toContain(filed.reference);
  expect(w.problems).toEqual([]);
});

test('the sign-in page passes axe and an expired session returns to it in words', async () => {
  const w = await openPage();
  await w.page.goto(`${base}/`);
  await w.page.getByLabel('Bearer token').waitFor();
  await noCriticalAxe(w.page, 'sign-in');
  await shot(w.page, 'sign-in');
  w.expect.push(/status of 401/);
  await w.page.getByLabel('Bearer token').fill('not-a-token');
  await w.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await w.page.getByText(/sign in again/i).waitFor();
  expect(
    await w.page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('cms.token')),
  ).toBeNull();
  expect(w.problems).toEqual([]);
});

test('GET /graphql in a browser is the bundled IDE with the bearer header, examples and schema docs', async () => {
  const html = await t.http().get('/graphql').set('accept', 'text/html').expect(200);
  expect(html.text).toContain('id="ide"');
  const w = await openPage();
  await w.page.goto(`${base}/`);
  await w.page.evaluate(
    (token) => (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem('cms.token', token),
    await t.token(DPO),
  );
  await w.page.goto(`${base}/graphql`);
  await w.page.locator('.graphiql-container').waitFor();
  await w.page
    .locator('.graphiql-query-editor .CodeMirror')
    .waitFor({ timeout: 5_000 })
    .catch(() => undefined);
  await shot(w.page, 'ide-start');
  await w.page.getByRole('button', { name: 'Headers', exact: true }).click();
  await expect(w.page.locator('.graphiql-editor-tool').innerText()).resolves.toContain('Bearer ');
  await w.page.getByRole('button', { name: /Execute query/i }).click();
  await w.page.locator('.result-window').getByText('"tenantId": "acme"').waitFor({ timeout: 15_000 });
  await w.page.getByRole('button', { name: /Show Documentation Explorer/i }).click();
  await w.page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor();
  await shot(w.page, 'ide');
  await noCriticalAxe(w.page, 'ide');
  expect(w.problems).toEqual([]);
});

test('in production the demo tokens are not exposed (404) and the desk is still served', async () => {
  const prod = await startTestApp({ NODE_ENV: 'production', isProduction: true });
  try {
    await prod.http().get('/desk/demo-tokens').expect(404);
    await prod.http().get('/').expect(200);
  } finally {
    await prod.close();
  }
});
