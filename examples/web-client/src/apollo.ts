import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { relayStylePagination } from '@apollo/client/utilities';
import type { DocumentNode } from 'graphql';

export interface ApolloClientOptions {
  /**
   * Send each operation as the id of its persisted document (`extensions.persistedQuery.sha256Hash`)
   * instead of its text: what a gateway started with PERSISTED_DOCUMENTS_ONLY=true accepts. Every
   * document must come from src/gql/ (generated with `persistedDocuments`), which carries its id.
   */
  persistedDocuments?: boolean;
  /** Extra headers on every request (a Clumio token: `authorization: 'Bearer …'`). */
  headers?: Record<string, string>;
  /** The fetch to use (default: the global one); for server-side rendering or instrumentation. */
  fetch?: typeof fetch;
}

/**
 * The cache: one list per filter and order, however many pages were read. `relayStylePagination`
 * stores `ec2InstanceBackups` under its `filter` and `orderBy` arguments only, so `first`/`after`
 * name pages of the same list and `fetchMore({ variables: { after: endCursor } })` appends to it.
 */
export function createApolloCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Query: { fields: { ec2InstanceBackups: relayStylePagination(['filter', 'orderBy']) } },
      Ec2Instance: { fields: { backups: relayStylePagination(['filter', 'orderBy']) } },
      // A volume's `id` is Clumio's volume ID, the same in every backup of the instance, but its
      // fields are as of each backup (utilizedSizeInBytes grows). Normalized by id, every backup
      // would show the last one read; stored inside its backup, each keeps its own.
      AttachedEbsVolume: { keyFields: false },
    },
  });
}

/** An Apollo Client for the gateway at `url` (e.g. `http://localhost:4000/graphql`). */
export function createApolloClient(url: string, options: ApolloClientOptions = {}): ApolloClient {
  // HttpLink POSTs JSON (Content-Type: application/json), which the gateway's CSRF rule accepts as is.
  const http = new HttpLink({ uri: url, ...(options.headers ? { headers: options.headers } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) });
  return new ApolloClient({
    link: options.persistedDocuments ? ApolloLink.from([persistedDocumentLink(), http]) : http,
    cache: createApolloCache(),
  });
}

/**
 * Sends the id graphql-codegen put in each document's `__meta__.hash` (`sha256:<hex>`, the key of
 * persisted-documents.json) as Apollo's `extensions.persistedQuery.sha256Hash`, without the text.
 * Never falls back to sending the text: a gateway in documents-only mode refuses text anyway
 * (PERSISTED_QUERY_ONLY), and a `PersistedQueryNotFound` means the manifest the gateway runs with is
 * older than this build, which retrying cannot fix.
 */
export function persistedDocumentLink(): PersistedQueryLink {
  return new PersistedQueryLink({
    generateHash: (document) => persistedDocumentHash(document),
    retry: () => false,
    useGETForHashedQueries: false,
  });
}

/** The bare hex id of a generated document (Apollo's `sha256Hash` is the hex digest alone). */
export function persistedDocumentHash(document: DocumentNode): string {
  const hash = (document as DocumentNode & { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== 'string') {
    throw new Error('This document has no persisted-document id: use the documents generated in src/gql/ (npm run codegen).');
  }
  return hash.replace(/^sha256:/, '');
}
