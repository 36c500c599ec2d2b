import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError } from 'graphql';
import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { TokenVerifier } from '../auth/jwt';
import type { AppConfig } from '../config';
import { RequestContext } from '../context';
import { AppError } from '../errors';
import { buildAppSchema } from '../graphql/schema';
import { queryGuards } from '../graphql/limits';
import { queryReadScope } from '../graphql/read-scope';
import { useMail } from '../mail/sla-mail';
import { useWebhookPolicy, webhookPolicyFrom } from '../webhooks/url-policy';
import { formatError, isInternal } from '../graphql/errors';
import type { Logger } from '../logger';
import { authenticate } from '../auth/authenticate';
import { AccessLog, jsonErrorHandler } from './access-log';
import { Metrics } from './metrics';
import { serveSubscriptions, subscriptionsNeedWebSocket } from './subscriptions';
import { mountCsvReport } from './csv-report';
import { createHttpServer } from './http-server';
import { listenForEvents } from '../event-listener';
import { ReadReplica, readReplicaOf, useReadReplica } from '../db/read-replica';
import { mountEvidenceRoutes } from './evidence';
import { mountDesk } from './desk';
import { legacyJsonStatus } from './response-status';

export interface AppDeps {
  config: AppConfig;
  dataSource: DataSource;
  log: Logger;
  /**
   * A hot standby for reports and the CSV export (DATABASE_READ_URL), its pool not necessarily
   * initialised yet (a standby that is down must not stop the start); the primary otherwise.
   */
  readDataSource?: DataSource | null;
  /** The SLA worker when it runs in this process: /readyz reports it. */
  worker?: { readonly running: boolean } | null;
}

export interface RunningApp {
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
  /**
   * Graceful shutdown: stops accepting, answers in-flight and late requests with
   * `Connection: close`, closes the subscriptions, then waits for the last connection.
   */
  stop(): Promise<void>;
}

/** Limits against abusive queries (SPEC §10): one set for HTTP and graphql-ws. */
export { QUERY_LIMITS } from '../graphql/limits';

/** A standby slower than this to answer /readyz's check is reported down (a blackholed host waits out its connect timeout). */
const READYZ_REPLICA_WAIT_MS = 1_000;

/** How long a drain waits for in-flight requests before cutting the rest (main.ts gives up at 25 s). */
const DRAIN_GRACE_MS = 20_000;

