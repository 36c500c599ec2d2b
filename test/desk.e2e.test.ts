import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { Role } from '../src/auth/roles';
import { signDevToken } from '../src/auth/jwt';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { startTestApp, TEST_SECRET, TestApp } from './support/harness';

/**
 * The case desk (SPEC §12) in a real headless Debian Chromium against the API on an
 * ephemeral port: no request may leave the origin, no console error, no critical axe finding.
 * `pretest` builds dist/desk when src/desk is newer.
 */
const { AGENT, DPO, COMPLIANCE_OFFICER } = Role;
const SHOTS = path.resolve(__dirname, '..', 'test-output', 'desk');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// A real browser on a shared 2-core machine: steps take seconds, not milliseconds.
jest.setTimeout(240_000);

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
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 900 }, timezoneId: 'UTC' });
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

const hasFocus = (target: Locator): Promise<boolean> => target.evaluate((el) => el === el.ownerDocument.activeElement);

/**
 * Keyboard only: presses Tab until `target` has the focus (at most `max` presses) and checks
 * the focus is visible (an outline or a ring), as a sighted keyboard user needs.
 */
async function tabTo(page: Page, target: Locator, max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await hasFocus(target)) {
      const ring = await target.evaluate((el) => {
        const style = el.ownerDocument.defaultView!.getComputedStyle(el);
        return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      });
      expect(ring).toBe(true);
      return;
    }
  }
  throw new Error(`not reached with Tab: ${target.toString()}`);
}

