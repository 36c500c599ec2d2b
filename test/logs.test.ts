import { randomBytes } from 'node:crypto';
import { Role } from '../src/auth/roles';
import { inTenantTransaction } from '../src/db/transaction';
import { createLogger } from '../src/logger';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { errorCode, startTestApp, TestApp } from './support/harness';

/**
 * SPEC §2: log lines never hold variables or PII. Erasure cannot reach a log, so a failed
 * statement's bind parameters, PostgreSQL's `detail` (which quotes the failing row or key)
 * and data values quoted in messages must never be written. The API logs into a stream
 * here, exactly as it would to stdout.
 */
const marker = (what: string) => `pii-${what}-${randomBytes(6).toString('hex')}`;

class Capture {
  lines: string[] = [];
  write(chunk: string): void {
    this.lines.push(chunk);
  }
  get text(): string {
    return this.lines.join('');
  }
  entries(): Record<string, any>[] {
    return this.lines.map((l) => JSON.parse(l));
  }
}

let t: TestApp;
const logs = new Capture();

beforeAll(async () => {
  t = await startTestApp({ LOG_LEVEL: 'info' }, { logs });
});
afterAll(() => t?.close());

test('a failing INSERT of a complaint logs the error code and request id, never the complainant, summary or description', async () => {
  const pii = { name: marker('name'), email: `${marker('email')}@example.com`, summary: marker('summary'), description: marker('description') };
  // The database refuses this one row: its detail would be "Failing row contains (…every column…)".
  await t.sql(`ALTER TABLE complaints ADD CONSTRAINT logs_test_refuse CHECK (summary <> '${pii.summary}') NOT VALID`);
  try {
    const token = await t.token(Role.AGENT);
    const res = await t.gql(token, FILE_COMPLAINT, {
      input: complaintInput({ complainant: { name: pii.name, email: pii.email }, summary: pii.summary, description: pii.description }),
    });
    expect(errorCode(res)).toBe('INTERNAL_SERVER_ERROR');
    const requestId = res.errors![0].extensions.requestId;

    const failure = logs.entries().find((e) => e.requestId === requestId && e.msg === 'internal error');
    expect(failure?.err).toMatchObject({ code: '23514', constraint: 'logs_test_refuse', table: 'complaints' });
    expect(failure?.err.message).toMatch(/violates check constraint "logs_test_refuse"/);
    for (const value of Object.values(pii)) expect(logs.text).not.toContain(value);
    expect(logs.text).not.toMatch(/Failing row contains|"parameters"|"detail"/);
  } finally {
    await t.sql(`ALTER TABLE complaints DROP CONSTRAINT logs_test_refuse`);
  }
});

test('a failing note logs no note body', async () => {
  const token = await t.token(Role.AGENT);
  const filed = await t.gql(token, FILE_COMPLAINT, { input: complaintInput() });
  const body = marker('note');
  await t.sql(`ALTER TABLE notes ADD CONSTRAINT logs_test_refuse CHECK (body <> '${body}') NOT VALID`);
  try {
    const res = await t.gql(token, 'mutation($id: ID!, $body: String!) { addNote(complaintId: $id, body: $body) { id } }', {
      id: filed.data.fileComplaint.id,
      body,
    });
    expect(errorCode(res)).toBe('INTERNAL_SERVER_ERROR');
    const failure = logs.entries().find((e) => e.requestId === res.errors![0].extensions.requestId && e.msg === 'internal error');
    expect(failure?.err.code).toBe('23514');
    expect(logs.text).not.toContain(body);
  } finally {
    await t.sql(`ALTER TABLE notes DROP CONSTRAINT logs_test_refuse`);
  }
});

