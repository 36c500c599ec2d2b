import { validate } from 'class-validator';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, PubSub } from 'type-graphql';
import { RESOLVERS } from '../../resolvers';
import { DateTimeScalar } from '../../resolvers/types/scalars';
import { authChecker } from '../auth/allow';
import { BadUserInputError } from '../errors';
import { flattenValidationErrors } from '../validation';
import { guardArguments } from './argument-guard';

/** Validates every argument object with class-validator; errors name the field path. */
async function validateArgs(value: unknown): Promise<void> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const errors = await validate(value, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  if (errors.length > 0) throw new BadUserInputError(flattenValidationErrors(errors));
}

/**
 * type-graphql insists on a PubSub, but no subscription here uses topics: each has its own
 * `subscribe` on the event hub (src/events.ts), which routes by tenant and bounds every queue.
 */
const noTopics: PubSub = {
  publish() {
    throw new Error('Publish through PostgreSQL NOTIFY: the event hub (src/events.ts) feeds subscriptions');
  },
  subscribe() {
    throw new Error('Subscriptions subscribe through the event hub (src/events.ts), not topics');
  },
};

/** type-graphql builds the root types without descriptions; a client reads them first (SPEC §10). */
const ROOT_DESCRIPTIONS = {
  query: "Reads of the caller's tenant. Every request needs a bearer token; PII and free text are masked by role (SPEC §3).",
  mutation: 'Changes, each in one transaction with its audit event. Errors carry extensions.code (SPEC §9); who may call each is in its description.',
  subscription: "Live feeds over graphql-ws (connectionParams: { authorization: 'Bearer <JWT>' }), the viewer's tenant only.",
};

function describeRootTypes(schema: GraphQLSchema): GraphQLSchema {
  const roots = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() };
  for (const [kind, type] of Object.entries(roots)) {
    if (type && !type.description) type.description = ROOT_DESCRIPTIONS[kind as keyof typeof roots];
  }
  return schema;
}

let cached: Promise<GraphQLSchema> | null = null;

export function buildAppSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers: [...RESOLVERS],
    authChecker,
    authMode: 'error',
    pubSub: noTopics,
    validateFn: validateArgs,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
  })
    .then(guardArguments)
    .then(describeRootTypes);
  return cached;
}
