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
 * SPEC §10: every type, field, argument, input field and enum value of the served schema
 * has a description, so a client developer reads units, nullability and who may call
 * what in the schema itself (GraphiQL, codegen). Introspection's own types are excluded.
 */
let t: TestApp;
let served: GraphQLSchema;

beforeAll(async () => {
  t = await startTestApp();
  const res = await t.gql<IntrospectionQuery>(await t.token(Role.AGENT), getIntrospectionQuery({ inputValueDeprecation: true }));
  if (res.errors) throw new Error(`Introspection failed: ${JSON.stringify(res.errors)}`);
  served = buildClientSchema(res.data);
});
afterAll(() => t?.close());

/** Schema coordinates (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) without a description. */
function undocumented(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (coordinate: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(coordinate);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name}:)`, arg.description);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
    }
  }
  return missing.sort();
}

test('every type, field, argument, input field and enum value of the served schema has a description', () => {
  expect(undocumented(served)).toEqual([]);
});

test('the check itself names each undocumented element by its coordinate', () => {
  const schema = buildSchema(`
    "Documented." type Query { "Documented." a(x: Int, "Documented." y: Int): E b: Int }
    enum E { A "Documented." B }
    input I { f: Int }
    scalar S
  `);
  expect(undocumented(schema)).toEqual(['E', 'E.A', 'I', 'I.f', 'Query.a(x:)', 'Query.b', 'S']);
});