describe('errors of real failing statements, logged as { err }', () => {
  const capture = new Capture();
  const log = createLogger('info', capture);

  async function failing(sql: string, params: unknown[]): Promise<unknown> {
    try {
      await inTenantTransaction(t.dataSource, 'acme', (m) => m.query(sql, params));
    } catch (error) {
      return error;
    }
    throw new Error('the statement did not fail');
  }

  test('a unique violation: the code and constraint, not "Key (email)=(…)"', async () => {
    const email = `${marker('email')}@example.com`;
    const err = await inTenantTransaction(t.dataSource, 'acme', async (m) => {
      await m.query(`CREATE TEMP TABLE contacts (email text UNIQUE) ON COMMIT DROP`);
      return m.query(`INSERT INTO contacts VALUES ($1), ($1)`, [email]).then(
        () => null,
        (e: unknown) => e,
      );
    });
    expect((err as { detail?: string }).detail).toContain(email); // what PostgreSQL said
    log.error({ err }, 'statement failed');
    const [entry] = capture.entries().slice(-1);
    expect(entry.err).toMatchObject({ code: '23505', type: 'QueryFailedError' });
    expect(entry.err.message).toMatch(/duplicate key value violates unique constraint/);
    expect(capture.text).not.toContain(email);
  });

  test('a data exception: the message keeps the type, not the quoted value (also in the stack)', async () => {
    const value = marker('search');
    const err = await failing(`SELECT id FROM complaints WHERE id = $1::uuid`, [value]);
    expect(String((err as Error).message)).toContain(value); // what PostgreSQL said
    log.error({ err }, 'statement failed');
    const [entry] = capture.entries().slice(-1);
    expect(entry.err).toMatchObject({ code: '22P02', message: 'invalid input syntax for type uuid: [redacted]' });
    expect(entry.err.stack).toMatch(/^QueryFailedError: invalid input syntax for type uuid: \[redacted\]\n/);
    expect(capture.text).not.toContain(value);
  });

  test('values passed beside an error (parameters, variables, detail) are dropped wherever they sit', () => {
    const value = marker('variables');
    log.warn(
      { variables: { email: value }, request: { variables: { q: value }, parameters: [value] }, err: Object.assign(new Error('x'), { where: value }) },
      'context',
    );
    const [entry] = capture.entries().slice(-1);
    expect(entry.msg).toBe('context');
    expect(capture.text).not.toContain(value);
  });
});

describe('a malformed request body, in production', () => {
  let prod: TestApp;
  const prodLogs = new Capture();
  const printed: unknown[][] = [];

  beforeAll(async () => {
    // Express decides at creation, from NODE_ENV, whether its fallback handler prints errors.
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      prod = await startTestApp({ NODE_ENV: 'production', isProduction: true, LOG_LEVEL: 'info' }, { logs: prodLogs });
    } finally {
      process.env.NODE_ENV = env;
    }
  });
  afterAll(() => prod?.close());

  test('is answered 400 with a JSON error, and neither our logs nor stderr get the body', async () => {
    const value = marker('body');
    const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args));
    try {
      const token = await prod.token(Role.AGENT);
      const res = await prod
        .http()
        .post('/graphql')
        .set('content-type', 'application/json')
        .set('authorization', `Bearer ${token}`)
        .send(`{"query":"mutation { addNote(complaintId: \\"x\\", body: \\"${value}\\") { id } }", "variables": {"email": "${value}"`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        errors: [{ message: 'Malformed JSON in the request body', extensions: { code: 'BAD_REQUEST', requestId: expect.any(String) } }],
      });
    } finally {
      spy.mockRestore();
    }
    expect(printed).toEqual([]);
    expect(prodLogs.text).not.toContain(value);
  });
});

describe('a failing SLA job', () => {
  let w: TestApp;
  const workerLogs = new Capture();
  beforeAll(async () => {
    w = await startTestApp({ LOG_LEVEL: 'info' }, { worker: true, logs: workerLogs });
  });
  afterAll(() => w?.close());

  test('is logged with its job id and error code, not with the value PostgreSQL quoted or the payload', async () => {
    const value = marker('job');
    await w.sql(`SELECT graphile_worker.add_job('sla_timer', json_build_object('tenantId', 'acme', 'timerId', $1::text), max_attempts := 1)`, [value]);
    const deadline = Date.now() + 20_000;
    let failure: Record<string, any> | undefined;
    while (!failure && Date.now() < deadline) {
      failure = workerLogs.entries().find((e) => e.msg === 'graphile-worker: job failed');
      if (!failure) await new Promise((r) => setTimeout(r, 100));
    }
    expect(failure).toMatchObject({ task: 'sla_timer', err: { code: '22P02', message: 'invalid input syntax for type uuid: [redacted]' } });
    expect(workerLogs.text).not.toContain(value);
  });
});
