import { Environment, Network, RecordSource, Store } from 'relay-runtime';
import type { FetchFunction, GraphQLSingularResponse, PayloadError } from 'relay-runtime';

export interface RelayEnvironmentOptions {
  /** Extra headers on every request (a Clumio token: `authorization: 'Bearer …'`). */
  headers?: Record<string, string>;
}

/**
 * A Relay environment for the gateway at `url` (e.g. `http://localhost:4000/graphql`): the network
 * below, a store, and the one normalization rule this schema needs (`getDataID`).
 * `fetchImpl` defaults to the global fetch; pass another for server-side rendering or instrumentation.
 */
export function createRelayEnvironment(url: string, fetchImpl: typeof fetch = fetch, options: RelayEnvironmentOptions = {}): Environment {
  return new Environment({
    network: Network.create(createFetchFunction(url, fetchImpl, options)),
    store: new Store(new RecordSource()),
    getDataID,
  });
}

/**
 * Relay normalizes every object with an `id` into one record per id, whatever its type, and
 * relay-compiler selects `id` wherever a type has one. `AttachedEbsVolume.id` is Clumio's volume ID:
 * the same in every backup of an instance, while the volume's fields (`utilizedSizeInBytes`) are as
 * of each backup. Normalized by it, every backup would show the volume as the last backup read had
 * it; returning null keeps each volume inside its own backup (Apollo's `keyFields: false`).
 * Every other `id` in the schema is a global ID (`Node`).
 */
export function getDataID(fieldValue: { [key: string]: unknown }, typeName: string): unknown {
  return typeName === 'AttachedEbsVolume' ? null : fieldValue['id'];
}

/**
 * POSTs each operation as JSON. relay-compiler's `persistConfig` leaves the text out of the artifacts
 * and puts the document's id (the SHA-256 of its text, a key of persisted-documents.json) in
 * `params.id`: that id is sent as `documentId`, which a gateway started with PERSISTED_DOCUMENTS
 * looks up. Artifacts compiled without `persistConfig` carry `params.text` instead, sent as `query`.
 * `Content-Type: application/json` also satisfies the gateway's CSRF rule.
 */
export function createFetchFunction(url: string, fetchImpl: typeof fetch = fetch, options: RelayEnvironmentOptions = {}): FetchFunction {
  return async (params, variables) => {
    const body = params.id != null ? { documentId: params.id, operationName: params.name, variables } : { query: params.text, operationName: params.name, variables };
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { ...options.headers, 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json;q=0.9' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let payload: GraphQLSingularResponse;
    try {
      payload = JSON.parse(text) as GraphQLSingularResponse;
    } catch {
      throw new Error(`${params.name}: the gateway answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    // Relay fails an operation that returns no data, citing the errors; an unknown id deserves a
    // clearer word: the gateway's manifest is older than this build.
    const errors: Array<PayloadError & { extensions?: { code?: unknown } }> = ('errors' in payload ? payload.errors : undefined) ?? [];
    if (errors.some((error) => error.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND')) {
      throw new Error(
        `${params.name}: the gateway has no persisted document ${String(params.id)}; deploy this build's persisted-documents.json to it (PERSISTED_DOCUMENTS) before the app`,
      );
    }
    return payload;
  };
}
