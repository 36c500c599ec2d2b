import {
  defaultFieldResolver,
  getNullableType,
  GraphQLArgument,
  GraphQLFieldResolver,
  GraphQLInputField,
  GraphQLInputType,
  GraphQLSchema,
  isInputObjectType,
  isListType,
  isObjectType,
} from 'graphql';
import { BadUserInputError } from '../errors';
import { instantProblem, textProblem } from '../validation';

type Problems = Record<string, string>;

/**
 * One rule for every argument and input field of the schema, applied to the coerced values
 * before any resolver sees them:
 * - SPEC §9: an explicit null where the schema has a default means the default;
 * - text must be storable (no NUL, no lone surrogate), instants within range;
 * anything else is BAD_USER_INPUT naming the field path (`input.complainant.name`).
 */
export function guardArguments(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      field.resolve = guarded(field.args, field.resolve ?? defaultFieldResolver);
      if (field.subscribe) field.subscribe = guarded(field.args, field.subscribe);
    }
  }
  return schema;
}

function guarded<S, C>(definitions: readonly GraphQLArgument[], next: GraphQLFieldResolver<S, C>): GraphQLFieldResolver<S, C> {
  return (source, args, context, info) => {
    const problems: Problems = {};
    const normalised = normaliseFields(definitions, args, '', problems);
    if (Object.keys(problems).length > 0) throw new BadUserInputError(problems);
    return next(source, normalised, context, info);
  };
}

function normaliseFields(
  definitions: readonly (GraphQLArgument | GraphQLInputField)[],
  values: Record<string, unknown>,
  prefix: string,
  problems: Problems,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  for (const definition of definitions) {
    if (!(definition.name in values)) continue;
    const path = prefix ? `${prefix}.${definition.name}` : definition.name;
    const value = values[definition.name];
    out[definition.name] =
      value === null && definition.defaultValue !== undefined ? definition.defaultValue : normalise(definition.type, value, path, problems);
  }
  return out;
}

function normalise(type: GraphQLInputType, value: unknown, path: string, problems: Problems): unknown {
  if (value === null || value === undefined) return value;
  const nullable = getNullableType(type);
  if (isListType(nullable) && Array.isArray(value)) return value.map((item, i) => normalise(nullable.ofType, item, `${path}.${i}`, problems));
  if (isInputObjectType(nullable)) return normaliseFields(Object.values(nullable.getFields()), value as Record<string, unknown>, path, problems);
  checkLeaf(value, path, problems);
  return value;
}

/** Scalars, and whatever a JSON scalar holds. */
function checkLeaf(value: unknown, path: string, problems: Problems): void {
  let problem: string | null = null;
  if (typeof value === 'string') problem = textProblem(value);
  else if (value instanceof Date) problem = instantProblem(value);
  else if (Array.isArray(value)) value.forEach((item, i) => checkLeaf(item, `${path}.${i}`, problems));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) problems[path] = keyProblem;
      checkLeaf(item, `${path}.${key}`, problems);
    }
  }
  if (problem) problems[path] = problem;
}
