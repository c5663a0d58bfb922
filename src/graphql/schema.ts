import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Source, parse } from 'graphql';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers';

/** The project root (the folder holding schema/), found from here whether running from src/ or dist/src/. */
export function projectRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'schema', 'base.graphql'))) return dir;
  }
  throw new Error('schema/ not found above ' + __dirname);
}

/** The SDL files, base first, each parsed under its file name: the single source of the API's shape. */
export function loadTypeDefs(): DocumentNode[] {
  const dir = join(projectRoot(), 'schema');
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort((a, b) => (a === 'base.graphql' ? -1 : b === 'base.graphql' ? 1 : a.localeCompare(b)));
  return files.map((file) => parse(new Source(readFileSync(join(dir, file), 'utf8'), `schema/${file}`)));
}

/**
 * The executable schema, as an Apollo Federation v2 subgraph: @apollo/subgraph reads the `@link`
 * in schema/federation.graphql, adds `_service` and `_entities`, and routes each representation to
 * its type's `__resolveReference`.
 */
export function buildGatewaySchema(): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs: loadTypeDefs(),
    // The generated Resolvers type is stricter than @apollo/subgraph's resolver map; the shapes agree.
    resolvers: resolvers as never,
  });
}
