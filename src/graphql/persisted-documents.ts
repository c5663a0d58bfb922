import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';

/**
 * Persisted documents: a manifest `{ "<id>": "<document text>" }` of the operations an app ships,
 * written by its build (relay-compiler's `persistConfig`, GraphQL Code Generator's client preset).
 *
 * An id is the lower-case hex SHA-256 of the document's UTF-8 text exactly as written in the
 * manifest, spelled bare (`<64 hex>`, as Relay writes it) or prefixed (`sha256:<64 hex>`, GraphQL
 * over HTTP's document identifier, as the client preset writes it). Both spellings name the same
 * document, here and in requests: ids are kept as bare hex.
 */

export interface PersistedDocuments {
  /** Document text by bare hex id. */
  byId: ReadonlyMap<string, string>;
  /** The operation names the documents define (for the `operation_name` metric label). */
  operationNames: string[];
}

const BARE = /^[0-9a-f]{64}$/;
const PREFIX = 'sha256:';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The bare hex id of either spelling, or null for anything else (an MD5, upper case, another algorithm). */
export function bareDocumentId(id: string): string | null {
  const hex = id.startsWith(PREFIX) ? id.slice(PREFIX.length) : id;
  return BARE.test(hex) ? hex : null;
}

export class PersistedDocumentsError extends Error {}

/**
 * Reads and checks a manifest. Every key must be the SHA-256 of its text, in either spelling (a
 * manifest of MD5 ids, Relay's default, is refused naming the key), and every text a GraphQL
 * document; the gateway does not start otherwise.
 */
export function loadPersistedDocuments(path: string): PersistedDocuments {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PersistedDocumentsError(`PERSISTED_DOCUMENTS: cannot read ${path} as JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new PersistedDocumentsError(`PERSISTED_DOCUMENTS: ${path} must hold one JSON object, { "<sha256 id>": "<document text>" }`);
  }
  const byId = new Map<string, string>();
  const operationNames = new Set<string>();
  for (const [key, text] of Object.entries(manifest as Record<string, unknown>)) {
    if (typeof text !== 'string') throw new PersistedDocumentsError(`PERSISTED_DOCUMENTS: the value of "${key}" is not a document's text`);
    const id = bareDocumentId(key);
    const digest = sha256Hex(text);
    if (id !== digest) {
      throw new PersistedDocumentsError(
        `PERSISTED_DOCUMENTS: key "${key}" is not the SHA-256 of its document (that is ${digest}); ids must be lower-case hex SHA-256, bare or as sha256:<hex> (for Relay, persistConfig.algorithm "SHA256")`,
      );
    }
    let document;
    try {
      document = parse(text, { noLocation: true });
    } catch (error) {
      throw new PersistedDocumentsError(`PERSISTED_DOCUMENTS: the document of "${key}" does not parse (${error instanceof Error ? error.message : String(error)})`);
    }
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) operationNames.add(definition.name.value);
    }
    byId.set(id, text);
  }
  return { byId, operationNames: [...operationNames] };
}
