import { prefersLegacyJson } from '../src/http/response-status';

/** Which Accept headers get the legacy application/json status codes (src/http/response-status.ts). */
test.each([
  ['application/json', true],
  ['application/json; charset=utf-8', true],
  ['application/json, application/graphql-response+json', true],
  ['application/graphql-response+json, application/json', false],
  ['application/graphql-response+json;q=0.5, application/json', true],
  ['application/graphql-response+json, application/json;q=0.9', false],
  ['application/graphql-response+json', false],
  ['application/json;q=0', false],
  ['*/*', false],
  ['', false],
  [null, false],
])('Accept %p prefers legacy application/json: %p', (accept, expected) => {
  expect(prefersLegacyJson(accept)).toBe(expected);
});
