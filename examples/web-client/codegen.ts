import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * The web client's typed documents, generated from the gateway's committed public schema
 * (schema.graphql) and the graphql() calls in src/. Paths are relative to the repository root:
 *
 *   npx graphql-codegen --config examples/web-client/codegen.ts           # regenerate
 *   npx graphql-codegen --config examples/web-client/codegen.ts --check   # CI: exits 1 when src/gql/ is stale
 *
 * In your own app, point `schema` at your copy of schema.graphql (or the gateway's URL: introspection
 * is on unless the operator turned it off) and `documents`/the output at your source tree.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['examples/web-client/src/**/*.ts'],
  ignoreNoDocuments: false,
  generates: {
    'examples/web-client/src/gql/': {
      preset: 'client',
      presetConfig: {
        // `getFragmentData` instead of the preset's default `useFragment`: it is a plain function
        // (a type-level unmask), not a React hook, and this client has no React.
        fragmentMasking: { unmaskFunctionName: 'getFragmentData' },
        // Writes persisted-documents.json ({ "sha256:<hex>": "<document text>" }) for the gateway's
        // PERSISTED_DOCUMENTS, and puts each document's id in its `__meta__.hash`.
        persistedDocuments: { hashAlgorithm: 'sha256' },
      },
      // Both normalized caches (Apollo's InMemoryCache, urql's graphcache) need `__typename` on every
      // object. They add it to the text they send, but a persisted document is the manifest's text,
      // so the manifest must already select it.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        useTypeImports: true,
        // Enums as unions of string literals ('CLUMIO_BACKUP' | 'AWS_SNAPSHOT'): no runtime code,
        // and a value newer than this schema is still a string at run time.
        enumType: 'string-literal',
        // A scalar not mapped below (the schema also has federation's `_Any` and friends, which no
        // app selects) is `unknown`, not `any`.
        defaultScalarType: 'unknown',
        scalars: {
          // RFC 3339 text, e.g. "2025-06-29T04:00:00Z".
          DateTime: 'string',
          // Byte counts: a JSON number while exact (up to 2^53 - 1), a decimal string beyond.
          UInt64: { input: 'string', output: 'number | string' },
        },
      },
    },
  },
};

export default config;
