import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { signDevToken } from '../src/auth/jwt';
import { Role } from '../src/auth/roles';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { runMigrations } from '../src/db/migrate';
import { createApp, RunningApp } from '../src/http/app';
import { createLogger } from '../src/logger';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { TEST_SECRET, textBody } from './support/harness';
import { ensureBuilt, startService } from './support/processes';
import { freePort, ReplicatedPair, startReplicatedPair, superuserQuery } from './support/replication';

/**
 * SPEC §2 on a real primary and hot standby (streaming replication, PostgreSQL 15 from the
 * Debian packages): complianceReport and the CSV export read from the standby and say how
 * fresh they are, row-level security holds there, the primary answers while the standby is
 * down, and evidence bundles always read the primary.
 */
let pair: ReplicatedPair;
let dataSource: DataSource;
let readDataSource: DataSource;
let app: RunningApp;

beforeAll(async () => {
  pair = await startReplicatedPair(async (url) => {
    await superuserQuery(url(), 'CREATE DATABASE cms');
    await runMigrations(url('cms'));
  });
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent' });
  dataSource = createDataSource(pair.primary.url('cms'), { poolSize: 10 });
  await dataSource.initialize();
  // Not initialised here, as in src/main.ts: the service connects to the standby on first use.
  readDataSource = createDataSource(pair.standby.url('cms'), { poolSize: 5, connectTimeoutMs: 2_000, applicationName: 'complaint-cms-reports' });
  app = await createApp({ config, dataSource, readDataSource, log: createLogger('silent') });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  if (dataSource?.isInitialized) await dataSource.destroy();
  if (readDataSource?.isInitialized) await readDataSource.destroy();
  pair?.destroy();
}, 60_000);

const ACME = 'acme';
const GLOBEX = 'globex';
const FROM = new Date(Date.now() - 30 * 86_400_000).toISOString();
const TO = new Date(Date.now() + 30 * 86_400_000).toISOString();

const token = (role: Role, tid = ACME) => signDevToken(TEST_SECRET, { sub: `${tid}-${role.toLowerCase()}`, tid, roles: [role], name: `${role} of ${tid}` });

async function gql(bearer: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await request(app.httpServer)
    .post('/graphql')
    .set('content-type', 'application/json')
    .set('authorization', `Bearer ${bearer}`)
    .send({ query, variables });
  expect(res.body.errors).toBeUndefined();
  return res.body.data;
}

async function file(tid = ACME): Promise<{ id: string; reference: string }> {
  return (await gql(await token(Role.AGENT, tid), FILE_COMPLAINT, { input: complaintInput() })).fileComplaint;
}

interface Report {
  received: number;
  readFrom: 'STANDBY' | 'PRIMARY';
  dataAsOf: string | null;
  replicaLagSeconds: number | null;
}
const REPORT = `query ($from: DateTime!, $to: DateTime!) { complianceReport(from: $from, to: $to) { received readFrom dataAsOf replicaLagSeconds } }`;

async function report(tid = ACME): Promise<Report> {
  return (await gql(await token(Role.COMPLIANCE_OFFICER, tid), REPORT, { from: FROM, to: TO })).complianceReport;
}

