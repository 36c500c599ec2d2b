import { Duration } from 'luxon';
import { z } from 'zod';

/** Configuration from the environment, validated once at start (SPEC §2). */
const booleanFlag = z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' }).transform((v) => v === 'true' || v === '1');

export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;

/** A duration in milliseconds from the environment, within sane bounds. */
const millis = (min: number, max: number, fallback: number) =>
  z.coerce.number({ message: 'must be a number of milliseconds' }).int().min(min).max(max).default(fallback);

const B64URL = /^[A-Za-z0-9_-]+$/;

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** An Ed25519 JWK (RFC 8037); `withPrivate` requires `d`, otherwise `d` is refused. */
function isEd25519Jwk(value: unknown, withPrivate: boolean): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const jwk = value as Record<string, unknown>;
  const hasD = typeof jwk.d === 'string' && B64URL.test(jwk.d);
  return jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string' && B64URL.test(jwk.x) && (withPrivate ? hasD : jwk.d === undefined);
}

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
    // SPEC §3: the longest token lifetime accepted (exp after iat).
    JWT_MAX_TTL: z
      .string()
      .refine((v) => isPositiveDuration(v), 'must be a positive ISO-8601 duration, e.g. P30D or PT12H')
      .default('P30D'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    GRAPHQL_INTROSPECTION: booleanFlag.optional(),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    DATA_DIR: z.string().min(1).default('.data'),
    EVIDENCE_SIGNING_KEY: z
      .string()
      .refine((v) => isEd25519Jwk(parseJson(v), true), 'must be a private Ed25519 JWK as JSON: {"kty":"OKP","crv":"Ed25519","x":"…","d":"…","kid":"…"}')
      .optional(),
    EVIDENCE_PUBLIC_KEYS: z
      .string()
      .refine((v) => {
        const keys = parseJson(v);
        return Array.isArray(keys) && keys.every((k) => isEd25519Jwk(k, false));
      }, 'must be a JSON array of public Ed25519 JWKs (earlier evidence keys, without "d")')
      .optional(),
    AUDIT_CHECKPOINT_DIR: z.string().min(1).optional(),
    // SPEC §2: absolute links (export URLs); default: the request's protocol and host.
    PUBLIC_URL: z
      .url({ message: 'must be an absolute http(s) URL, e.g. https://cms.example.com' })
      .refine((v) => /^https?:\/\//i.test(v), 'must be an absolute http(s) URL, e.g. https://cms.example.com')
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
    // SPEC §2: a hot standby for reports and the CSV export.
    DATABASE_READ_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
      .optional(),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ message: 'must be the http(s) URL of an OpenTelemetry collector' }).optional(),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (a bearer token for /metrics)').optional(),
    SLA_WORKER: z.enum(['in-process', 'off'], { message: "must be 'in-process' or 'off' (then run npm run worker)" }).default('in-process'),
    // Slow clients (slowloris headers, trickled bodies) lose their socket instead of holding it.
    HTTP_HEADERS_TIMEOUT_MS: millis(1_000, 120_000, 10_000),
    HTTP_REQUEST_TIMEOUT_MS: millis(1_000, 600_000, 30_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: millis(100, 120_000, 5_000),
    HTTP_MAX_CONNECTIONS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(1_000_000).default(1_000),
    HTTP_MAX_HEADERS_COUNT: z.coerce.number({ message: 'must be a number' }).int().min(20).max(2_000).default(100),
    // PostgreSQL statement_timeout: API statements, and the longer streamed exports.
    DB_STATEMENT_TIMEOUT_MS: millis(100, 600_000, DEFAULT_STATEMENT_TIMEOUT_MS),
    DB_EXPORT_STATEMENT_TIMEOUT_MS: millis(100, 3_600_000, 120_000),
    // SPEC §11 webhooks: plain http and loopback/private addresses only where allowed (default: outside production).
    WEBHOOK_ALLOW_HTTP: booleanFlag.optional(),
    WEBHOOK_ALLOW_PRIVATE: booleanFlag.optional(),
    // The first retry of a failed delivery waits about this long; each later one twice as long.
    WEBHOOK_RETRY_BASE_MS: millis(10, 3_600_000, 5_000),
    // SPEC §11: a receiver has 10 s to answer.
    WEBHOOK_TIMEOUT_MS: millis(100, 60_000, 10_000),
    // SPEC §11 e-mail: SLA warnings and breaches are mailed only when SMTP_URL is set.
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
    SMTP_FROM: z.string().min(3).default('complaints@localhost'),
  })
  .superRefine((env, issue) => {
    if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
      issue.addIssue({
        code: 'custom',
        path: ['HTTP_HEADERS_TIMEOUT_MS'],
        message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
      });
    }
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET && !env.JWT_JWKS_URL) {
      issue.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'JWT_SECRET or JWT_JWKS_URL is required when NODE_ENV=production' });
    }
    if (env.NODE_ENV === 'production' && !env.DATABASE_URL) {
      issue.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required when NODE_ENV=production (the embedded PostgreSQL is for development)' });
    }
  });

function isPositiveDuration(value: string): boolean {
  const duration = Duration.fromISO(value);
  return duration.isValid && duration.as('seconds') >= 1;
}

export type Env = z.infer<typeof schema>;

export interface AppConfig extends Env {
  introspection: boolean;
  isProduction: boolean;
  /** JWT_MAX_TTL in seconds (a month counts 30 days). */
  jwtMaxTtlSeconds: number;
  webhookAllowHttp: boolean;
  webhookAllowPrivate: boolean;
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
    jwtMaxTtlSeconds: Math.floor(Duration.fromISO(parsed.data.JWT_MAX_TTL).as('seconds')),
    webhookAllowHttp: parsed.data.WEBHOOK_ALLOW_HTTP ?? !isProduction,
    webhookAllowPrivate: parsed.data.WEBHOOK_ALLOW_PRIVATE ?? !isProduction,
  };
}