/** Every control has an accessible name (axe's naming rules, any impact). */
async function everyControlLabelled(page: Page, name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withRules(['label', 'button-name', 'select-name', 'link-name', 'aria-input-field-name']).analyze();
  expect(result.violations.map((v) => `${name}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** A datetime-local value (the contexts run in UTC). */
const localInput = (at: Date) => at.toISOString().slice(0, 16);

/** The whole page; with a modal dialog open, what the user sees (a full-page shot would cut its backdrop). */
const shot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });

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

  await w.page.getByRole('button', { name: /Escalate to Independent ADR/ }).click();
  const dialog = w.page.getByRole('dialog', { name: /Escalate .* to Independent ADR/ });
  await dialog.getByLabel('Reason for escalating').fill('No agreement after the DPO review');
  await dialog.getByRole('button', { name: /Escalate to Independent ADR/ }).click();
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
  await w.page.getByRole('button', { name: 'Verify audit trail' }).click();
  await w.page.getByText(/Audit trail intact: \d+ events checked/).waitFor();
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

/** Signs in with the keyboard alone: Tab to the token field, paste, Tab to "Sign in", Enter. */
async function signInByKeyboard(w: Watched, token: string): Promise<void> {
  await w.page.goto(`${base}/`);
  await w.page.getByLabel('Bearer token').waitFor();
  await tabTo(w.page, w.page.getByLabel('Bearer token'));
  await w.page.keyboard.insertText(token);
  await tabTo(w.page, w.page.getByRole('button', { name: 'Sign in', exact: true }));
  await w.page.keyboard.press('Enter');
  await w.page.getByRole('button', { name: 'Sign out' }).waitFor();
}

test('keyboard only: an agent files a complaint and a DPO escalates it, with visible focus and every control labelled', async () => {
  const agent = await openPage();
  const { page } = agent;
  await signInByKeyboard(agent, await t.token(AGENT));
  await tabTo(page, page.getByRole('link', { name: 'New complaint' }));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'New complaint' }).waitFor();
  await everyControlLabelled(page, 'intake');
  await tabTo(page, page.getByLabel('Name'));
  await page.keyboard.type('Keyboard Kim');
  await tabTo(page, page.getByLabel('Email'));
  await page.keyboard.type('kim@example.com');
  await tabTo(page, page.getByLabel('Jurisdiction'));
  await page.keyboard.type('DE');
  await tabTo(page, page.getByLabel('Rectification', { exact: true }));
  await page.keyboard.press('Space');
  await expect(page.getByLabel('Rectification', { exact: true }).isChecked()).resolves.toBe(true);
  await tabTo(page, page.getByLabel('Summary'));
  await page.keyboard.type('Wrong address kept after two requests');
  await tabTo(page, page.getByLabel('Description'));
  await page.keyboard.type('My old address is still used.');
  await tabTo(page, page.getByRole('button', { name: 'File complaint' }));
  await page.keyboard.press('Enter');
  const heading = page.getByRole('heading', { level: 1, name: /PC-\d{4}-\d{6}/ });
  await heading.waitFor();
  const reference = /PC-\d{4}-\d{6}/.exec((await heading.textContent()) ?? '')![0];
  expect(agent.problems).toEqual([]);

  const dpo = await openPage();
  await signInByKeyboard(dpo, await t.token(DPO));
  await everyControlLabelled(dpo.page, 'queue');
  await tabTo(dpo.page, dpo.page.getByRole('link', { name: reference }));
  await dpo.page.keyboard.press('Enter');
  await dpo.page.getByRole('heading', { level: 1, name: new RegExp(reference) }).waitFor();
  await everyControlLabelled(dpo.page, 'case');
  const escalate = dpo.page.getByRole('button', { name: 'Escalate to Independent ADR' });
  await tabTo(dpo.page, escalate);
  await dpo.page.keyboard.press('Enter');
  // The dialog takes the focus: the reason field is first.
  const dialog = dpo.page.getByRole('dialog', { name: /to Independent ADR/ });
  const reason = dialog.getByLabel('Reason for escalating');
  await expect(hasFocus(reason)).resolves.toBe(true);
  await everyControlLabelled(dpo.page, 'escalate dialog');
  await dpo.page.keyboard.type('The complainant asked for the independent body');
  await tabTo(dpo.page, dialog.getByRole('button', { name: 'Escalate to Independent ADR' }), 5);
  await dpo.page.keyboard.press('Space');
  await dpo.page.getByRole('heading', { level: 1, name: /Independent ADR/ }).waitFor();
  await dpo.page.locator('.timeline').getByText('Stage escalated').waitFor();
  await shot(dpo.page, 'keyboard-escalated');
  expect(dpo.problems).toEqual([]);
});

test('a case changed underneath shows CONFLICT in words; after a reload the DPO resolves and reopens it', async () => {
  const filed = await fileViaApi({ summary: 'Two agents on one case' });
  const w = await openPage();
  await signIn(w, await t.token(DPO));
  await w.page.goto(`${base}/#/case/${filed.id}`);
  await w.page.getByRole('heading', { level: 1, name: new RegExp(filed.reference) }).waitFor();
  const acknowledged = w.page.locator('.facts dt:text-is("Acknowledged") + dd');
  await expect(acknowledged.textContent()).resolves.toBe('—');

  // Meanwhile an agent acknowledges the case through the API: the version the page holds is stale.
  const ack = await t.gql(await t.token(AGENT), 'mutation($id: ID!) { acknowledgeComplaint(id: $id) { version } }', { id: filed.id });
  expect(ack.errors).toBeUndefined();

  await w.page.getByRole('button', { name: 'Resolve…' }).click();
  const dialog = w.page.getByRole('dialog', { name: /Resolve/ });
  await dialog.getByLabel('Outcome').selectOption('UPHELD');
  await dialog.getByLabel('Resolution summary').fill('Copy of the data sent');
  w.expect.push(/status of 409/);
  await dialog.getByRole('button', { name: 'Resolve', exact: true }).click();
  await dialog.getByText('Someone changed this case — reload').waitFor();
  await noCriticalAxe(w.page, 'conflict dialog');
  await shot(w.page, 'case-conflict', false);
  const unchanged = await t.gql(await t.token(DPO), 'query($id: ID!) { complaint(id: $id) { status outcome } }', { id: filed.id });
  expect(unchanged.data.complaint).toEqual({ status: 'OPEN', outcome: null });

  await dialog.getByRole('button', { name: 'Reload' }).click();
  await expect(dialog.isVisible()).resolves.toBe(false);
  await w.page.locator('.facts dt:text-is("Acknowledged") + dd', { hasText: /\d{4}/ }).waitFor();
  await w.page.getByRole('button', { name: 'Resolve…' }).click();
  await dialog.getByLabel('Outcome').selectOption('UPHELD');
  await dialog.getByLabel('Resolution summary').fill('Copy of the data sent');
  await dialog.getByRole('button', { name: 'Resolve', exact: true }).click();
  await w.page.getByRole('heading', { level: 1, name: /Resolved/ }).waitFor();

  await w.page.getByRole('button', { name: 'Reopen…' }).click();
  const reopen = w.page.getByRole('dialog', { name: /Reopen/ });
  await reopen.getByLabel('Reason').fill('The copy was incomplete');
  await reopen.getByRole('button', { name: 'Reopen', exact: true }).click();
  await w.page.getByRole('heading', { level: 1, name: /Open/ }).waitFor();
  await w.page.locator('.timeline').getByText('Reopened').waitFor();
  const after = await t.gql(await t.token(DPO), 'query($id: ID!) { complaint(id: $id) { status } }', { id: filed.id });
  expect(after.data.complaint.status).toBe('OPEN');
  expect(w.problems).toEqual([]);
});

test('a token that expires during the session returns to sign-in with a message', async () => {
  // Accepted for about 15 s more (exp 45 s ago, within the 60 s clock skew), then refused.
  const token = await signDevToken(TEST_SECRET, { sub: 'acme-dpo', tid: 'acme', roles: [DPO], name: 'DPO of acme' }, -45);
  const issued = Date.now();
  const w = await openPage();
  await signIn(w, token);
  await w.page.getByRole('table').waitFor();
  await w.page.waitForTimeout(Math.max(0, issued + 17_000 - Date.now()));
  w.expect.push(/status of 401/, /WebSocket/i);
  // click, not check: the page may leave for the sign-in before the box can be seen ticked.
  await w.page.getByLabel('Breached only').click();
  await w.page.getByText('Your session has ended — sign in again.').waitFor();
  await w.page.getByLabel('Bearer token').waitFor();
  expect(
    await w.page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('cms.token')),
  ).toBeNull();
  await shot(w.page, 'sign-in-expired');
  expect(w.problems).toEqual([]);
});

