import { validate } from 'class-validator';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { RESOLVERS } from '../../resolvers';
import { DateTimeScalar } from '../../resolvers/types/scalars';
import { authChecker } from '../auth/allow';
import { BadUserInputError } from '../errors';
import { events } from '../events';
import { flattenValidationErrors } from '../validation';
import { guardArguments } from './argument-guard';

/** Validates every argument object with class-validator; errors name the field path. */
async function validateArgs(value: unknown): Promise<void> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const errors = await validate(value, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  if (errors.length > 0) throw new BadUserInputError(flattenValidationErrors(errors));
}

let cached: Promise<GraphQLSchema> | null = null;

export function buildAppSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers: [...RESOLVERS],
    authChecker,
    authMode: 'error',
    pubSub: events, // subscriptions read it through their own filtered `subscribe`
    validateFn: validateArgs,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
  }).then(guardArguments);
  return cached;
}
