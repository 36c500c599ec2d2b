import net from 'node:net';
import { Client } from 'pg';
import { EmbeddedStartError } from './db/embedded';

/** A start that cannot go on, with a message an operator can act on (cause, then what to do). */
export class StartFailure extends Error {}

/** A signal arrived before the service was ready: release what was started and exit quietly. */
export class StartInterrupted extends Error {}

const CONNECT_TIMEOUT_MS = 10_000;

/** Fails fast, before anything else starts, when the HTTP port is taken. */
export async function ensurePortFree(port: number): Promise<void> {
  if (port === 0) return;
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) => reject(listenFailure(error, port)));
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

export function listenFailure(error: unknown, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new StartFailure(`port ${port} is already in use: stop the process listening there, or set PORT to a free port`);
  if (code === 'EACCES') return new StartFailure(`not allowed to listen on port ${port}: use a port above 1023 (PORT), or run with the right to bind it`);
  return error as Error;
}

/** One connection attempt with a deadline, so an unreachable server fails the start in seconds. */
export async function ensureDatabaseReachable(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new StartFailure(
      `cannot connect to the database at ${describeUrl(url)} (${describeConnectError(error)}): check DATABASE_URL and that PostgreSQL is running and reachable from here`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The one line printed for a failed start; never a stack. */
export function describeStartFailure(error: unknown): string {
  if (error instanceof StartFailure || error instanceof EmbeddedStartError) return `Failed to start: ${error.message}`;
  const message = error instanceof Error ? error.message : String(error);
  return `Failed to start: ${message.split('\n')[0] || 'unknown error'} (LOG_LEVEL=debug shows the details)`;
}

/** host:port/database, never the user or password. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

function describeConnectError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'unknown host',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    '28P01': 'password authentication failed',
    '28000': 'not allowed to connect',
    '3D000': 'the database does not exist',
  };
  if (code && known[code]) return `${code}: ${known[code]}`;
  if (/timeout/i.test(message ?? '')) return `no answer within ${CONNECT_TIMEOUT_MS / 1000} s`;
  return (message ?? String(error)).split('\n')[0];
}