test('a DPO records the DPA panel advice, a personal-data breach and its notification, and extends a clock; field errors stay beside their fields', async () => {
  const dpoToken = await t.token(DPO);
  const hr = await fileViaApi({ summary: 'Employee data shared with a vendor', dataContext: 'EMPLOYMENT' });
  const up = await t.gql(dpoToken, 'mutation($id: ID!) { escalateComplaint(id: $id, to: DPA_PANEL, reason: "HR data: the EU DPA panel") { stage } }', {
    id: hr.id,
  });
  expect(up.data.escalateComplaint.stage).toBe('DPA_PANEL');
  const w = await openPage();
  await signIn(w, dpoToken);
  await w.page.goto(`${base}/#/case/${hr.id}`);
  await w.page.getByRole('heading', { level: 1, name: new RegExp(hr.reference) }).waitFor();
  const clocks = w.page.locator('.clocks');

  await w.page.getByRole('button', { name: 'Record panel advice…' }).click();
  const advice = w.page.getByRole('dialog', { name: /panel's advice/ });
  await noCriticalAxe(w.page, 'panel advice dialog');
  await advice.getByLabel('Advice summary').fill('Delete the shared records and confirm in writing');
  await advice.getByRole('button', { name: 'Record advice' }).click();
  await clocks.locator('.clock', { hasText: 'Comply' }).waitFor();
  await expect(w.page.getByRole('button', { name: 'Record panel advice…' }).count()).resolves.toBe(0);

  await w.page.getByRole('button', { name: 'Record personal data breach…' }).click();
  const breach = w.page.getByRole('dialog', { name: 'Record a personal data breach' });
  await breach.getByLabel('Became aware at').fill(localInput(new Date(Date.now() + 2 * 86400_000)));
  await breach.getByLabel('What happened').fill('Payroll export sent to the wrong vendor');
  w.expect.push(/status of 400/);
  await breach.getByRole('button', { name: 'Record breach' }).click();
  const awareError = breach.locator('.field.invalid', { has: w.page.getByLabel('Became aware at') }).locator('.field-error');
  await expect(awareError.textContent()).resolves.toMatch(/future/);
  await expect(breach.getByLabel('Became aware at').getAttribute('aria-invalid')).resolves.toBe('true');
  await noCriticalAxe(w.page, 'breach dialog with a field error');
  await shot(w.page, 'breach-field-error', false);
  await breach.getByLabel('Became aware at').fill(localInput(new Date(Date.now() - 3600_000)));
  await breach.getByRole('button', { name: 'Record breach' }).click();
  const notify = clocks.locator('.clock', { hasText: 'Notify authority' }).first();
  await notify.getByText('Running').waitFor();
  await w.page.locator('.facts').getByText('Authority not yet notified').waitFor();

  await w.page.getByRole('button', { name: 'Record authority notified…' }).click();
  const notified = w.page.getByRole('dialog', { name: /authority was notified/ });
  await noCriticalAxe(w.page, 'authority dialog');
  await notified.getByLabel('Authority', { exact: true }).fill('BfDI');
  await notified.getByRole('button', { name: 'Record notification' }).click();
  await notify.getByText('Met').waitFor();
  await w.page
    .locator('.facts')
    .getByText(/BfDI notified/)
    .waitFor();
  await shot(w.page, 'case-breach-and-panel');

  // GDPR Art. 12(3): the respond clock may be extended once; DPF's has no extension and offers none.
  const plain = await fileViaApi({ summary: 'Access request needs more time' });
  await w.page.goto(`${base}/#/case/${plain.id}`);
  await w.page.getByRole('heading', { level: 1, name: new RegExp(plain.reference) }).waitFor();
  await expect(w.page.getByRole('button', { name: /^Extend Respond \(DPF\)/ }).count()).resolves.toBe(0);
  await w.page.getByRole('button', { name: 'Extend Respond (GDPR)…' }).click();
  const extend = w.page.getByRole('dialog', { name: /Extend the Respond \(GDPR\) clock/ });
  await noCriticalAxe(w.page, 'extend dialog');
  await extend.getByRole('button', { name: 'Extend clock' }).click();
  await extend
    .locator('.field-error')
    .getByText(/reason/)
    .waitFor();
  await extend.getByLabel('Reason for the extension').fill('Data spread over three systems');
  await extend.getByRole('button', { name: 'Extend clock' }).click();
  await clocks.getByText('Extended once: Data spread over three systems').waitFor();
  await expect(w.page.getByRole('button', { name: /^Extend Respond/ }).count()).resolves.toBe(0);
  const timers = await t.gql(dpoToken, 'query($id: ID!) { complaint(id: $id) { slaTimers { regime kind extended } } }', { id: plain.id });
  expect(timers.data.complaint.slaTimers).toContainEqual({ regime: 'GDPR', kind: 'RESPOND', extended: true });
  expect(w.problems).toEqual([]);
});

test('intake takes a regulator referral: its fields appear with the channel, and the case starts at the regulator with its deadline', async () => {
  const w = await openPage();
  await signIn(w, await t.token(AGENT));
  await w.page.getByRole('link', { name: 'New complaint' }).click();
  await expect(w.page.getByLabel('Regulator', { exact: true }).count()).resolves.toBe(0);
  await w.page.getByLabel('Channel').selectOption('REGULATOR_REFERRAL');
  await w.page.getByLabel('Name').fill('Rita Referred');
  await w.page.getByLabel('Email').fill('rita@example.com');
  await w.page.getByLabel('Jurisdiction').fill('US-CA');
  await w.page.getByLabel('Access', { exact: true }).check();
  await w.page.getByLabel('Summary').fill('Referred by the FTC');
  await w.page.getByLabel('Description').fill('The regulator forwarded a complaint.');
  await w.page.getByLabel('Regulator', { exact: true }).fill('FTC');
  await w.page.getByLabel('Regulator reference').fill('FTC-2026-0042');
  await w.page.getByLabel('Respond by').fill(localInput(new Date(Date.now() + 20 * 86400_000)));
  await noCriticalAxe(w.page, 'intake regulator referral');
  await shot(w.page, 'intake-regulator-referral');
  await w.page.getByRole('button', { name: 'File complaint' }).click();
  await w.page.getByRole('heading', { level: 1, name: /PC-.*Regulator/ }).waitFor();
  await w.page
    .locator('.facts')
    .getByText(/FTC FTC-2026-0042/)
    .waitFor();
  await w.page.locator('.clock', { hasText: 'Regulator deadline' }).waitFor();
  // An agent is offered no DPO action.
  await expect(w.page.getByRole('button', { name: /Escalate|Extend|Record|Resolve|Erase/ }).count()).resolves.toBe(0);
  expect(w.problems).toEqual([]);
});
