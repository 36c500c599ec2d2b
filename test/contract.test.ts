import { Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  GraphQLSchema,
  IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
} from 'graphql';
import { Role } from '../src/auth/roles';
import { startTestApp, TestApp } from './support/harness';

/**
 * The public contract (shared/contract.graphql, beside the repository) against the schema
 * the API serves, compared by @graphql-inspector/core: clients are written against the
 * contract, so no change from it may be BREAKING or DANGEROUS (a changed default is
 * DANGEROUS; an output made nullable, an input made required or an explicit null refused
 * where the contract has a default are BREAKING).
 */
const CONTRACT_PATH = path.resolve(__dirname, '../../shared/contract.graphql');
const HAS_CONTRACT = existsSync(CONTRACT_PATH);

/**
 * Contract pieces that later issues add: schema coordinates (`Type` or `Type.field`).
 * This list only shrinks: a test fails as soon as one of them is in the schema.
 */
const NOT_YET_IMPLEMENTED: readonly string[] = [];

/**
 * The contract's preamble lets the service add enum values and arguments; inspector rates
 * both DANGEROUS (a client switching exhaustively over an enum may meet a new value). Only
 * these, and only as additions: an added argument that clients must pass stays BREAKING.
 */
const ADDITIONS_THE_CONTRACT_ALLOWS: readonly string[] = ['ENUM_VALUE_ADDED', 'FIELD_ARGUMENT_ADDED'];

/** What in `served` breaks or endangers a client of `contract`, as `path: message`. */
async function incompatibilities(contract: GraphQLSchema, served: GraphQLSchema): Promise<string[]> {
  const changes = await diff(contract, served);
  return changes.filter(isHarmful).map((c) => `${c.path ?? '(schema)'}: ${c.message} [${c.criticality.level} ${c.type}]`);
}

function isHarmful(change: Change): boolean {
  const level = change.criticality.level;
  if (level === CriticalityLevel.Breaking) return true;
  return level === CriticalityLevel.Dangerous && !ADDITIONS_THE_CONTRACT_ALLOWS.includes(change.type);
}

/** `Type.field.argument` sits under `Type.field` and `Type`: an allow-listed ancestor covers it. */
function isAllowListed(changePath: string | undefined, allowList: readonly string[] = NOT_YET_IMPLEMENTED): boolean {
  if (!changePath) return false;
  const parts = changePath.split('.');
  return parts.some((_, i) => allowList.includes(parts.slice(0, i + 1).join('.')));
}

function existsIn(schema: GraphQLSchema, coordinate: string): boolean {
  const [typeName, member] = coordinate.split('.');
  const type = schema.getType(typeName);
  if (!type) return false;
  if (member === undefined) return true;
  if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) return member in type.getFields();
  if (isEnumType(type)) return type.getValue(member) !== undefined;
  return false;
}

const describeWithContract = HAS_CONTRACT ? describe : describe.skip;
const contractNote = HAS_CONTRACT
  ? 'the served schema against shared/contract.graphql'
  : `SKIPPED: no contract at ${CONTRACT_PATH} (a clone without ../shared/); the served schema is not checked against it`;

describeWithContract(contractNote, () => {
  let t: TestApp;
  let contract: GraphQLSchema;
  let served: GraphQLSchema;

  beforeAll(async () => {
    contract = buildSchema(readFileSync(CONTRACT_PATH, 'utf8'));
    t = await startTestApp();
    const res = await t.gql<IntrospectionQuery>(await t.token(Role.AGENT), getIntrospectionQuery({ inputValueDeprecation: true }));
    if (res.errors) throw new Error(`Introspection failed: ${JSON.stringify(res.errors)}`);
    served = buildClientSchema(res.data);
  });
  afterAll(() => t?.close());

  test('no change from the contract is breaking or dangerous (graphql-inspector), but for pieces not yet implemented', async () => {
    const changes = await diff(contract, served);
    const harmful = changes.filter((c) => isHarmful(c) && !isAllowListed(c.path));
    expect(harmful.map((c) => `${c.path}: ${c.message} [${c.criticality.level} ${c.type}]`)).toEqual([]);
  });

  test('NOT_YET_IMPLEMENTED lists only contract pieces the schema still lacks (the list only shrinks)', () => {
    const stale = NOT_YET_IMPLEMENTED.flatMap((c) => {
      if (!existsIn(contract, c)) return [`'${c}' is not in contract.graphql: remove it from NOT_YET_IMPLEMENTED in test/contract.test.ts`];
      if (existsIn(served, c)) return [`'${c}' is in the schema now: remove it from NOT_YET_IMPLEMENTED in test/contract.test.ts`];
      return [];
    });
    expect(stale).toEqual([]);
  });
});

describe('the contract check itself', () => {
  test('catches a removed field, a loosened output, a newly required argument, a changed type and a changed default', async () => {
    const base = `type Query { a: String! b(x: Int = 1, y: String): [Int!]! c: Int }`;
    const broken = `type Query { b(x: Int = 2, y: String!, z: ID!): [Int]! c: String }`;
    const found = await incompatibilities(buildSchema(base), buildSchema(broken));
    expect(found.map((f) => f.split(':')[0]).sort()).toEqual(['Query.a', 'Query.b', 'Query.b.x', 'Query.b.y', 'Query.b.z', 'Query.c']);
  });

  test('catches an argument or input field with a default that no longer accepts an explicit null (SPEC §9)', async () => {
    const base = `type Query { list(first: Int = 20): Int, m(i: I): Int } input I { flag: Boolean = false }`;
    const tightened = `type Query { list(first: Int! = 20): Int, m(i: I): Int } input I { flag: Boolean! = false }`;
    const found = await incompatibilities(buildSchema(base), buildSchema(tightened));
    expect(found.map((f) => f.split(':')[0]).sort()).toEqual(['I.flag', 'Query.list.first']);
  });

  test('lets through what the contract allows: new types, fields, optional arguments, input fields and enum values', async () => {
    const base = `enum E { A } type Query { e: E, f: Int } input J { a: Int } type Mutation { m(j: J): Int }`;
    const grown = `enum E { A B } type Query { e: E, f(z: Int): Int!, g(x: Int): Int } input J { a: Int b: Int } type Mutation { m(j: J): Int } type T { t: ID }`;
    expect(await incompatibilities(buildSchema(base), buildSchema(grown))).toEqual([]);
  });

  test('an allow-listed coordinate covers what lies beneath it', () => {
    const list = ['Mutation.importComplaints', 'WebhookEvent'];
    expect(isAllowListed('Mutation.importComplaints', list)).toBe(true);
    expect(isAllowListed('Mutation.importComplaints.items', list)).toBe(true);
    expect(isAllowListed('WebhookEvent.SLA_WARNING', list)).toBe(true);
    expect(isAllowListed('Mutation.importComplaintsLater', list)).toBe(false);
    expect(isAllowListed('Query.complaints.first', list)).toBe(false);
  });
});
