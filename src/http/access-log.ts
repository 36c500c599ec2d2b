import type { ErrorRequestHandler, Request, Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pinoHttp, { HttpLogger } from 'pino-http';
import type { Logger } from '../logger';
import type { Metrics } from './metrics';

/** What one access line says beyond method, path, status and duration. Never variables, query text or PII. */
interface AccessFields {
  operationName?: string;
  tenantId?: string;
  userId?: string;
  errorCodes?: string[];
}

/** On the GraphQL context (a symbol: Apollo copies the context per operation, keeping it). */
const FIELDS = Symbol('access-log fields');
const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * One JSON line per HTTP request (pino-http), filled in by the GraphQL pipeline with the
 * operation, the caller and the error codes; every error code is also counted for /metrics.
 */
export class AccessLog {
  readonly middleware: HttpLogger<IncomingMessage, ServerResponse>;

  constructor(
    log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.middleware = pinoHttp({
      logger: log,
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'requestId', responseTime: 'ms' },
      // A client's X-Request-Id is kept (and echoed) when it is well-formed, so one id follows the request.
      genReqId: (req, res) => {
        const header = req.headers['x-request-id'];
        const id = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      serializers: {
        // The path only: query strings carry GraphQL queries, variables and one-use export tokens.
        req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
        err: (err: Error) => ({ message: err.message }),
      },
      customProps: (_req, res) => ({ ...fieldsOf(res as unknown as Response) }),
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
      customSuccessMessage: () => 'request completed',
      customErrorMessage: () => 'request failed',
    });
  }

  /** Links a GraphQL context to its HTTP response, with the authenticated caller. */
  attach(ctx: object, res: Response, caller: { tenantId: string; userId: string }): void {
    const fields = fieldsOf(res);
    Object.assign(fields, { tenantId: caller.tenantId, userId: caller.userId });
    (ctx as { [FIELDS]?: AccessFields })[FIELDS] = fields;
  }

  /** From the Apollo plugin, when the response is about to be sent. */
  operation(ctx: object, operationName: string | null | undefined, errors: readonly GraphQLFormattedError[] | undefined): void {
    const fields = (ctx as { [FIELDS]?: AccessFields })[FIELDS];
    if (!fields) return;
    if (operationName && OPERATION_NAME.test(operationName)) fields.operationName = operationName;
    this.recordErrors(
      fields,
      (errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')),
    );
  }

  /** A request refused before it reached a resolver (no token, a bad body). */
  refused(req: Request, res: Response, code: string): void {
    const fields = fieldsOf(res);
    const name = (req.body as { operationName?: unknown } | undefined)?.operationName;
    if (typeof name === 'string' && OPERATION_NAME.test(name)) fields.operationName = name;
    this.recordErrors(fields, [code]);
  }

  private recordErrors(fields: AccessFields, codes: string[]): void {
    if (!codes.length) return;
    fields.errorCodes = [...(fields.errorCodes ?? []), ...codes];
    this.metrics.countErrors(codes);
  }
}

function fieldsOf(res: Response): AccessFields {
  return ((res.locals as { access?: AccessFields }).access ??= {});
}

/**
 * Errors outside GraphQL (a malformed JSON body, a body too large) answer as GraphQL
 * errors do, in JSON with a code, never express's HTML page with a stack.
 */
export function jsonErrorHandler(access: AccessLog, log: Logger): ErrorRequestHandler {
  return (error: { status?: number; type?: string; expose?: boolean; message?: string }, req, res, _next) => {
    if (res.headersSent) {
      // Not Express's own handler: it prints the whole error, a body-parser's copy of the body included, to stderr.
      log.error({ err: error, requestId: req.id }, 'request failed after its response began');
      res.destroy();
      return;
    }
    const clientError = typeof error.status === 'number' && error.status >= 400 && error.status < 500;
    const status = clientError ? error.status! : 500;
    const code = clientError ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
    const message = !clientError
      ? 'Internal server error'
      : error.type === 'entity.parse.failed'
        ? 'Malformed JSON in the request body'
        : error.type === 'entity.too.large'
          ? 'The request body is too large'
          : error.expose && error.message
            ? error.message
            : 'Bad request';
    if (!clientError) log.error({ err: error, requestId: req.id }, 'request failed outside GraphQL');
    access.refused(req, res, code);
    res.status(status).json({ errors: [{ message, extensions: { code, requestId: req.id } }] });
  };
}
