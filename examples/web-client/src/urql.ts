import { Client, fetchExchange } from '@urql/core';
import type { Exchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';

export interface UrqlClientOptions {
  /** Extra headers on every request (a Clumio token: `authorization: 'Bearer …'`). */
  headers?: Record<string, string>;
  /** The fetch to use (default: the global one); for server-side rendering or instrumentation. */
  fetch?: typeof fetch;
}

/**
 * graphcache, normalizing by `id` (every object with an identity selects it, see operations.ts).
 * `relayPagination()` stores `ec2InstanceBackups` per filter and order and merges every page read
 * into one list: whichever page's variables a query asks with, it gets all pages read so far.
 */
export function createBackupsCacheExchange(): Exchange {
  return cacheExchange({
    keys: {
      // Parts of one list or one backup, with no identity of their own: stored inside their parent.
      Ec2InstanceBackupConnection: () => null,
      Ec2InstanceBackupEdge: () => null,
      PageInfo: () => null,
      AwsTag: () => null,
      // A volume's `id` is Clumio's volume ID, the same in every backup of the instance, but its
      // fields are as of each backup (utilizedSizeInBytes grows). Keyed by id, every backup would
      // show the last one read; stored inside its backup, each keeps its own.
      AttachedEbsVolume: () => null,
    },
    resolvers: {
      Query: { ec2InstanceBackups: relayPagination() },
      Ec2Instance: { backups: relayPagination() },
    },
  });
}

/** A urql client for the gateway at `url` (e.g. `http://localhost:4000/graphql`). */
export function createUrqlClient(url: string, options: UrqlClientOptions = {}): Client {
  return new Client({
    url,
    exchanges: [createBackupsCacheExchange(), fetchExchange],
    // The gateway refuses, as a possible cross-site request (HTTP 403, BAD_REQUEST), a GET that
    // carries neither a non-simple Content-Type nor a preflight header such as `graphql-preflight`.
    // urql sends every query whose URL stays under 2048 characters as exactly such a GET by default
    // (`preferGetMethod: 'within-url-limit'`). POST them as JSON instead. (To keep GETs, for HTTP
    // caches, send a preflight header on every request:
    // `fetchOptions: { headers: { 'graphql-preflight': '1' } }`.) @urql/exchange-persisted has its own
    // switch with the same default: give it `preferGetForPersistedQueries: false` too.
    preferGetMethod: false,
    ...(options.headers ? { fetchOptions: { headers: options.headers } } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
