import pino, { DestinationStream } from 'pino';

/**
 * Fields that carry values rather than code: SQL bind parameters (TypeORM's QueryFailedError),
 * PostgreSQL's `detail` ("Key (email)=(…) already exists", "Failing row contains (…)") and
 * `where` (context lines quoting data), GraphQL variables, request and note bodies. Erasure cannot reach a log line,
 * so none of them is ever written (SPEC §2: never variables or PII).
 */
const VALUE_FIELDS = ['parameters', 'detail', 'where', 'variables', 'internalQuery', 'body'];
// Also never the pg client a connection error carries: its whole state, connection parameters included.
const HIDDEN = new Set([...VALUE_FIELDS, 'client']);
const MAX_DEPTH = 4;

/** Structured JSON logs; secrets, tokens and data values are redacted wherever they appear. */
export function createLogger(level: string, destination?: DestinationStream) {
  return pino(
    {
      level,
      base: { service: 'complaint-cms' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError, error: serializeError },
      redact: ['req.headers.authorization', '*.authorization', '*.JWT_SECRET', '*.password', ...VALUE_FIELDS.flatMap((f) => [f, `*.${f}`])],
    },
    destination,
  );
}

export type Logger = ReturnType<typeof createLogger>;

type ErrorLike = Error & Record<string, unknown>;

function isErrorLike(value: unknown): value is ErrorLike {
  return (
    value instanceof Error ||
    (typeof value === 'object' && value !== null && typeof (value as Error).message === 'string' && typeof (value as Error).stack === 'string')
  );
}

/**
 * An error as a log object: type, message, stack, code and the other diagnostic fields,
 * without the value-carrying ones above, and with data values cut out of the message (and
 * so out of the stack's first line) where PostgreSQL quotes them.
 */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!isErrorLike(err)) return err;
  const message = withoutValues(String(err.message ?? ''), err);
  const out: Record<string, unknown> = { type: err.constructor?.name || err.name, message };
  if (typeof err.stack === 'string') out.stack = err.message ? err.stack.replace(err.message, () => message) : err.stack;
  for (const key in err) {
    if (HIDDEN.has(key) || key in out) continue;
    const value = err[key];
    if (isErrorLike(value)) {
      if (depth < MAX_DEPTH) out[key] = serializeError(value, depth + 1);
    } else {
      out[key] = copyWithoutValues(value, depth + 1);
    }
  }
  if (isErrorLike(err.cause) && depth < MAX_DEPTH) out.cause = serializeError(err.cause, depth + 1);
  if (Array.isArray(err.errors) && depth < MAX_DEPTH) out.errors = err.errors.map((e) => serializeError(e, depth + 1));
  return out;
}

/** A copy (never the caller's object, which is still in use) without the value fields. */
function copyWithoutValues(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return '[object]';
  if (isErrorLike(value)) return serializeError(value, depth);
  if (Array.isArray(value)) return value.map((v) => copyWithoutValues(v, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!HIDDEN.has(k)) out[k] = copyWithoutValues(v, depth + 1);
  return out;
}

/**
 * PostgreSQL quotes the offending value in the message of a data exception (SQLSTATE class
 * 22: `invalid input syntax for type uuid: "…"`, `value "…" is out of range`); TypeORM's
 * EntityNotFoundError prints its criteria. Other messages name only schema objects.
 */
function withoutValues(message: string, err: ErrorLike): string {
  const code =
    typeof err.code === 'string'
      ? err.code
      : typeof (err.driverError as ErrorLike | undefined)?.code === 'string'
        ? String((err.driverError as ErrorLike).code)
        : '';
  if (code.startsWith('22')) return message.replace(/"[^]*"/g, '"[redacted]"').replace(/: [^]*$/, ': [redacted]');
  if (err.name === 'EntityNotFoundError') return message.replace(/ matching[^]*$/, ' matching [redacted]');
  return message;
}
