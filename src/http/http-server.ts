import http from 'node:http';

export interface HttpLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  maxHeadersCount: number;
}

export interface DrainingServer {
  server: http.Server;
  /** True from the start of drain(): readiness answers 503 so load balancers look elsewhere. */
  readonly draining: boolean;
  /**
   * Stops accepting connections, closes idle keep-alive sockets, answers every request it
   * has started or still receives on a busy socket with `Connection: close`, and resolves
   * when the last connection is gone (after `graceMs`, whatever is left is cut).
   */
  drain(graceMs: number): Promise<void>;
}

// Node checks header and request timeouts on this interval (its default, 30 s, would let a
// slowloris socket outlive the header timeout threefold).
const TIMEOUT_CHECK_MS = 1_000;

/**
 * The HTTP server with explicit limits (Node's defaults hold a slowloris socket 100 s) and a
 * drain that never leaves a committed request unanswered. A socket is only ever closed by us
 * while no request is on it: Node's closeIdleConnections() skips a socket as soon as a
 * request's first bytes are parsed, so a request is either answered or never started.
 */
export function createHttpServer(handler: http.RequestListener, limits: HttpLimits): DrainingServer {
  const server = http.createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  });
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxHeadersCount = limits.maxHeadersCount;
  server.maxConnections = limits.maxConnections;
  // Node's header timeout starts at a request's first byte: a socket that never sends one
  // would hold its place under the connection cap for good. It gets the same time.
  server.on('connection', (socket) => {
    const silent = setTimeout(() => socket.destroy(), limits.headersTimeoutMs);
    silent.unref();
    socket.once('data', () => clearTimeout(silent));
    socket.once('close', () => clearTimeout(silent));
  });

  const open = new Set<http.ServerResponse>();
  let draining = false;
  // Before the app's listener, so the header is set before any route can send its headers.
  server.on('request', (_req, res) => {
    if (draining) res.setHeader('connection', 'close');
    open.add(res);
    res.once('close', () => {
      open.delete(res);
      // A response that went out as keep-alive before the drain leaves an idle socket behind.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  server.on('request', handler);

  return {
    server,
    get draining() {
      return draining;
    },
    async drain(graceMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), graceMs);
      try {
        await closed;
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
