import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError } from 'graphql';
import type { ExecutionArgs } from 'graphql';
import { processRegularResult } from 'graphql-yoga';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { PersistedQueryStore } from '../cache/persisted-query-store';
import { bareDocumentId, sha256Hex } from '../graphql/persisted-documents';
import type { PersistedDocuments } from '../graphql/persisted-documents';

/**
 * Persisted documents and Apollo's automatic persisted queries (APQ).
 *
 * A request names a document by `documentId` (POST body key or GET query parameter), `doc_id`
 * (Relay's guide) or `extensions.persistedQuery: { version: 1, sha256Hash }` (Apollo), its id spelled
 * `<64 hex>` or `sha256:<64 hex>`. Yoga's persisted-operations plugin swaps the named document's text
 * in before parsing; an id nobody knows is `PersistedQueryNotFound`, answered as Apollo Server does
 * (HTTP 200, application/json, no caching), which is what every Apollo Client version retries on.
 *
 * - Documents-only (`PERSISTED_DOCUMENTS_ONLY`): a request carrying `query` text is refused with
 *   PERSISTED_QUERY_ONLY before anything is parsed or sent upstream; only the manifest's ids run.
 * - Otherwise a request with `query` runs as usual, and one that also names an id is an APQ
 *   registration: the id must be the SHA-256 of the text sent (else BAD_USER_INPUT, nothing runs),
 *   and the document is registered only when its execution begins, that is once it has parsed,
 *   validated and passed the query limits, cost at the variables sent included (useQueryLimits
 *   stops execution before this plugin's hook when it refuses). Later requests may send the id alone.
 */

export interface PersistedDocumentsOptions {
  /** The manifest (PERSISTED_DOCUMENTS), or null. */
  documents: PersistedDocuments | null;
  documentsOnly: boolean;
  /** Where APQ registrations live; unused in documents-only mode. */
  registered: PersistedQueryStore;
}

const NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND';
const ID_SPELLINGS = 'documentId (or doc_id, or extensions.persistedQuery { version: 1, sha256Hash })';

const badRequest = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

export function usePersistedDocuments(options: PersistedDocumentsOptions): Plugin {
  const { documents, documentsOnly, registered } = options;
  /** Execution contexts whose document is to be registered when it starts executing. */
  const registrations = new WeakMap<object, { hash: string; query: string }>();

  return {
    onPluginInit({ addPlugin }) {
      addPlugin(
        usePersistedOperations({
          allowArbitraryOperations: !documentsOnly,
          // Ids are looked up bare; a spelling that is neither form names no document.
          extractPersistedOperationId: (params, request) => {
            const id = requestedId(params, request);
            return id === null ? null : (bareDocumentId(id) ?? id);
          },
          getPersistedOperation: (id) => documents?.byId.get(id) ?? (documentsOnly ? null : registered.get(id).then((text) => text ?? null)),
          customErrors: {
            notFound: () =>
              new GraphQLError('PersistedQueryNotFound', {
                extensions: { code: NOT_FOUND, http: { status: 200, headers: { 'cache-control': 'private, no-cache, must-revalidate' } } },
              }),
            persistedQueryOnly: () =>
              new GraphQLError(`This gateway runs only persisted documents: send ${ID_SPELLINGS} naming a document of its manifest, and no query text.`, {
                extensions: { code: 'PERSISTED_QUERY_ONLY' },
              }),
            keyNotFound: ({ params }) =>
              // Typed as params, but a batch item is whatever JSON the client sent.
              !isObject(params as unknown)
                ? badRequest('Each operation must be a JSON object: { "query", "variables", "operationName", "extensions" }.')
                : badRequest(
                documentsOnly
                  ? `Name a persisted document by ${ID_SPELLINGS}.`
                  : `Must provide a query string, or a persisted document's id as ${ID_SPELLINGS}.`,
              ),
          },
        }),
      );
    },

    onParams({ params, request, context }) {
      if (documentsOnly || typeof params.query !== 'string') return;
      const id = requestedId(params, request);
      if (id === null) return;
      const hash = sha256Hex(params.query);
      if (bareDocumentId(id) !== hash) {
        throw new GraphQLError(
          `The persisted document id ${JSON.stringify(id)} is not the SHA-256 of the query sent (${hash}): hash the exact UTF-8 text of the query, lower-case hex. Nothing was registered or run.`,
          { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } },
        );
      }
      if (!documents?.byId.has(hash)) registrations.set(context, { hash, query: params.query });
    },

    onExecute({ args }) {
      const registration = registrations.get((args as ExecutionArgs).contextValue as object);
      if (registration) void registered.set(registration.hash, registration.query);
    },

    onResultProcess(payload) {
      // Apollo Server's answer, whatever the Accept header preferred: Apollo Client reads it as JSON.
      if (payload.resultProcessor && !Array.isArray(payload.result) && isNotFound(payload.result)) payload.setResultProcessor(processRegularResult, 'application/json');
    },
  };
}

/**
 * The document id a request names, or null. A malformed one (not a string, an unsupported
 * `persistedQuery` version) is BAD_REQUEST, saying what to send.
 */
function requestedId(params: GraphQLParams, request: Request): string | null {
  const body = params as GraphQLParams & { documentId?: unknown; doc_id?: unknown };
  let id: unknown = body.documentId ?? body.doc_id;
  if (id == null && request.method === 'GET') {
    const search = new URL(request.url).searchParams;
    id = search.get('documentId') ?? search.get('doc_id');
  }
  if (id != null) {
    if (typeof id !== 'string') throw badRequest('documentId (doc_id) must be a string: the id of a persisted document, sha256:<64 hex> or <64 hex>.');
    return id;
  }
  const persistedQuery = params.extensions?.['persistedQuery'] as unknown;
  if (persistedQuery == null) return null;
  const { version, sha256Hash } = persistedQuery as { version?: unknown; sha256Hash?: unknown };
  if (typeof persistedQuery !== 'object' || version !== 1 || typeof sha256Hash !== 'string') {
    throw badRequest('extensions.persistedQuery must be { "version": 1, "sha256Hash": "<64 hex>" }.');
  }
  return sha256Hash;
}

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

function isNotFound(result: unknown): boolean {
  const errors = (result as { errors?: ReadonlyArray<{ extensions?: { code?: unknown } }> } | null)?.errors;
  return errors?.length === 1 && errors[0]?.extensions?.code === NOT_FOUND;
}
