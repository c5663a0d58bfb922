import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createGraphQLError } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';

/**
 * Yoga's CSRF prevention, turned on: a request a browser may send cross-site without a CORS
 * preflight (a GET, or a POST with a form or text/plain body) must carry one of these headers.
 * JSON POSTs, which every GraphQL client sends, are not affected. The refusal carries our
 * BAD_USER_INPUT code and says which headers to send.
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
          `GET requests and form or text/plain POSTs must carry one of these headers: ${CSRF_HEADERS.join(', ')} (or send a JSON POST).`,
          { extensions: { code: 'BAD_USER_INPUT', http: { status: 403 } } },
        );
      }
    },
  };
}
