import autocannon from 'autocannon';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** What one HTTP load run measured (autocannon: 16 keep-alive connections, one request in flight each). */
export interface LoadRun {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  completed: number;
  /** Non-2xx answers, transport errors and GraphQL errors in a 200 body. */
  failed: number;
  firstError: string | null;
}

export interface GqlRequest {
  token: string;
  query: string;
  variables: Record<string, unknown>;
}

export interface LoadOptions {
  baseUrl: string;
  connections: number;
  /** Seconds; or `amount` requests in all. */
  seconds?: number;
  amount?: number;
  /** The next request; null when there is nothing left to send. */
  next: () => GqlRequest | null;
}

/** Drives POST /graphql with autocannon, checking every answer for GraphQL errors. */
export async function loadGraphql(options: LoadOptions): Promise<LoadRun> {
  let graphqlErrors = 0;
  let firstError: string | null = null;
  const result = await autocannon({
    url: `${options.baseUrl}/graphql`,
    connections: options.connections,
    pipelining: 1,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.seconds ?? 10 }),
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const next = options.next();
          if (!next) return null as unknown as autocannon.Request; // nothing left: autocannon stops this connection's cycle
          return {
            ...request,
            method: 'POST',
            path: '/graphql',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${next.token}` },
            body: JSON.stringify({ query: next.query, variables: next.variables }),
          };
        },
        onResponse: (status, body) => {
          if (status === 200 && !body.includes('"errors"')) return;
          if (status === 200) graphqlErrors += 1;
          firstError ??= `${status} ${body.slice(0, 300)}`;
        },
      },
    ],
  });
  const completed = result['2xx'] - graphqlErrors;
  return {
    requestsPerSecond: completed / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    completed,
    failed: graphqlErrors + result.non2xx + result.errors + result.timeouts,
    firstError,
  };
}

/**
 * One GraphQL call; throws on an HTTP or GraphQL error. node:http, not fetch: a 1,000-item
 * import on a loaded machine may take longer than fetch's five minutes to its headers.
 */
export function gql<T = Record<string, unknown>>(baseUrl: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body = JSON.stringify({ query, variables });
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` };
  return new Promise<T>((resolve, reject) => {
    const req = http.request(`${baseUrl}/graphql`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          const parsed = JSON.parse(text) as { data?: T; errors?: unknown[] };
          if (res.statusCode !== 200 || parsed.errors?.length)
            reject(new Error(`GraphQL ${res.statusCode}: ${JSON.stringify(parsed.errors ?? parsed).slice(0, 500)}`));
          else resolve(parsed.data as T);
        } catch {
          reject(new Error(`GraphQL ${res.statusCode}: ${text.slice(0, 500)}`));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Milliseconds `run` takes, `runs` times after `warmup` untimed runs, one at a time. */
export async function sampleSerial(runs: number, warmup: number, run: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

/** Linear-interpolated percentile of sorted samples (p in 0..1). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (i - lo);
}
