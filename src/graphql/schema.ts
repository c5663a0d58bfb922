import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLSchema, Source, isObjectType, parse } from 'graphql';
import { GraphQLDeferDirective, GraphQLStreamDirective } from '@graphql-tools/utils';
import type { DocumentNode } from 'graphql';
import { settleListItems } from './list-items';
import { resolvers } from './resolvers';
import { wireKeyOf } from './resolvers/wire-field';

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
  const subgraph = buildSubgraphSchema({
    typeDefs: loadTypeDefs(),
    // The generated Resolvers type is stricter than @apollo/subgraph's resolver map; the shapes agree.
    resolvers: resolvers as never,
  });
  // @defer and @stream (Yoga's defer-stream plugin executes them) are part of the schema itself, so
  // introspection, schema.graphql and every client's codegen see them, and the plugin finds them
  // there instead of swapping in a schema of its own.
  const schema = new GraphQLSchema({ ...subgraph.toConfig(), directives: [...subgraph.getDirectives(), GraphQLDeferDirective, GraphQLStreamDirective] });
  schema.extensions = subgraph.extensions;
  dropPlainReads(schema);
  // `_entities` resolves one promise per representation: settled so that a failing representation
  // nulls its own position only, whichever executor runs it (see list-items.ts).
  const entities = schema.getQueryType()?.getFields()._entities;
  const resolveEntities = entities?.resolve;
  if (!entities || !resolveEntities) throw new Error('@apollo/subgraph built no _entities resolver');
  entities.resolve = (...args) => {
    const result: unknown = resolveEntities(...args);
    return Array.isArray(result) ? settleListItems(result) : result;
  };
  return schema;
}

/**
 * Removes the resolvers that read the wire field of the GraphQL field's own name (`tags`, `size`,
 * `ami`, a tag's `key`): default resolution reads the same property, and compiled execution
 * (use-compiled-execution.ts) turns a field without a resolver into a plain property read, where a
 * resolver is a call with a resolve-info object built for it, on every field of every item. The
 * resolver map keeps them all, so every schema field still needs its mapping to type-check.
 */
function dropPlainReads(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (wireKeyOf(field.resolve) === field.name) field.resolve = undefined;
    }
  }
}
