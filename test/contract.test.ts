import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  astFromValue, buildClientSchema, buildSchema, getIntrospectionQuery, GraphQLArgument, GraphQLField, GraphQLInputField,
  GraphQLInputType, GraphQLNamedType, GraphQLOutputType, GraphQLSchema, GraphQLType, IntrospectionQuery, isEnumType,
  isInputObjectType, isInterfaceType, isListType, isNonNullType, isObjectType, isScalarType, isUnionType, print,
} from 'graphql';
import { Role } from '../src/auth/roles';
import { startTestApp, TestApp } from './support/harness';

/**
 * The public contract (shared/contract.graphql) against the schema the API serves.
 * Clients are written against the contract: the service may add, never rename, remove,
 * loosen an output's nullability or make an optional input required.
 */
const CONTRACT_PATH = path.resolve(__dirname, '../../shared/contract.graphql');

/**
 * Contract pieces that later issues add: schema coordinates (`Type` or `Type.field`).
 * This list only shrinks: a test fails as soon as one of them is in the schema.
 */
const NOT_YET_IMPLEMENTED: readonly string[] = [
  // #11 exports
  'Mutation.csvExportUrl',
  // #13 integrations
  'ImportComplaintInput', 'ImportError', 'ImportResult', 'Mutation.importComplaints', 'WebhookEvent', 'WebhookDeliveryStatus',
  'WebhookEndpoint', 'WebhookEndpointCreated', 'WebhookDelivery', 'WebhookDeliveryEdge', 'WebhookDeliveryConnection',
  'WebhookEndpointInput', 'Query.webhookEndpoints', 'Query.webhookDeliveries', 'Mutation.createWebhookEndpoint',
  'Mutation.updateWebhookEndpoint', 'Mutation.deleteWebhookEndpoint', 'Mutation.redeliverWebhook',
];

interface Finding {
  coordinate: string;
  problem: string;
}

let t: TestApp;
let contract: GraphQLSchema;
let served: GraphQLSchema;

beforeAll(async () => {
  if (!existsSync(CONTRACT_PATH)) {
    throw new Error(`The public contract is missing: expected it at ${CONTRACT_PATH} (shared/contract.graphql beside the repository)`);
  }
  contract = buildSchema(readFileSync(CONTRACT_PATH, 'utf8'));
  t = await startTestApp();
  const res = await t.gql<IntrospectionQuery>(await t.token(Role.AGENT), getIntrospectionQuery({ inputValueDeprecation: true }));
  if (res.errors) throw new Error(`Introspection failed: ${JSON.stringify(res.errors)}`);
  served = buildClientSchema(res.data);
});
afterAll(() => t?.close());

test('the served schema contains every type, field, argument and enum value of the contract, with compatible types', () => {
  const missingOrIncompatible = compare(contract, served).filter((f) => !isAllowListed(f.coordinate));
  expect(missingOrIncompatible.map((f) => `${f.coordinate}: ${f.problem}`)).toEqual([]);
});

test('NOT_YET_IMPLEMENTED lists only contract pieces the schema still lacks (the list only shrinks)', () => {
  const stale = NOT_YET_IMPLEMENTED.flatMap((c) => {
    if (!existsIn(contract, c)) return [`'${c}' is not in contract.graphql: remove it from NOT_YET_IMPLEMENTED in test/contract.test.ts`];
    if (existsIn(served, c)) return [`'${c}' is in the schema now: remove it from NOT_YET_IMPLEMENTED in test/contract.test.ts`];
    return [];
  });
  expect(stale).toEqual([]);
});

test('the root operation types keep the contract names Query, Mutation, Subscription', () => {
  const roots = (s: GraphQLSchema) => ({
    query: s.getQueryType()?.name,
    mutation: s.getMutationType()?.name,
    subscription: s.getSubscriptionType()?.name,
  });
  const expected = roots(contract);
  if (NOT_YET_IMPLEMENTED.includes('Subscription')) delete (expected as Partial<typeof expected>).subscription;
  expect(roots(served)).toMatchObject(expected);
});

