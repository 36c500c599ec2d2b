import { Client, CombinedError, fetchExchange, subscriptionExchange, type AnyVariables } from 'urql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';

/** The bearer token lives in sessionStorage only (SPEC §12): never in a URL or localStorage. */
export const TOKEN_KEY = 'cms.token';
export const getToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const setToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const clearToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

export interface Api {
  client: Client;
  ws: WsClient;
  dispose(): void;
}

/** One urql client per signed-in token: HTTP for queries and mutations, graphql-ws for subscriptions. */
export function createApi(token: string): Api {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const ws = createWsClient({ url: wsUrl, connectionParams: { authorization: `Bearer ${token}` }, lazy: true, retryAttempts: 5 });
  const client = new Client({
    url: '/graphql',
    requestPolicy: 'network-only',
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, ws, dispose: () => void ws.dispose() };
}

/** What the desk tells a person about a failed call: words, never a stack trace. */
export interface Problem {
  code: string;
  message: string;
  fields: Record<string, string>;
}

const MESSAGES: Record<string, string> = {
  CONFLICT: 'Someone changed this case — reload',
  FORBIDDEN: 'Your role may not do this.',
  NOT_FOUND: 'Not found: it may have been removed, or it belongs to another tenant.',
  UNAUTHENTICATED: 'Your session has ended — sign in again.',
  INTERNAL_SERVER_ERROR: 'The service had a problem. Try again; if it persists, quote the request id to support.',
};

export function describeError(error: CombinedError): Problem {
  const first = error.graphQLErrors[0];
  if (!first) return { code: 'NETWORK', message: 'The service cannot be reached. Check your connection and try again.', fields: {} };
  const code = String(first.extensions?.code ?? 'ERROR');
  const raw = (first.extensions?.fields ?? {}) as Record<string, string>;
  const fields: Record<string, string> = {};
  for (const [key, text] of Object.entries(raw)) fields[key.replace(/^input\./, '')] = text;
  const requestId = first.extensions?.requestId ? ` (request id ${String(first.extensions.requestId)})` : '';
  let message = MESSAGES[code] ?? first.message;
  if (code === 'INTERNAL_SERVER_ERROR') message += requestId;
  if (code === 'BAD_USER_INPUT' && Object.keys(fields).length > 0) message = 'Please correct the highlighted fields.';
  return { code, message, fields };
}

/** Sign-out on UNAUTHENTICATED: set by the app shell. */
let onUnauthenticated: (message: string) => void = () => undefined;
export function setUnauthenticatedHandler(handler: (message: string) => void): void {
  onUnauthenticated = handler;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

async function settle<T>(pending: Promise<{ data?: T; error?: CombinedError }>): Promise<T> {
  const result = await pending;
  if (result.error) {
    const problem = describeError(result.error);
    if (problem.code === 'UNAUTHENTICATED') onUnauthenticated(problem.message);
    throw new ApiError(problem);
  }
  return result.data as T;
}

/** Runs a generated operation: its result and variables are typed by `npm run codegen`. */
export const query = <T, V extends AnyVariables>(api: Api, document: TypedDocumentNode<T, V>, variables: V): Promise<T> =>
  settle<T>(api.client.query(document, variables).toPromise());

export const mutate = <T, V extends AnyVariables>(api: Api, document: TypedDocumentNode<T, V>, variables: V): Promise<T> =>
  settle<T>(api.client.mutation(document, variables).toPromise());

/** Downloads a bearer-protected file (evidence bundle, CSV) without putting the token in a URL. */
export async function downloadWithBearer(path: string, fallbackName: string): Promise<string> {
  const token = getToken();
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 401) {
    onUnauthenticated(MESSAGES.UNAUTHENTICATED);
    throw new ApiError({ code: 'UNAUTHENTICATED', message: MESSAGES.UNAUTHENTICATED, fields: {} });
  }
  if (!res.ok) {
    let message = `The download failed (HTTP ${res.status}).`;
    try {
      const body = await res.json();
      const code = body?.errors?.[0]?.extensions?.code;
      message = MESSAGES[code] ?? body?.errors?.[0]?.message ?? message;
    } catch {
      /* not JSON: keep the status line */
    }
    throw new ApiError({ code: `HTTP_${res.status}`, message, fields: {} });
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
