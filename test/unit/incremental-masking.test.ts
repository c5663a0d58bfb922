import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { createSchema, createYoga } from 'graphql-yoga';
import { maskGatewayError, useErrorCodes } from '../../src/plugins/use-error-codes';

/**
 * Yoga masks a result's top-level errors only: an unexpected error thrown in a deferred field would
 * reach the client with its own message. useErrorCodes masks every incremental payload the same way.
 */
it('masks an unexpected error in a deferred payload as INTERNAL_SERVER_ERROR, with no internals', async () => {
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { fast: String, slow: String }',
      resolvers: {
        Query: {
          fast: () => 'ok',
          slow: async () => {
            throw new Error('ECONNREFUSED at /srv/internal/secret.ts:42');
          },
        },
      },
    }),
    maskedErrors: { maskError: maskGatewayError },
    plugins: [useErrorCodes(), useDeferStream()],
  });
  const response = await yoga.fetch('http://gateway/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
    body: JSON.stringify({ query: '{ fast ... @defer { slow } }' }),
  });
  const text = await response.text();
  expect(text).toContain('"hasNext":true');
  expect(text).not.toContain('secret');
  expect(text).not.toContain('ECONNREFUSED');
  expect(text).toMatch(/"message":"Unexpected error\.",.*"path":\["slow"\],"extensions":\{"code":"INTERNAL_SERVER_ERROR"/);
});