test('the comparison catches a removed field, a loosened output, a newly required argument and a changed default', () => {
  // Guards the checker itself: a contract edited in these ways must be reported.
  const base = `type Query { a: String! b(x: Int = 1, y: String): [Int!]! c: Int }`;
  const broken = `type Query { b(x: Int = 2, y: String!, z: ID!): [Int]! c: String }`;
  const found = compare(buildSchema(base), buildSchema(broken)).map((f) => f.coordinate);
  expect(found).toEqual(expect.arrayContaining(['Query.a', 'Query.b', 'Query.b(x:)', 'Query.b(y:)', 'Query.b(z:)', 'Query.c']));
});

test('the comparison catches an argument or input field with a default that no longer accepts an explicit null', () => {
  const base = `type Query { list(first: Int = 20): Int } input I { flag: Boolean = false }`;
  const tightened = `type Query { list(first: Int! = 20): Int } input I { flag: Boolean! = false }`;
  const found = compare(buildSchema(base), buildSchema(tightened)).map((f) => f.coordinate);
  expect(found).toEqual(['Query.list(first:)', 'I.flag']);
});

function isAllowListed(coordinate: string): boolean {
  // `Type.field(arg:)` and `Type.field` sit under `Type`: an allow-listed parent covers them.
  const type = coordinate.split('.')[0];
  const field = coordinate.replace(/\(.*$/, '');
  return NOT_YET_IMPLEMENTED.includes(type) || NOT_YET_IMPLEMENTED.includes(field) || NOT_YET_IMPLEMENTED.includes(coordinate);
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

/** Everything in `contract` that `served` lacks or serves incompatibly. */
function compare(contract: GraphQLSchema, served: GraphQLSchema): Finding[] {
  const findings: Finding[] = [];
  const report = (coordinate: string, problem: string) => findings.push({ coordinate, problem });

  for (const expected of Object.values(contract.getTypeMap())) {
    if (expected.name.startsWith('__')) continue;
    const actual = served.getType(expected.name);
    if (!actual) {
      report(expected.name, `${kindOf(expected)} is missing`);
      continue;
    }
    if (kindOf(actual) !== kindOf(expected)) {
      report(expected.name, `is ${kindOf(actual)}, contract says ${kindOf(expected)}`);
      continue;
    }
    if ((isObjectType(expected) || isInterfaceType(expected)) && (isObjectType(actual) || isInterfaceType(actual))) {
      for (const iface of expected.getInterfaces()) {
        if (!actual.getInterfaces().some((i) => i.name === iface.name)) report(expected.name, `does not implement ${iface.name}`);
      }
      for (const field of Object.values(expected.getFields())) {
        const ours = actual.getFields()[field.name];
        const coordinate = `${expected.name}.${field.name}`;
        if (!ours) {
          report(coordinate, `field is missing (contract: ${String(field.type)})`);
          continue;
        }
        if (!outputCompatible(field.type, ours.type)) report(coordinate, `contract says ${String(field.type)}, schema has ${String(ours.type)}`);
        compareArguments(coordinate, field, ours, report);
      }
    } else if (isInputObjectType(expected) && isInputObjectType(actual)) {
      compareInputValues(Object.values(expected.getFields()), actual.getFields(), (n) => `${expected.name}.${n}`, report);
    } else if (isEnumType(expected) && isEnumType(actual)) {
      for (const value of expected.getValues()) {
        if (!actual.getValue(value.name)) report(`${expected.name}.${value.name}`, 'enum value is missing');
      }
    } else if (isUnionType(expected) && isUnionType(actual)) {
      for (const member of expected.getTypes()) {
        if (!actual.getTypes().some((m) => m.name === member.name)) report(expected.name, `union member ${member.name} is missing`);
      }
    }
  }
  return findings;
}

function compareArguments(
  coordinate: string,
  field: GraphQLField<unknown, unknown>,
  ours: GraphQLField<unknown, unknown>,
  report: (coordinate: string, problem: string) => void,
): void {
  const oursByName = Object.fromEntries(ours.args.map((a) => [a.name, a]));
  compareInputValues(field.args, oursByName, (n) => `${coordinate}(${n}:)`, report);
}

/** Arguments of a field or fields of an input type: same named type and list shape, no new requirement, same default. */
function compareInputValues(
  expected: readonly (GraphQLArgument | GraphQLInputField)[],
  actual: Record<string, GraphQLArgument | GraphQLInputField>,
  coordinateOf: (name: string) => string,
  report: (coordinate: string, problem: string) => void,
): void {
  for (const value of expected) {
    const ours = actual[value.name];
    const coordinate = coordinateOf(value.name);
    if (!ours) {
      report(coordinate, `is missing (contract: ${String(value.type)})`);
      continue;
    }
    if (!inputCompatible(value.type, ours.type)) report(coordinate, `contract says ${String(value.type)}, schema has ${String(ours.type)}`);
    if (!isRequired(value) && isRequired(ours)) {
      report(coordinate, `is optional in the contract (${String(value.type)}) but required here (${String(ours.type)}, no default)`);
    }
    const expectedDefault = printDefault(value);
    const actualDefault = printDefault(ours);
    if (expectedDefault !== actualDefault) report(coordinate, `default is ${actualDefault ?? 'none'}, contract says ${expectedDefault ?? 'none'}`);
  }
  const known = new Set(expected.map((v) => v.name));
  for (const ours of Object.values(actual)) {
    if (!known.has(ours.name) && isRequired(ours)) report(coordinateOf(ours.name), `is an addition that clients cannot omit (${String(ours.type)}): additions must be optional`);
  }
}

function isRequired(value: GraphQLArgument | GraphQLInputField): boolean {
  return isNonNullType(value.type) && value.defaultValue === undefined;
}

function printDefault(value: GraphQLArgument | GraphQLInputField): string | undefined {
  if (value.defaultValue === undefined) return undefined;
  const ast = astFromValue(value.defaultValue, value.type);
  return ast ? print(ast) : 'null';
}

/** Output covariance: where the contract promises non-null we must too; we may be stricter. */
function outputCompatible(expected: GraphQLOutputType | GraphQLType, actual: GraphQLOutputType | GraphQLType): boolean {
  if (isNonNullType(expected)) return isNonNullType(actual) && outputCompatible(expected.ofType, actual.ofType);
  if (isNonNullType(actual)) return outputCompatible(expected, actual.ofType);
  if (isListType(expected)) return isListType(actual) && outputCompatible(expected.ofType, actual.ofType);
  if (isListType(actual)) return false;
  return (expected as GraphQLNamedType).name === (actual as GraphQLNamedType).name;
}

/**
 * Input contravariance: we must accept everything the contract lets a client send,
 * an explicit null included (SPEC §9: on an argument with a default it means the default).
 */
function inputCompatible(expected: GraphQLInputType | GraphQLType, actual: GraphQLInputType | GraphQLType): boolean {
  if (isNonNullType(actual) && !isNonNullType(expected)) return false;
  const e = isNonNullType(expected) ? expected.ofType : expected;
  const a = isNonNullType(actual) ? actual.ofType : actual;
  if (isListType(e)) return isListType(a) && inputCompatible(e.ofType, a.ofType);
  if (isListType(a)) return false;
  return (e as GraphQLNamedType).name === (a as GraphQLNamedType).name;
}

function kindOf(type: GraphQLNamedType): string {
  if (isScalarType(type)) return 'scalar';
  if (isObjectType(type)) return 'object type';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  if (isEnumType(type)) return 'enum';
  return 'input type';
}
