import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { decodeJwt } from 'jose';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { DataSource } from 'typeorm';
import { WebSocket, WebSocketServer } from 'ws';
import { authenticate } from '../auth/authenticate';
import type { TokenVerifier } from '../auth/jwt';
import { Actor, RequestContext } from '../context';
import { AppError } from '../errors';
import type { FeedOwner } from '../events';
import { formatError } from '../graphql/errors';
import { MAX_REQUEST_BYTES, QueryGuards } from '../graphql/limits';
import type { Logger } from '../logger';

/** Caps per connection and per user, so that one client cannot hold the process's memory. */
export const SUBSCRIPTION_LIMITS = {
  maxSubscriptionsPerConnection: 20,
  maxConnectionsPerUser: 10,
};

/** Close codes a client sees (graphql-ws reserves 4400-4499 for its own; 4401 and 4429 keep its meaning). */
export const WS_CLOSE = {
  unauthorized: CloseCode.Unauthorized, // 4401: no valid token, or the token expired
  tooManyConnections: CloseCode.TooManyInitialisationRequests, // 4429: too many for this user
  messageTooBig: 1009, // RFC 6455: sent by ws for a message over maxPayload
};

/** How long a subscription may reuse what its loaders read (see SocketContext.beforeEvent). */
const LOADER_CACHE_MS = 1_000;

/** setTimeout's longest delay (~24.8 days); a longer token is re-checked when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What graphql-ws keeps per connection beside the socket (a type alias: it needs an index signature). */
type ConnectionState = {
  actor?: Actor;
  userKey?: string;
  expiry?: NodeJS.Timeout;
};
type Connection = ConnectionState & { socket: WebSocket };

/** The context of an operation over graphql-ws: it can end its own connection (a feed that falls behind). */
class SocketContext extends RequestContext implements FeedOwner {
  private cachedSince = Date.now();

  constructor(
    dataSource: DataSource,
    requestId: string,
    log: Logger,
    actor: Actor | null,
    private readonly socket: WebSocket,
  ) {
    super(dataSource, requestId, log, actor);
  }

  /**
   * The context lives as long as its subscription: its loader caches (users, policies) are
   * at most a second old when an event runs, so a burst shares them but they never go stale or grow.
   */
  beforeEvent(): void {
    const now = Date.now();
    if (now - this.cachedSince < LOADER_CACHE_MS) return;
    this.loaders.clear();
    this.cachedSince = now;
  }

  endConnection(code: number, reason: string): void {
    this.log.warn({ code, reason }, 'ending subscription connection');
    this.socket.close(code, reason);
  }
}

interface SubscriptionDeps {
  httpServer: http.Server;
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  dataSource: DataSource;
  log: Logger;
  guards: QueryGuards;
  exposeDetails: boolean;
}

/**
 * graphql-ws on the same /graphql path. The bearer token comes in
 * `connectionParams: { authorization: "Bearer <JWT>" }`; without a valid one the socket
 * closes with 4401, and so it does when the token expires. Operations pass the same query
 * limits as HTTP; a message is at most as large as an HTTP body.
 */
