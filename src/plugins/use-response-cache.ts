import { createHash } from 'node:crypto';
import { getOperationAST } from 'graphql';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ResponseCacheStore } from '../cache/response-cache-store';

/**
 * Operation-level response cache and coalescing, per caller.
 *
 * The key is a hash of the operation (document text, operation name, variables, extensions) and the
 * caller (see `identify`: a hash of the credential and organizational unit), so nothing is ever
 * served to another caller and no credential is stored. A hit skips parsing, validation and
 * execution, and is sent as the stored text. Only complete query results are stored: any error, any
 * extension, a mutation or a stream is never cached. Identical operations of one caller that arrive
 * while the first is running wait for its result instead of running again (coalescing); they share
 * whatever it produced, errors included, since they asked at the same moment.
 *
 * Why not @graphql-yoga/plugin-response-cache: it does not coalesce concurrent operations, and it
 * rewrites every document and walks every result to track entities for invalidation, which a
 * read-only gateway over a third-party API cannot use.
 */

export type ResponseCacheEvent = 'hit' | 'miss' | 'coalesced';

export interface ResponseCacheOptions {
  ttlMs: number;
  store: ResponseCacheStore;
  /** The caller's identity for the key (already hashed), or null to bypass the cache. */
  identify: (request: Request) => string | null;
  /** Told about each cacheable request: for metrics and tests. */
  onEvent?: (event: ResponseCacheEvent) => void;
}

type Result = ExecutionResult & { stringify?: (result: ExecutionResult) => string };

export function useResponseCache(options: ResponseCacheOptions): Plugin {
  const { ttlMs, store, identify, onEvent } = options;
  /** Results of operations running now, by key; null when the result cannot be shared. */
  const running = new Map<string, Promise<Result | null>>();
  /** The operation type each request executed (known only after parsing). */
  const operationTypes = new WeakMap<Request, string>();

  return {
    onExecute({ args }) {
      const { contextValue, document, operationName } = args as ExecutionArgs;
      const request = (contextValue as { request?: Request } | undefined)?.request;
      const operation = getOperationAST(document, operationName)?.operation;
      if (request && operation) operationTypes.set(request, operation);
    },
    onParams({ params, request, paramsHandler, setParamsHandler }) {
      const caller = identify(request);
      if (caller === null) return;
      const key = createHash('sha256')
        .update(JSON.stringify([caller, params.query ?? '', params.operationName ?? null, params.variables ?? null, params.extensions ?? null]))
        .digest('base64url');

      setParamsHandler(async (payload) => {
        const stored = await store.get(key);
        if (stored !== undefined) {
          onEvent?.('hit');
          return cachedResult(stored);
        }
        const leader = running.get(key);
        if (leader) {
          onEvent?.('coalesced');
          const shared = await leader;
          if (shared) return shared;
          return paramsHandler(payload);
        }

        onEvent?.('miss');
        let share!: (result: Result | null) => void;
        running.set(key, new Promise((resolve) => (share = resolve)));
        try {
          const result = await paramsHandler(payload);
          const single = isSingleResult(result) && operationTypes.get(request) === 'query' ? result : null;
          share(single);
          if (single && !single.errors?.length && single.extensions === undefined) {
            await store.set(key, JSON.stringify(single), ttlMs);
          }
          return result;
        } catch (error) {
          share(null);
          throw error;
        } finally {
          running.delete(key);
        }
      });
    },
  };
}

function isSingleResult(result: unknown): result is Result {
  return typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result);
}

/**
 * A stored response as a result: yoga sends `stringify()`'s text as it is, so a hit is neither
 * parsed nor serialized again; `data` is parsed only if something reads it.
 */
function cachedResult(text: string): Result {
  let parsed: ExecutionResult | undefined;
  return {
    get data() {
      parsed ??= JSON.parse(text) as ExecutionResult;
      return parsed.data;
    },
    stringify: () => text,
  };
}
