import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createGraphQLError } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';

/**
 * Yoga's CSRF prevention, turned on: a request a browser may send cross-site without a CORS
 * preflight (a GET, or a POST with a form or text/plain body) must carry one of these headers.
 * JSON POSTs, which every GraphQL client sends, are not affected. The refusal is BAD_REQUEST (the
 * HTTP request itself is what is wrong) with 403, and names every way to send it.
 */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name', 'graphql-preflight'];

export function useCsrfGuard(): Plugin {
  const prevention = useCSRFPrevention({ requestHeaders: CSRF_HEADERS });
  return {
    onRequestParse(payload) {
      try {
        return prevention.onRequestParse?.(payload);
      } catch {
        throw createGraphQLError(
          'Refused as a possible cross-site request: a GET, or a POST with a form or text/plain body, must carry a non-simple ' +
            `Content-Type (send a POST with Content-Type: application/json) or one of these headers: ${CSRF_HEADERS.join(', ')}.`,
          { extensions: { code: 'BAD_REQUEST', http: { status: 403 } } },
        );
      }
    },
  };
}
