import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, GraphQLError, GraphQLSchema, isListType, getNullableType } from 'graphql';
import { ComplexityEstimator, getComplexity } from 'graphql-query-complexity';

/** A list without a `first` argument (notes, timers, history) is assumed this long. */
const UNBOUNDED_LIST_SIZE = 10;

/**
 * Cost of a field: 1, plus its children times the page size it asks for. The size comes
 * from `first` whatever way it is given (literal, variable or the schema default), so a
 * page size passed as a variable cannot slip past the limit. `edges` lists are bounded by
 * their connection's `first` and are not multiplied again.
 */
const pageSizeEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (type.name.startsWith('__') || field.name.startsWith('__')) return 0; // introspection
  if (typeof args.first === 'number') return 1 + childComplexity * Math.max(args.first, 1);
  const isList = isListType(getNullableType(field.type));
  if (isList && field.name !== 'edges') return 1 + childComplexity * UNBOUNDED_LIST_SIZE;
  return 1 + childComplexity;
};

/**
 * The cost rule for one operation: a GraphQL error when its estimated cost exceeds `maxCost`,
 * else null. Shared by HTTP (the plugin below) and graphql-ws (src/graphql/limits.ts).
 */
export function costLimitError(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  maxCost: number,
): GraphQLError | null {
  let cost: number;
  try {
    cost = getComplexity({ schema, query: document, variables: variables ?? {}, operationName: operationName ?? undefined, estimators: [pageSizeEstimator] });
  } catch {
    return null; // invalid variables: execution refuses the operation with BAD_USER_INPUT before any field runs
  }
  if (cost <= maxCost) return null;
  return new GraphQLError(`Query cost limit of ${maxCost} exceeded (cost ${cost}): ask for smaller pages or fewer nested lists`, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', cost, maxCost, http: { status: 400 } },
  });
}

/** Refuses an operation whose estimated cost exceeds `maxCost` before it executes (SPEC §10). */
export function costLimitPlugin(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const error = costLimitError(schema, document, request.variables, request.operationName, maxCost);
          if (error) throw error;
        },
      };
    },
  };
}
