import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { DocumentNode, GraphQLError, GraphQLSchema, parse, specifiedRules, validate, ValidationRule } from 'graphql';
import { costLimitError, costLimitPlugin } from './complexity';

/** Limits against abusive operations (SPEC §10), the same for HTTP and graphql-ws. */
export const QUERY_LIMITS = { maxDepth: 12, maxAliases: 20, maxCost: 50000, maxTokens: 5000, maxDirectives: 20 };

/** The largest GraphQL request accepted, as an HTTP body or as one WebSocket message. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export interface QueryGuards {
  /** For Apollo (HTTP): parse options, validation rules and plugins. */
  parseOptions: { maxTokens: number };
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin[];
  /**
   * The same limits as one check, for transports outside Apollo's pipeline (graphql-ws):
   * parse with the token limit, validate with every rule, then price. Errors carry the codes
   * HTTP answers with (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED).
   */
  check(request: {
    query: unknown;
    variables?: Record<string, unknown> | null;
    operationName?: string | null;
  }): { document: DocumentNode } | { errors: GraphQLError[] };
}

export function queryGuards(schema: GraphQLSchema, options: { isProduction: boolean }): QueryGuards {
  const armor = new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    costLimit: { enabled: false }, // page-size aware: see src/graphql/complexity.ts
    // Enforced by the parser (Apollo's parseOptions, parse() below): armor's token plugin throws outside the pipeline (HTTP 500).
    maxTokens: { enabled: false },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives },
    blockFieldSuggestion: { enabled: options.isProduction },
  }).protect();
  const rules = [...specifiedRules, ...armor.validationRules];
  // Armor hides suggestions in an Apollo hook; graphql-ws gets the same treatment here.
  const hideSuggestions = (e: GraphQLError) =>
    options.isProduction ? new GraphQLError(e.message.replace(/Did you mean ".+"/g, '[Suggestion hidden]'), { nodes: e.nodes, extensions: e.extensions }) : e;
  const coded = (e: GraphQLError, code: string) =>
    new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { ...e.extensions, code } });

  return {
    parseOptions: { maxTokens: QUERY_LIMITS.maxTokens },
    validationRules: armor.validationRules,
    plugins: [...armor.plugins, costLimitPlugin(schema, QUERY_LIMITS.maxCost)],
    check({ query, variables, operationName }) {
      if (typeof query !== 'string')
        return { errors: [new GraphQLError('A GraphQL request must have a query string', { extensions: { code: 'BAD_REQUEST' } })] };
      let document: DocumentNode;
      try {
        document = parse(query, { maxTokens: QUERY_LIMITS.maxTokens });
      } catch (error) {
        return { errors: [coded(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')] };
      }
      const invalid = validate(schema, document, rules);
      if (invalid.length > 0) return { errors: invalid.map((e) => hideSuggestions(coded(e, 'GRAPHQL_VALIDATION_FAILED'))) };
      const tooCostly = costLimitError(schema, document, variables ?? undefined, operationName, QUERY_LIMITS.maxCost);
      if (tooCostly) return { errors: [tooCostly] };
      return { document };
    },
  };
}
