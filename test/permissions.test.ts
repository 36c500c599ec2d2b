import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  GraphQLField,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  getNamedType,
} from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { PERMISSIONS } from '../src/auth/permissions';
import { ALL_ROLES, Role } from '../src/auth/roles';
import { buildAppSchema } from '../src/graphql/schema';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { errorCode, startTestApp, TestApp } from './support/harness';

/**
 * Deny by default (STYLE practice 7, SPEC §3): every root field is in the one role map,
 * declares those roles, and the API refuses everyone else.
 */
const { AGENT, DPO, COMPLIANCE_OFFICER, ADMIN } = Role;
const CONTRACT_PATH = path.resolve(__dirname, '../../shared/contract.graphql');

/** Tables a refused call must leave alone (users and tenants are provisioned from tokens). */
const CASE_TABLES = ['complaints', 'notes', 'stage_transitions', 'sla_timers', 'audit_events', 'idempotency_keys', 'sla_policies'];

/** Outcomes of a call that the authorization check let through. */
const PAST_AUTHORIZATION = ['NOT_FOUND', 'BAD_USER_INPUT', 'INVALID_TRANSITION', 'CONFLICT'];

type RootKind = 'Query' | 'Mutation' | 'Subscription';
interface RootField {
  kind: RootKind;
  name: string;
  field: GraphQLField<unknown, unknown>;
}

let t: TestApp;
let schema: GraphQLSchema;
let roots: RootField[];

beforeAll(async () => {
  t = await startTestApp();
  schema = await buildAppSchema();
  roots = rootFields(schema);
  // Provision the tenant and one user per role first, so counting rows later sees only case data.
  for (const role of ALL_ROLES) expect(errorCode(await t.gql(await t.token(role), '{ me { tenantId } }'))).toBeUndefined();
});
afterAll(() => t?.close());

