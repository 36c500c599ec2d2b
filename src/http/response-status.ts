import type { ApolloServerPlugin } from '@apollo/server';

/** Errors that stop a well-formed request before execution: the document or its variables. */
const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

const APPLICATION_JSON = 'application/json';
const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/**
 * Whether the Accept header names `application/json` and prefers it to
 * `application/graphql-response+json` (higher q, or the same q and listed first, as
 * Apollo's negotiation decides). A missing Accept or a bare wildcard does not count.
 */
export function prefersLegacyJson(accept: string | null | undefined): boolean {
  if (!accept) return false;
  const ranked = accept.split(',').map((entry, index) => {
    const [type, ...params] = entry.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return { type, q: q === undefined ? 1 : Number(q.slice(2)) || 0, index };
  });
  const json = ranked.find((r) => r.type === APPLICATION_JSON && r.q > 0);
  if (!json) return false;
  const modern = ranked.find((r) => r.type === GRAPHQL_RESPONSE_JSON && r.q > 0);
  return !modern || json.q > modern.q || (json.q === modern.q && json.index < modern.index);
}

/**
 * GraphQL over HTTP, legacy `application/json` responses: a well-formed request whose
 * document does not parse or validate, or whose variables do not coerce, is answered 200
 * with the errors (spec §"application/json": 200 for every well-formed request); Apollo
 * answers 400, which stays for `application/graphql-response+json` and for clients that
 * name no type. Only explicit `Accept: application/json` requests change, and their
 * content type is set to match, so the status and the media type always agree.
 */
export const legacyJsonStatus: ApolloServerPlugin = {
  async requestDidStart({ request }) {
    if (!prefersLegacyJson(request.http?.headers.get('accept'))) return;
    return {
      async willSendResponse({ response }) {
        if (response.http.status !== 400 || response.body.kind !== 'single') return;
        const { data, errors } = response.body.singleResult;
        if (data !== undefined || !errors?.length) return;
        if (!errors.every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)))) return;
        response.http.status = 200;
        response.http.headers.set('content-type', `${APPLICATION_JSON}; charset=utf-8`);
      },
    };
  },
};
