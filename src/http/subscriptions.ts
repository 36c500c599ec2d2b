import { GraphQLSchema, specifiedRules, validate, ValidationRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { DataSource } from 'typeorm';
import { WebSocketServer } from 'ws';
import type { TokenVerifier } from '../auth/jwt';
import { Actor, RequestContext } from '../context';
import type { Logger } from '../logger';
import { authenticate } from '../auth/authenticate';

interface SubscriptionDeps {
  httpServer: http.Server;
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  dataSource: DataSource;
  log: Logger;
  validationRules: ValidationRule[];
}

/**
 * graphql-ws on the same /graphql path. The bearer token comes in
 * `connectionParams: { authorization: "Bearer <JWT>" }`; without a valid one the socket
 * closes with 4401. Operations pass the same query limits as HTTP.
 */
export function serveSubscriptions({ httpServer, schema, verifier, dataSource, log, validationRules }: SubscriptionDeps): { dispose(): Promise<void> } {
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  wsServer.on('error', () => undefined); // the HTTP server's own errors (a busy port) are handled where it listens
  const server = useServer<Record<string, unknown>, { actor?: Actor }>(
    {
      schema,
      validate: (s, document) => validate(s, document, [...specifiedRules, ...validationRules]),
      onConnect: async (ctx) => {
        try {
          ctx.extra.actor = await authenticate(dataSource, verifier, ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
          return true;
        } catch {
          ctx.extra.socket.close(4401, 'Unauthorized: a valid bearer token is required in connectionParams.authorization');
          return false;
        }
      },
      context: (ctx) => new RequestContext(dataSource, randomUUID(), log.child({ subscription: true }), ctx.extra.actor ?? null),
    },
    wsServer,
  );
  return {
    async dispose() {
      await server.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
