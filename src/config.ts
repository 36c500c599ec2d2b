import { z } from 'zod';

/** Configuration from the environment, validated once at start (SPEC §2). */
const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number({ message: 'must be a port number' }).int().min(0).max(65535).default(4000),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
      .optional(),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters (HS256 shared secret)').optional(),
    JWT_JWKS_URL: z.url({ message: 'must be an http(s) URL' }).optional(),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    GRAPHQL_INTROSPECTION: booleanFlag.optional(),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    DATA_DIR: z.string().min(1).default('.data'),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ message: 'must be the http(s) URL of an OpenTelemetry collector' }).optional(),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (a bearer token for /metrics)').optional(),
    SLA_WORKER: z.enum(['in-process', 'off'], { message: "must be 'in-process' or 'off' (then run npm run worker)" }).default('in-process'),
  })
  .superRefine((env, issue) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET && !env.JWT_JWKS_URL) {
      issue.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'JWT_SECRET or JWT_JWKS_URL is required when NODE_ENV=production' });
    }
    if (env.NODE_ENV === 'production' && !env.DATABASE_URL) {
      issue.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required when NODE_ENV=production (the embedded PostgreSQL is for development)' });
    }
  });

export type Env = z.infer<typeof schema>;

export interface AppConfig extends Env {
  introspection: boolean;
  isProduction: boolean;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const isProduction = parsed.data.NODE_ENV === 'production';
  return {
    ...parsed.data,
    isProduction,
    introspection: parsed.data.GRAPHQL_INTROSPECTION ?? !isProduction,
  };
}
