import { ConfigError, loadConfig } from '../src/config';

/** SPEC §2: configuration from the environment, validated at start with a clear message. */
describe('configuration', () => {
  test('a fresh machine needs no configuration', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ NODE_ENV: 'development', PORT: 4000, LOG_LEVEL: 'info', introspection: true, SLA_WORKER: 'in-process' });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  test.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ JWT_JWKS_URL: 'not a url' }, 'JWT_JWKS_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ GRAPHQL_INTROSPECTION: 'maybe' }, 'GRAPHQL_INTROSPECTION'],
    [{ SLA_WORKER: 'elsewhere' }, 'SLA_WORKER'],
    [{ JWT_MAX_TTL: '30 days' }, 'JWT_MAX_TTL'],
    [{ JWT_MAX_TTL: 'PT0S' }, 'JWT_MAX_TTL'],
    [{ JWT_MAX_TTL: 'P-1D' }, 'JWT_MAX_TTL'],
    [{ PUBLIC_URL: 'cms.example.com' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://cms.example.com' }, 'PUBLIC_URL'],
    [{ DATABASE_READ_URL: 'http://standby' }, 'DATABASE_READ_URL'],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }, 'DATABASE_URL'],
  ])('refuses %j, naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration:\\n(.*\\n)*  ${variable}: `));
  });

  test('introspection is off in production unless GRAPHQL_INTROSPECTION=true turns it on', () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig(prod).introspection).toBe(false);
    expect(loadConfig({ ...prod, GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadConfig({ GRAPHQL_INTROSPECTION: 'false' }).introspection).toBe(false);
  });

  test('PUBLIC_URL is optional, an absolute http(s) URL kept without a trailing slash', () => {
    expect(loadConfig({}).PUBLIC_URL).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: 'https://cms.example.com/' }).PUBLIC_URL).toBe('https://cms.example.com');
  });

  test('JWT_MAX_TTL is an ISO-8601 duration, 30 days unless set', () => {
    expect(loadConfig({}).jwtMaxTtlSeconds).toBe(30 * 86400);
    expect(loadConfig({ JWT_MAX_TTL: 'PT12H' }).jwtMaxTtlSeconds).toBe(12 * 3600);
    expect(loadConfig({ JWT_MAX_TTL: 'P1D' })).toMatchObject({ JWT_MAX_TTL: 'P1D', jwtMaxTtlSeconds: 86400 });
  });

  test('a JWKS URL alone satisfies production', () => {
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', JWT_JWKS_URL: 'https://idp.example/jwks.json' }).isProduction).toBe(true);
  });
});

test('refuses a header timeout longer than the request timeout, and timeouts that are not numbers', () => {
  expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '40000', HTTP_REQUEST_TIMEOUT_MS: '30000' })).toThrow(
    / {2}HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS/,
  );
  expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(/ {2}DB_STATEMENT_TIMEOUT_MS: must be a number of milliseconds/);
  expect(() => loadConfig({ HTTP_MAX_CONNECTIONS: '0' })).toThrow(/ {2}HTTP_MAX_CONNECTIONS: /);
  expect(loadConfig({ DB_EXPORT_STATEMENT_TIMEOUT_MS: '300000' }).DB_EXPORT_STATEMENT_TIMEOUT_MS).toBe(300_000);
});