describe('deny by default', () => {
  test('every root field of Query, Mutation and Subscription has an entry in PERMISSIONS', () => {
    const unlisted = roots.filter((r) => !(r.name in PERMISSIONS)).map((r) => `${r.kind}.${r.name}`);
    expect(unlisted).toEqual([]);
  });

  test('every root field declares exactly the roles of its PERMISSIONS entry with @Allow', () => {
    const storage = getMetadataStorage();
    const declared = new Map<string, unknown[] | undefined>();
    for (const meta of [...storage.queries, ...storage.mutations, ...storage.subscriptions]) declared.set(meta.schemaName, meta.roles);

    const mismatches = roots.flatMap(({ kind, name }) => {
      if (!declared.has(name)) return [`${kind}.${name}: no type-graphql resolver metadata`];
      const roles = declared.get(name);
      if (!roles) return [`${kind}.${name}: no @Authorized/@Allow declaration (open to anyone)`];
      const expected = sorted(PERMISSIONS[name as keyof typeof PERMISSIONS] ?? []);
      if (roles.length === 0) return [`${kind}.${name}: @Authorized() with no roles admits any authenticated caller`];
      return JSON.stringify(sorted(roles as string[])) === JSON.stringify(expected)
        ? []
        : [`${kind}.${name}: declares ${sorted(roles as string[]).join(', ')}, PERMISSIONS says ${expected.join(', ')}`];
    });
    expect(mismatches).toEqual([]);
  });

  test('PERMISSIONS names only operations of the schema or the contract', () => {
    const known = new Set(roots.map((r) => r.name));
    if (existsSync(CONTRACT_PATH)) for (const r of rootFields(buildSchema(readFileSync(CONTRACT_PATH, 'utf8')))) known.add(r.name);
    expect(Object.keys(PERMISSIONS).filter((name) => !known.has(name))).toEqual([]);
  });

  test('who may call what: a change to PERMISSIONS must change this table (SPEC §3)', () => {
    const table = Object.fromEntries(Object.entries(PERMISSIONS).map(([op, roles]) => [op, sorted(roles).join(' ')]));
    expect(table).toEqual({
      me: 'ADMIN AGENT COMPLIANCE_OFFICER DPO',
      users: 'ADMIN AGENT COMPLIANCE_OFFICER DPO',
      complaint: 'ADMIN AGENT COMPLIANCE_OFFICER DPO',
      complaintByReference: 'ADMIN AGENT COMPLIANCE_OFFICER DPO',
      complaints: 'ADMIN AGENT COMPLIANCE_OFFICER DPO',
      auditTrail: 'ADMIN AGENT COMPLIANCE_OFFICER DPO',
      slaTimers: 'ADMIN AGENT COMPLIANCE_OFFICER DPO',
      slaPolicies: 'ADMIN AGENT COMPLIANCE_OFFICER DPO',
      verifyAuditTrail: 'ADMIN COMPLIANCE_OFFICER DPO',
      tenantAuditTrail: 'ADMIN COMPLIANCE_OFFICER DPO',
      verifyTenantAuditTrail: 'ADMIN COMPLIANCE_OFFICER DPO',
      complianceReport: 'ADMIN COMPLIANCE_OFFICER DPO',
      fileComplaint: 'AGENT DPO',
      acknowledgeComplaint: 'AGENT DPO',
      addNote: 'AGENT DPO',
      updateComplainant: 'AGENT DPO',
      awaitComplainant: 'AGENT DPO',
      resumeComplaint: 'AGENT DPO',
      assignComplaint: 'AGENT DPO',
      importComplaints: 'AGENT DPO',
      escalateComplaint: 'DPO',
      resolveComplaint: 'DPO',
      reopenComplaint: 'DPO',
      closeComplaint: 'DPO',
      recordPersonalDataBreach: 'DPO',
      recordAuthorityNotified: 'DPO',
      recordPanelAdvice: 'DPO',
      extendSlaTimer: 'DPO',
      eraseComplainantData: 'DPO',
      upsertSlaPolicy: 'ADMIN',
      tenantSettings: 'ADMIN AGENT COMPLIANCE_OFFICER DPO',
      updateTenantSettings: 'ADMIN',
      terminateContract: 'ADMIN',
      auditCheckpoints: 'ADMIN COMPLIANCE_OFFICER DPO',
      createAuditCheckpoint: 'ADMIN',
      csvExportUrl: 'ADMIN COMPLIANCE_OFFICER DPO',
      webhookEndpoints: 'ADMIN',
      webhookDeliveries: 'ADMIN',
      createWebhookEndpoint: 'ADMIN',
      updateWebhookEndpoint: 'ADMIN',
      deleteWebhookEndpoint: 'ADMIN',
      redeliverWebhook: 'ADMIN',
      complaintEvents: 'ADMIN AGENT COMPLIANCE_OFFICER DPO',
      slaAlerts: 'ADMIN AGENT COMPLIANCE_OFFICER DPO',
    });
  });

  test('every query and mutation refuses a caller without a token: UNAUTHENTICATED, HTTP 401', async () => {
    const wrong: string[] = [];
    for (const root of httpRoots()) {
      const res = await t.gql(null, ...probe(root));
      if (res.status !== 401 || errorCode(res) !== 'UNAUTHENTICATED') wrong.push(`${root.kind}.${root.name}: ${res.status} ${errorCode(res)}`);
    }
    expect(wrong).toEqual([]);
  });

  test('every query and mutation refuses each role outside its PERMISSIONS entry with FORBIDDEN and writes nothing', async () => {
    const before = await caseRowCounts();
    const wrong: string[] = [];
    let refusals = 0;
    for (const root of httpRoots()) {
      const allowed: Role[] = PERMISSIONS[root.name as keyof typeof PERMISSIONS] ?? [];
      for (const role of ALL_ROLES.filter((r) => !allowed.includes(r))) {
        const res = await t.gql(await t.token(role), ...probe(root));
        refusals++;
        if (errorCode(res) !== 'FORBIDDEN' || res.data?.[root.name]) wrong.push(`${root.kind}.${root.name} as ${role}: ${errorCode(res) ?? 'allowed'}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(refusals).toBeGreaterThan(0); // fileComplaint and verifyAuditTrail exclude some roles already
    expect(await caseRowCounts()).toEqual(before);
  });

  test('every query and mutation lets each role of its PERMISSIONS entry past the authorization check', async () => {
    const wrong: string[] = [];
    for (const root of httpRoots()) {
      for (const role of PERMISSIONS[root.name as keyof typeof PERMISSIONS] ?? []) {
        // The probe's arguments are placeholders: the resolver may answer, or refuse them as
        // NOT_FOUND/BAD_USER_INPUT; a refusal of the caller or a request that never ran is wrong.
        const res = await t.gql(await t.token(role), ...probe(root));
        const code = errorCode(res);
        if (res.status !== 200 || (code !== undefined && !PAST_AUTHORIZATION.includes(code)))
          wrong.push(`${root.kind}.${root.name} as ${role}: ${res.status} ${code}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('the SPEC §3 table through the API', () => {
  test('a COMPLIANCE_OFFICER cannot file a complaint: FORBIDDEN, and nothing is written', async () => {
    const before = await caseRowCounts();
    const res = await t.gql(await t.token(COMPLIANCE_OFFICER), FILE_COMPLAINT, { input: complaintInput({ summary: 'filed by a compliance officer' }) });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.data).toBeNull();
    expect(await t.sql(`SELECT id FROM complaints WHERE summary = 'filed by a compliance officer'`)).toEqual([]);
    expect(await caseRowCounts()).toEqual(before);
  });

  test('an ADMIN cannot file a complaint: FORBIDDEN, and nothing is written', async () => {
    const before = await caseRowCounts();
    const res = await t.gql(await t.token(ADMIN), FILE_COMPLAINT, { input: complaintInput({ summary: 'filed by an admin' }) });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(await caseRowCounts()).toEqual(before);
  });

  test.each([AGENT, DPO])('a case worker (%s) files a complaint, and it is in the database with its audit event', async (role) => {
    const res = await t.gql(await t.token(role), FILE_COMPLAINT, { input: complaintInput({ summary: `filed by ${role}` }) });
    expect(res.errors).toBeUndefined();
    const [row] = await t.sql(`SELECT id FROM complaints WHERE summary = $1`, [`filed by ${role}`]);
    expect(row.id).toBe(res.data.fileComplaint.id);
    expect(await t.sql(`SELECT action FROM audit_events WHERE complaint_id = $1 AND action = 'COMPLAINT_FILED'`, [row.id])).toHaveLength(1);
  });

  test('a token with a refused and an allowed role may file: roles add up', async () => {
    const res = await t.gql(await t.token([COMPLIANCE_OFFICER, AGENT]), FILE_COMPLAINT, { input: complaintInput({ summary: 'two roles' }) });
    expect(res.errors).toBeUndefined();
    expect(await t.sql(`SELECT id FROM complaints WHERE summary = 'two roles'`)).toHaveLength(1);
  });

  test('every role reads complaints, a complaint by id and reference, and its audit trail', async () => {
    const filed = await fileOne('read by everyone');
    for (const role of ALL_ROLES) {
      const res = await t.gql(
        await t.token(role),
        `query ($id: ID!, $ref: String!) {
          complaints(filter: { search: $ref }) { totalCount edges { node { id } } }
          complaint(id: $id) { id notes { id } slaTimers { id } }
          complaintByReference(reference: $ref) { id }
          auditTrail(complaintId: $id) { edges { node { action } } }
        }`,
        { id: filed.id, ref: filed.reference },
      );
      expect({ role, errors: res.errors }).toEqual({ role, errors: undefined });
      expect(res.data.complaints.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([filed.id]);
      expect(res.data.complaint.id).toBe(filed.id);
      expect(res.data.complaintByReference.id).toBe(filed.id);
      expect(res.data.auditTrail.edges.map((e: { node: { action: string } }) => e.node.action)).toContain('COMPLAINT_FILED');
    }
  });

  test('an AGENT cannot verify an audit trail (FORBIDDEN); the DPO, a COMPLIANCE_OFFICER and an ADMIN can', async () => {
    const filed = await fileOne('verified');
    const verify = `query ($id: ID!) { verifyAuditTrail(complaintId: $id) { valid eventsChecked } }`;
    expect(errorCode(await t.gql(await t.token(AGENT), verify, { id: filed.id }))).toBe('FORBIDDEN');
    for (const role of [DPO, COMPLIANCE_OFFICER, ADMIN]) {
      const res = await t.gql(await t.token(role), verify, { id: filed.id });
      expect({ role, errors: res.errors }).toEqual({ role, errors: undefined });
      expect(res.data.verifyAuditTrail.valid).toBe(true);
    }
  });

  test('a FORBIDDEN error names the operation and the roles it requires', async () => {
    const res = await t.gql(await t.token(COMPLIANCE_OFFICER), FILE_COMPLAINT, { input: complaintInput() });
    expect(res.errors?.[0].message).toMatch(/fileComplaint/);
    expect(res.errors?.[0].message).toMatch(/AGENT/);
    expect(res.errors?.[0].path).toEqual(['fileComplaint']);
  });
});

async function fileOne(summary: string): Promise<{ id: string; reference: string }> {
  const res = await t.gql(await t.token(AGENT), FILE_COMPLAINT, { input: complaintInput({ summary }) });
  expect(res.errors).toBeUndefined();
  return res.data.fileComplaint;
}

async function caseRowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of CASE_TABLES) counts[table] = Number((await t.sql(`SELECT count(*) AS n FROM ${table}`))[0].n);
  return counts;
}

function sorted(roles: readonly string[]): string[] {
  return [...roles].sort();
}

function rootFields(s: GraphQLSchema): RootField[] {
  const kinds: [RootKind, GraphQLObjectType | null | undefined][] = [
    ['Query', s.getQueryType()],
    ['Mutation', s.getMutationType()],
    ['Subscription', s.getSubscriptionType()],
  ];
  return kinds.flatMap(([kind, type]) => Object.values(type?.getFields() ?? {}).map((field) => ({ kind, name: field.name, field })));
}

/** Subscriptions run over graphql-ws, not POST /graphql; their declarations are checked above. */
function httpRoots(): RootField[] {
  return roots.filter((r) => r.kind !== 'Subscription');
}

/** A well-typed call of a root field with placeholder values for its required arguments. */
function probe(root: RootField): [string, Record<string, unknown>] {
  const required = root.field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const variables = Object.fromEntries(required.map((a) => [a.name, placeholder(a.type)]));
  const declarations = required.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = required.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isLeafType(getNamedType(root.field.type)) ? '' : '{ __typename }';
  const operation = root.kind === 'Mutation' ? 'mutation' : 'query';
  return [`${operation} Probe${declarations ? `(${declarations})` : ''} { ${root.name}${args ? `(${args})` : ''} ${selection} }`, variables];
}

function placeholder(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType);
  if (isListType(type)) return [placeholder(type.ofType)];
  const named = type as GraphQLNamedType;
  if (isEnumType(named)) return named.getValues()[0].name;
  if (isInputObjectType(named)) {
    const fields = Object.values(named.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return Object.fromEntries(fields.map((f) => [f.name, placeholder(f.type)]));
  }
  if (isScalarType(named)) {
    switch (named.name) {
      case 'ID':
        return '00000000-0000-4000-8000-000000000000';
      case 'Int':
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'DateTime':
        return '2026-01-01T00:00:00.000Z';
      case 'JSON':
        return {};
      default:
        return 'x';
    }
  }
  throw new Error(`no placeholder for ${String(type)}`);
}
