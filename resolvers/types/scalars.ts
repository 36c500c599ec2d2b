import { GraphQLScalarType } from 'graphql';
import { GraphQLDateTimeISO, GraphQLJSON } from 'graphql-scalars';

/** ISO-8601 instant with offset; always serialized as a string (2026-11-28T10:00:00.000Z). */
export const DateTimeScalar = new GraphQLScalarType({
  ...GraphQLDateTimeISO.toConfig(),
  name: 'DateTime',
  description: 'ISO-8601 instant with offset, e.g. 2026-11-28T10:00:00.000Z; always answered in UTC with milliseconds. Inputs need the offset (Z or +01:00).',
});

/** Any JSON value; here an audit event's `changes` (field -> {from, to}). */
export const JSONScalar = new GraphQLScalarType({
  ...GraphQLJSON.toConfig(),
  description: 'Any JSON value (object, array, string, number, boolean or null), as JSON in the response.',
});