export function serveSubscriptions({ httpServer, schema, verifier, dataSource, log, guards, exposeDetails }: SubscriptionDeps): { dispose(): Promise<void> } {
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: MAX_REQUEST_BYTES });
  wsServer.on('error', () => undefined); // the HTTP server's own errors (a busy port) are handled where it listens
  const connectionsByUser = new Map<string, number>();
  const format = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((e) => {
      const formatted = formatError(e.toJSON(), e, exposeDetails);
      const { http: _http, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    });

  const closeOnExpiry = (connection: Connection, expiresAt: number) => {
    const remaining = expiresAt - Date.now();
    if (remaining <= 0) {
      connection.socket.close(WS_CLOSE.unauthorized, 'token expired');
      return;
    }
    connection.expiry = setTimeout(() => closeOnExpiry(connection, expiresAt), Math.min(remaining, MAX_TIMER_MS));
  };

  const server = useServer<Record<string, unknown>, ConnectionState>(
    {
      schema,
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        let actor: Actor;
        try {
          actor = await authenticate(dataSource, verifier, authorization);
        } catch (error) {
          if (error instanceof AppError) {
            ctx.extra.socket.close(WS_CLOSE.unauthorized, 'Unauthorized: a valid bearer token is required in connectionParams.authorization');
          } else {
            log.error({ err: error }, 'subscription connection failed');
            ctx.extra.socket.close(CloseCode.InternalServerError, 'Internal server error');
          }
          return false;
        }
        if (ctx.extra.socket.readyState !== WebSocket.OPEN) return false; // gone while authenticating: onClose has run, count nothing
        const userKey = JSON.stringify([actor.tenantId, actor.userId]);
        const open = connectionsByUser.get(userKey) ?? 0;
        if (open >= SUBSCRIPTION_LIMITS.maxConnectionsPerUser) {
          ctx.extra.socket.close(WS_CLOSE.tooManyConnections, `Too many connections: at most ${SUBSCRIPTION_LIMITS.maxConnectionsPerUser} per user`);
          return false;
        }
        connectionsByUser.set(userKey, open + 1);
        ctx.extra.actor = actor;
        ctx.extra.userKey = userKey;
        // Verified by authenticate just above: only its expiry is read here.
        const { exp } = decodeJwt(String(authorization).replace(/^Bearer\s+/i, ''));
        if (typeof exp === 'number') closeOnExpiry(ctx.extra, exp * 1000);
        return true;
      },
      onClose: (ctx) => {
        if (ctx.extra.expiry) clearTimeout(ctx.extra.expiry);
        const { userKey } = ctx.extra;
        if (!userKey) return;
        ctx.extra.userKey = undefined;
        const open = (connectionsByUser.get(userKey) ?? 1) - 1;
        if (open > 0) connectionsByUser.set(userKey, open);
        else connectionsByUser.delete(userKey);
      },
      onSubscribe: (ctx, _id, payload) => {
        // The operation being subscribed is already counted.
        if (Object.keys(ctx.subscriptions).length > SUBSCRIPTION_LIMITS.maxSubscriptionsPerConnection) {
          return [
            new GraphQLError(
              `Too many operations on this connection: at most ${SUBSCRIPTION_LIMITS.maxSubscriptionsPerConnection}; complete one first or open another connection`,
              {
                extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', max: SUBSCRIPTION_LIMITS.maxSubscriptionsPerConnection },
              },
            ),
          ];
        }
        const checked = guards.check(payload);
        if ('errors' in checked) return checked.errors;
        const requestId = randomUUID();
        const actor = ctx.extra.actor ?? null;
        const contextValue = new SocketContext(
          dataSource,
          requestId,
          log.child({ requestId, subscription: true, tenantId: actor?.tenantId, userId: actor?.userId }),
          actor,
          ctx.extra.socket,
        );
        return { schema, document: checked.document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wsServer,
  );
  // ws already closed the socket with the right code (1009 for an oversized message): log it
  // as a client's mistake instead of graphql-ws's console.error with a stack trace per socket.
  wsServer.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error) => log.warn({ err: error }, 'websocket closed on a protocol error'));
  });
  return {
    async dispose() {
      // A client that stopped reading never answers the close handshake: don't wait ws's 30 s for it.
      const stragglers = setTimeout(() => wsServer.clients.forEach((socket) => socket.terminate()), 2_000);
      await server.dispose();
      clearTimeout(stragglers);
    },
  };
}

/** A subscription posted over HTTP is a client mistake (400), not an internal error. */
export const subscriptionsNeedWebSocket: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation === 'subscription') {
          throw new GraphQLError(
            'Subscriptions are served over WebSocket: connect with the graphql-ws protocol (graphql-transport-ws) to this same /graphql path',
            {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            },
          );
        }
      },
    };
  },
};
