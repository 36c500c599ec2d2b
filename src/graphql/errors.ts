import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { AppError } from '../errors';

const INTERNAL_MESSAGE = 'Internal server error';

/** Domain errors keep their code and extensions; anything unexpected is masked (SPEC §9). */
export function formatError(formatted: GraphQLFormattedError, error: unknown, exposeDetails: boolean): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) {
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { code: original.code, ...original.extensions } };
  }
  const code = formatted.extensions?.code;
  if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  if (isRefusedRequest(error)) {
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
  }
  // The request id survives masking: a failed context (e.g. the database is down) has no later hook to add it.
  const requestId = formatted.extensions?.requestId;
  return {
    message: exposeDetails ? formatted.message : INTERNAL_MESSAGE,
    locations: formatted.locations,
    path: formatted.path,
    extensions: {
      code: 'INTERNAL_SERVER_ERROR',
      ...(typeof requestId === 'string' ? { requestId } : {}),
      ...(exposeDetails && formatted.extensions?.stacktrace ? { stacktrace: formatted.extensions.stacktrace } : {}),
    },
  };
}

/**
 * Apollo refuses some requests with a 4xx status but no code (an unsupported persisted-query
 * version, a hash that does not match the query): the client's mistake, not ours.
 */
function isRefusedRequest(error: unknown): boolean {
  const status = (error as { extensions?: { http?: { status?: number } } }).extensions?.http?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

export function isInternal(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof AppError || isRefusedRequest(error)) return false;
  const code = (error as { extensions?: { code?: string } }).extensions?.code;
  return !code || code === 'INTERNAL_SERVER_ERROR';
}