/** The CSV export as a compliance officer: the references it lists and the freshness headers. */
async function csv(tid = ACME) {
  const res = await request(app.httpServer)
    .get('/reports/complaints.csv')
    .query({ from: FROM, to: TO })
    .set('authorization', `Bearer ${await token(Role.COMPLIANCE_OFFICER, tid)}`);
  expect(res.status).toBe(200);
  const [, ...rows] = parse(res.text) as string[][];
  return {
    references: rows.map((r) => r[0]).sort(),
    readFrom: res.headers['x-read-from'],
    lag: res.headers['x-replica-lag-seconds'] === undefined ? null : Number(res.headers['x-replica-lag-seconds']),
  };
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | false | undefined | null>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const onStandby = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => superuserQuery<T>(pair.standby.url('cms'), sql, params);

async function pauseReplay(): Promise<void> {
  await onStandby('SELECT pg_wal_replay_pause()');
  await until('replay paused', 10_000, async () => (await onStandby<{ s: string }>(`SELECT pg_get_wal_replay_pause_state() AS s`))[0].s === 'paused');
}
const resumeReplay = () => onStandby('SELECT pg_wal_replay_resume()');

/** WAL the standby received but has not replayed (a commit made on the primary while replay is paused). */
const untilReceivedNotReplayed = () =>
  until(
    'WAL received but not replayed',
    10_000,
    async () => (await onStandby<{ behind: boolean }>(`SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn() AS behind`))[0].behind,
  );

const references: Record<string, string> = {};
let firstId: string;

describe('complianceReport and the CSV export on a hot standby (DATABASE_READ_URL)', () => {
  test('read from the standby: a complaint filed while replay is paused is not counted yet and the report says how stale it is; after resume it catches up', async () => {
    const first = await file();
    firstId = first.id;
    references.first = first.reference;
    const caughtUp = await until('the standby to count the first complaint', 15_000, async () => {
      const r = await report();
      return r.received === 1 && r;
    });
    expect(caughtUp).toMatchObject({ readFrom: 'STANDBY', replicaLagSeconds: 0 });
    expect(Math.abs(Date.parse(caughtUp.dataAsOf!) - Date.now())).toBeLessThan(5_000);

    await pauseReplay();
    const beforeSecond = Date.now();
    references.second = (await file()).reference;
    await untilReceivedNotReplayed();
    expect((await superuserQuery<{ n: number }>(pair.primary.url('cms'), `SELECT count(*)::int AS n FROM complaints`))[0].n).toBe(2);

    const stale = await report();
    expect(stale).toMatchObject({ received: 1, readFrom: 'STANDBY' });
    // As of the last commit it replayed, before the second complaint was filed; the lag is the time since.
    expect(Date.parse(stale.dataAsOf!)).toBeLessThanOrEqual(beforeSecond);
    expect(stale.replicaLagSeconds).toBeGreaterThan(0);
    expect(Math.abs(stale.replicaLagSeconds! - (Date.now() - Date.parse(stale.dataAsOf!)) / 1000)).toBeLessThan(2);
    const exported = await csv();
    expect(exported.readFrom).toBe('STANDBY');
    expect(exported.references).toEqual([references.first]);
    expect(exported.lag).toBeGreaterThan(0);

    await new Promise((r) => setTimeout(r, 1_100));
    const staler = await report();
    expect(staler.received).toBe(1);
    expect(staler.dataAsOf).toBe(stale.dataAsOf);
    expect(staler.replicaLagSeconds!).toBeGreaterThanOrEqual(stale.replicaLagSeconds! + 1);

    const resumedAt = Date.now();
    await resumeReplay();
    const fresh = await until('the standby to catch up', 15_000, async () => {
      const r = await report();
      return r.received === 2 && r;
    });
    expect(fresh).toMatchObject({ readFrom: 'STANDBY', replicaLagSeconds: 0 });
    expect((await csv()).references).toEqual([references.first, references.second].sort());
    console.log(
      `[replica] paused replay: report lag ${stale.replicaLagSeconds!.toFixed(3)} s then ${staler.replicaLagSeconds!.toFixed(3)} s; caught up ${Date.now() - resumedAt} ms after resume`,
    );
  });

  test("row-level security holds on the standby: another tenant's complaints never appear, and the tenant gate works read-only there", async () => {
    references.globex = (await file(GLOBEX)).reference;
    const globex = await until("the standby to count globex's complaint", 15_000, async () => {
      const r = await report(GLOBEX);
      return r.received === 1 && r;
    });
    expect(globex.readFrom).toBe('STANDBY');
    expect(await report(ACME)).toMatchObject({ received: 2, readFrom: 'STANDBY' });
    expect(await csv(GLOBEX)).toMatchObject({ readFrom: 'STANDBY', references: [references.globex] });
    expect((await csv(ACME)).references).toEqual([references.first, references.second].sort());

    // The gate itself, as the app runs it on the standby: read-only, role cms_app, the tenant's rows only.
    const client = new Client({ connectionString: pair.standby.url('cms') });
    await client.connect();
    try {
      expect((await client.query(`SELECT pg_is_in_recovery() AS r`)).rows[0].r).toBe(true);
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE cms_app`);
      expect((await client.query(`SELECT count(*)::int AS n FROM complaints`)).rows[0].n).toBe(0); // no tenant set: nothing
      await client.query(`SELECT cms_enter_tenant($1)`, [ACME]);
      const seen = (
        await client.query(
          `SELECT current_user AS role, current_setting('transaction_read_only') AS ro, array_agg(DISTINCT tenant_id) AS tenants FROM complaints`,
        )
      ).rows[0];
      expect(seen).toEqual({ role: 'cms_app', ro: 'on', tenants: [ACME] });
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });

  test('with the standby down the primary answers the report and the CSV, /readyz says the replica is down and stays ready; when it is back reads go to it again', async () => {
    pair.standby.stop();
    references.third = (await file()).reference;

    const started = Date.now();
    const fromPrimary = await report();
    const failoverMs = Date.now() - started;
    expect(fromPrimary).toMatchObject({ received: 3, readFrom: 'PRIMARY', replicaLagSeconds: null });
    expect(Math.abs(Date.parse(fromPrimary.dataAsOf!) - Date.now())).toBeLessThan(5_000);
    const exported = await csv();
    expect(exported).toMatchObject({ readFrom: 'PRIMARY', lag: null });
    expect(exported.references).toEqual([references.first, references.second, references.third].sort());

    const ready = await request(app.httpServer).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', degraded: ['replica'], checks: { database: 'up', eventListener: 'up', replica: 'down' } });

    const restarted = Date.now();
    pair.standby.start();
    const back = await until('reads to go to the standby again', 20_000, async () => {
      const r = await report();
      return r.readFrom === 'STANDBY' && r;
    });
    const backMs = Date.now() - restarted;
    expect(back.received).toBe(3);
    expect((await csv()).readFrom).toBe('STANDBY');
    const readyAgain = await request(app.httpServer).get('/readyz');
    expect(readyAgain.body).toEqual({ status: 'ready', checks: { database: 'up', eventListener: 'up', replica: 'up' } });
    console.log(
      `[replica] standby stopped: first report answered by the primary in ${failoverMs} ms; reads back on the standby ${backMs} ms after its restart began`,
    );
  });

  test('an evidence bundle reads the primary: an erasure shows in it at once while the standby has not replayed it', async () => {
    await pauseReplay();
    try {
      const dpo = await token(Role.DPO);
      await gql(dpo, `mutation ($id: ID!, $reason: String!) { eraseComplainantData(id: $id, reason: $reason) { id } }`, {
        id: firstId,
        reason: 'GDPR Art. 17 request',
      });
      await untilReceivedNotReplayed();
      const res = await request(app.httpServer).get(`/complaints/${firstId}/evidence`).set('authorization', `Bearer ${dpo}`).buffer(true).parse(textBody);
      expect(res.status).toBe(200);
      const bundle = JSON.parse(Buffer.from(String(res.body).split('.')[1], 'base64url').toString('utf8'));
      expect(bundle.complaint.complainant).toMatchObject({ name: null, email: null });
      expect(bundle.complaint.complainant.erasedAt).not.toBeNull();
      expect(bundle.auditTrail.map((e: { action: string }) => e.action)).toContain('COMPLAINANT_DATA_ERASED');
      // The standby still holds the complainant: the bundle cannot have come from it.
      expect(
        (await onStandby<{ erased: Date | null }>(`SELECT complainant_erased_at AS erased FROM complaints WHERE id = $1`, [firstId]))[0].erased,
      ).toBeNull();
    } finally {
      await resumeReplay();
    }
  });

  test('the service as started by an operator: a standby that is down at start does not stop it; it is ready, the replica marked down, and the primary answers', async () => {
    ensureBuilt();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'replica-ops-'));
    const service = startService(
      {
        DATABASE_URL: pair.primary.url('cms'),
        DATABASE_READ_URL: `postgres://postgres@127.0.0.1:${await freePort()}/cms`,
        JWT_SECRET: TEST_SECRET,
        SLA_WORKER: 'off',
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
      },
      'node',
    );
    try {
      const url = await service.ready;
      const ready = await request(url).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ready', degraded: ['replica'], checks: { database: 'up', replica: 'down' } });
      const res = await request(url)
        .post('/graphql')
        .set('content-type', 'application/json')
        .set('authorization', `Bearer ${await token(Role.COMPLIANCE_OFFICER)}`)
        .send({ query: REPORT, variables: { from: FROM, to: TO } });
      expect(res.body.data.complianceReport).toMatchObject({ received: 3, readFrom: 'PRIMARY', replicaLagSeconds: null });
    } finally {
      service.child.kill('SIGTERM');
      expect((await service.exited).code).toBe(0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