export async function createApp({ config, dataSource, readDataSource, log, worker }: AppDeps): Promise<RunningApp> {
  const verifier = new TokenVerifier({
    secret: config.JWT_SECRET,
    jwksUrl: config.JWT_JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    maxTtlSeconds: config.jwtMaxTtlSeconds,
    log,
  });
  useWebhookPolicy(dataSource, webhookPolicyFrom(config));
  useMail(dataSource, config);
  // SPEC §2: reports and the CSV export read from the standby while it answers, else the primary.
  const replica = readDataSource ? new ReadReplica(readDataSource, log) : null;
  useReadReplica(dataSource, replica);
  const metrics = new Metrics(dataSource);
  const access = new AccessLog(log, metrics);
  const app = express();
  app.disable('x-powered-by');
  app.use(access.middleware);
  const drainable = createHttpServer(app, {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    maxHeadersCount: config.HTTP_MAX_HEADERS_COUNT,
  });
  const httpServer = drainable.server;

  const exposeDetails = config.NODE_ENV === 'development';
  const requestLogging: ApolloServerPlugin<RequestContext> = {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async didEncounterErrors({ errors, contextValue: ctx }) {
          for (const error of errors) {
            if (isInternal(error)) ctx.log.error({ err: error.originalError ?? error }, 'internal error');
          }
        },
        async willSendResponse({ response, operationName, operation }) {
          if (response.body.kind === 'single') {
            for (const error of response.body.singleResult.errors ?? []) {
              (error.extensions as Record<string, unknown>).requestId = contextValue.requestId;
            }
          }
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          metrics.observeOperation(operation?.operation ?? 'invalid', ms);
          access.operation(contextValue, operationName, response.body.kind === 'single' ? response.body.singleResult.errors : undefined);
        },
      };
    },
  };

  const schema = await buildAppSchema();
  const guards = queryGuards(schema, { isProduction: config.isProduction });
  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: config.introspection,
    csrfPrevention: true,
    stopOnTerminationSignals: false, // src/main.ts owns shutdown: drain (stop() below), then pool, then the embedded server
    allowBatchedHttpRequests: false,
    parseOptions: guards.parseOptions,
    includeStacktraceInErrorResponses: exposeDetails,
    validationRules: guards.validationRules,
    plugins: [...guards.plugins, subscriptionsNeedWebSocket, queryReadScope, requestLogging, legacyJsonStatus],
    formatError: (formatted, error) => formatError(formatted, error, exposeDetails),
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (drainable.draining) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const checks: Record<string, 'up' | 'down'> = { database: 'up', eventListener: listener.connected ? 'up' : 'down' };
    if (worker) checks.worker = worker.running ? 'up' : 'down';
    const [database, standby] = await Promise.all([
      dataSource.query('SELECT 1').then(
        () => null,
        (error: unknown) => error,
      ),
      replica?.checkWithin(READYZ_REPLICA_WAIT_MS),
    ]);
    if (database) {
      log.warn({ err: database }, 'readiness check failed');
      checks.database = 'down';
    }
    // The primary answers what the standby would: a standby that is down degrades, it does not unready.
    if (standby) checks.replica = standby;
    const down = Object.entries(checks).flatMap(([name, state]) => (state === 'up' || name === 'replica' ? [] : [name]));
    const degraded = standby === 'down' ? { degraded: ['replica'] } : {};
    if (down.length > 0) res.status(503).json({ status: 'unavailable', down, ...degraded, checks });
    else res.json({ status: 'ready', ...degraded, checks });
  });
  app.get('/metrics', async (req, res) => {
    if (config.METRICS_TOKEN && !bearerMatches(req.headers.authorization, config.METRICS_TOKEN)) {
      res.status(401).set('www-authenticate', 'Bearer').json({ error: 'METRICS_TOKEN required: Authorization: Bearer <METRICS_TOKEN>' });
      return;
    }
    res.type(metrics.contentType).send(await metrics.render());
  });

  mountDesk(app, { config, dataSource });
  mountCsvReport(app, {
    dataSource,
    verifier,
    log,
    access,
    statementTimeoutMs: config.DB_EXPORT_STATEMENT_TIMEOUT_MS,
  });
  await mountEvidenceRoutes(app, { config, dataSource, verifier, log, access });

  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = String(req.id); // X-Request-Id when well-formed (see the access log)
        const requestLog = log.child({ requestId });
        try {
          const actor = await authenticate(dataSource, verifier, req.headers.authorization);
          const ctx = new RequestContext(dataSource, requestId, requestLog.child({ tenantId: actor.tenantId, userId: actor.userId }), actor);
          ctx.publicUrl = config.PUBLIC_URL ?? `${req.protocol}://${req.get('host')}`;
          access.attach(ctx, res, actor);
          return ctx;
        } catch (error) {
          access.refused(req, res, error instanceof AppError ? error.code : 'INTERNAL_SERVER_ERROR');
          if (error instanceof AppError) {
            throw new GraphQLError(error.message, { extensions: { code: error.code, requestId, http: { status: 401 } } });
          }
          requestLog.error({ err: error }, 'request context failed');
          throw new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } });
        }
      },
    }),
  );
  app.use(jsonErrorHandler(access, log));

  const listener = listenForEvents(dataSource, (dataSource.options as { url: string }).url, log);
  await listener.ready; // subscribers connected after start-up hear every later change
  const subscriptions = serveSubscriptions({ httpServer, schema, verifier, dataSource, log, guards, exposeDetails });

  return {
    httpServer,
    apollo,
    async stop() {
      const drained = drainable.drain(DRAIN_GRACE_MS);
      await subscriptions.dispose();
      await drained;
      await apollo.stop();
      await listener.stop();
      replica?.stop();
      if (replica && readReplicaOf(dataSource) === replica) useReadReplica(dataSource, null);
    },
  };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
