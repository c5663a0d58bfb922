// npm run lint: type-aware TypeScript rules over the code, GraphQL rules over the schema and the
// example operations. A rule turned off or narrowed here says why on its line.
import js from '@eslint/js';
import graphql from '@graphql-eslint/eslint-plugin';
import tseslint from 'typescript-eslint';

/** The schema as graphql-eslint builds it: our SDL plus the federation directives @apollo/subgraph supplies at run time. */
const SCHEMA = ['schema/*.graphql', 'lint/federation-directives.graphql'];

export default tseslint.config(
  // Generated: resolver types, the example clients' typed documents and Relay artifacts.
  { ignores: ['dist/', 'coverage/', 'bench-results/', 'node_modules/', 'src/generated/', 'examples/web-client/src/gql/', 'examples/relay/src/__generated__/'] },

  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // lint/probe.ts: the file name test/lint/lint-setup.test.ts hands its probes in under (it is never on disk).
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'lint/probe.ts'], defaultProject: 'tsconfig.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // With noUncheckedIndexedAccess an index read is `T | undefined`, so its checks are never flagged as needless.
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: 'only-allowed-literals' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/require-await': 'off', // an async function without await is how a throw becomes the rejection of one field or entity
    },
  },

  {
    // Tests read GraphQL responses as untyped JSON (`any`), asserting on their shape with expect().
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off', // GraphQL response data is `any` by design (harness.ts)
      '@typescript-eslint/no-unsafe-assignment': 'off', // idem
      '@typescript-eslint/no-unsafe-member-access': 'off', // idem
      '@typescript-eslint/no-unsafe-call': 'off', // idem
      '@typescript-eslint/no-unsafe-argument': 'off', // idem
      '@typescript-eslint/no-unsafe-return': 'off', // idem
      '@typescript-eslint/no-non-null-assertion': 'off', // a test asserting what it just set up
    },
  },

  {
    // Plain JavaScript config files: CommonJS and no type information worth checking.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: { '@typescript-eslint/no-require-imports': 'off' }, // jest's config files are CommonJS
    languageOptions: { globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },

  {
    files: ['schema/*.graphql'],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig: { schema: SCHEMA } } },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/schema-recommended'].rules,
      ...graphql.configs['flat/schema-relay'].rules,
      '@graphql-eslint/description-style': 'off', // short descriptions are one-line strings, long ones block strings: both read best
      '@graphql-eslint/strict-id-in-types': 'off', // value types (an AMI, a tag, a volume at backup time) have no identity; entities have `id` through Node
      '@graphql-eslint/no-typename-prefix': 'off', // `amiNativeId`, `networkInterfaceNativeId`: Clumio's field names in camelCase, as the contract fixes
      '@graphql-eslint/relay-edge-types': ['error', { withEdgeSuffix: true, shouldImplementNode: true, listTypeCanWrapOnlyEdgeType: false }], // a backup's tags and volumes are plain lists, not connections
      '@graphql-eslint/require-description': [
        'error',
        { types: true, rootField: true, FieldDefinition: true, InputValueDefinition: true, EnumValueDefinition: true, DirectiveDefinition: true },
      ],
    },
  },

  // GraphiQL's example query, a /* GraphQL */ literal in TypeScript, is checked like the example operations.
  { files: ['src/graphql/graphiql.ts'], processor: graphql.processor },

  {
    files: ['examples/**/*.graphql', 'src/graphql/graphiql.ts/*.graphql'],
    ignores: ['examples/inventory-subgraph/schema.graphql'],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig: { schema: SCHEMA, documents: ['examples/**/*.graphql', 'src/graphql/graphiql.ts'] } } },
    plugins: { '@graphql-eslint': graphql },
    rules: graphql.configs['flat/operations-recommended'].rules,
  },
);
