import { GraphQLScalarType } from 'graphql';
import { GraphQLDateTimeISO, GraphQLJSON } from 'graphql-scalars';

/** ISO-8601 instant with offset; always serialized as a string (2026-11-28T10:00:00.000Z). */
export const DateTimeScalar = new GraphQLScalarType({
  ...GraphQLDateTimeISO.toConfig(),
  name: 'DateTime',
  description: 'ISO-8601 instant with offset, e.g. 2026-11-28T10:00:00.000Z',
});

export const JSONScalar = GraphQLJSON;
