import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express from 'express';
import { GraphQLError } from 'graphql';
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { TokenVerifier } from '../auth/jwt';
import type { AppConfig } from '../config';
import { RequestContext } from '../context';
import { AppError } from '../errors';
import { buildAppSchema } from '../graphql/schema';
import { costLimitPlugin } from '../graphql/complexity';
import { formatError, isInternal } from '../graphql/errors';
import type { Logger } from '../logger';
import { authenticate } from '../auth/authenticate';
import { AccessLog, jsonErrorHandler } from './access-log';
import { Metrics } from './metrics';
import { serveSubscriptions } from './subscriptions';
import { complaintsCsvHandler } from './csv-report';
import { listenForEvents } from '../events';

export interface AppDeps {
  config: AppConfig;
  dataSource: DataSource;
  log: Logger;
}

export interface RunningApp {
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
  /** Stops accepting requests and waits for in-flight ones (graceful shutdown). */
  stop(): Promise<void>;
}

/** Limits against abusive queries (SPEC §10). */
export const QUERY_LIMITS = { maxDepth: 12, maxAliases: 20, maxCost: 50000, maxTokens: 5000, maxDirectives: 20 };

export async function createApp({ config, dataSource, log }: AppDeps): Promise<RunningApp> {
  const verifier = new TokenVerifier({ secret: config.JWT_SECRET, jwksUrl: config.JWT_JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
  const metrics = new Metrics(dataSource);
  const access = new AccessLog(log, metrics);
  const app = express();
  app.disable('x-powered-by');
  app.use(access.middleware);
  const httpServer = http.createServer(app);

  const armor = new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    costLimit: { enabled: false }, // page-size aware: see src/graphql/complexity.ts
    // Enforced by Apollo's parser below: armor's token plugin throws outside the pipeline (HTTP 500).
    maxTokens: { enabled: false },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives },
    blockFieldSuggestion: { enabled: config.isProduction },
  }).protect();

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
  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: config.introspection,
    csrfPrevention: true,
    stopOnTerminationSignals: false, // src/main.ts owns shutdown: drain, then pool, then the embedded server
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: QUERY_LIMITS.maxTokens },
    includeStacktraceInErrorResponses: exposeDetails,
    validationRules: armor.validationRules,
    plugins: [...armor.plugins, costLimitPlugin(schema, QUERY_LIMITS.maxCost), ApolloServerPluginDrainHttpServer({ httpServer }), requestLogging],
    formatError: (formatted, error) => formatError(formatted, error, exposeDetails),
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await dataSource.query('SELECT 1');
      res.json({ status: 'ready' });
    } catch (error) {
      log.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable' });
    }
  });
  app.get('/metrics', async (req, res) => {
    if (config.METRICS_TOKEN && !bearerMatches(req.headers.authorization, config.METRICS_TOKEN)) {
      res.status(401).set('www-authenticate', 'Bearer').json({ error: 'METRICS_TOKEN required: Authorization: Bearer <METRICS_TOKEN>' });
      return;
    }
    res.type(metrics.contentType).send(await metrics.render());
  });

  app.get('/reports/complaints.csv', complaintsCsvHandler(dataSource, verifier, log));

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
  const subscriptions = serveSubscriptions({ httpServer, schema, verifier, dataSource, log, validationRules: armor.validationRules });

  return {
    httpServer,
    apollo,
    async stop() {
      await subscriptions.dispose();
      await apollo.stop(); // drains the HTTP server: in-flight requests finish
      await listener.stop();
    },
  };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
