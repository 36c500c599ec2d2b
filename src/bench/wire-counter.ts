import net from 'node:net';

/**
 * A TCP relay between the service and PostgreSQL that reads the frontend side of the wire
 * protocol and counts round trips: each simple Query ('Q') and each Sync ('S', the end of an
 * extended-protocol query) is one. Statements that only frame a transaction (BEGIN / START
 * TRANSACTION, COMMIT, ROLLBACK) or enter the tenant (cms_enter_tenant) are counted apart,
 * as the "besides BEGIN, COMMIT and the tenant's set_config".
 */
export interface WireCounts {
  roundTrips: number;
  /** BEGIN/START TRANSACTION, COMMIT/ROLLBACK and the tenant gate. */
  framing: number;
  transactions: number;
}

export interface WireCounter {
  port: number;
  counts(): WireCounts;
  reset(): void;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const FRAMING = /^\s*(begin|start transaction|commit|rollback|end)\b|cms_enter_tenant\(/i;
const BEGINS = /^\s*(begin|start transaction)\b/i;

export async function startWireCounter(upstreamHost: string, upstreamPort: number): Promise<WireCounter> {
  let counts: WireCounts = { roundTrips: 0, framing: 0, transactions: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, upstreamHost);
    sockets.add(client).add(upstream);
    upstream.pipe(client);
    let buffer = Buffer.alloc(0);
    let started = false;
    let pendingText: string[] = [];
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          started = code !== SSL_REQUEST && code !== GSSENC_REQUEST;
          buffer = buffer.subarray(length);
          continue;
        }
        if (buffer.length < 5) return;
        const type = String.fromCharCode(buffer[0]);
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) return;
        const body = buffer.subarray(5, 1 + length);
        buffer = buffer.subarray(1 + length);
        if (type === 'Q') count([cString(body, 0)]);
        else if (type === 'P') pendingText.push(cString(body, cString(body, 0).length + 1));
        else if (type === 'S') {
          count(pendingText);
          pendingText = [];
        }
      }
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  const count = (texts: string[]) => {
    counts.roundTrips += 1;
    if (texts.some((t) => FRAMING.test(t))) counts.framing += 1;
    if (texts.some((t) => BEGINS.test(t))) counts.transactions += 1;
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    counts: () => ({ ...counts }),
    reset: () => {
      counts = { roundTrips: 0, framing: 0, transactions: 0 };
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function cString(buffer: Buffer, offset: number): string {
  const end = buffer.indexOf(0, offset);
  return buffer.toString('utf8', offset, end < 0 ? buffer.length : end);
}
