import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors';
import type { Logger } from '../logger';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;
const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400 };

/**
 * The request id of a REST route, as the GraphQL route takes it: the access log's when it
 * assigned one, else a well-formed X-Request-Id, else a new one; echoed in the response.
 */
export function requestIdOf(req: Request, res: Response): string {
  const assigned = (req as { id?: unknown }).id;
  const header = req.headers['x-request-id'];
  const id = typeof assigned === 'string' && assigned ? assigned : typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/**
 * Errors of REST routes answered as GraphQL answers them: JSON `errors` with
 * `extensions.code` (and `fields` for bad input) and the request id; an unknown error is
 * logged and masked. Returns the code sent, for the access log.
 */
export function sendRestError(res: Response, error: unknown, requestId: string, log: Logger): string {
  if (error instanceof AppError) {
    if (!res.headersSent)
      res.status(STATUS[error.code] ?? 400).json({ errors: [{ message: error.message, extensions: { ...error.extensions, code: error.code, requestId } }] });
    else res.destroy();
    return error.code;
  }
  log.error({ err: error, requestId }, 'request failed');
  if (!res.headersSent) res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] });
  else res.destroy(); // a stream cut short must not look complete
  return 'INTERNAL_SERVER_ERROR';
}
