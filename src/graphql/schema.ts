import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createSchema } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import type { GatewayContext } from './context';
import { resolvers } from './resolvers';

/** schema/ at the project root, found from here whether running from src/ or dist/src/. */
export function schemaDirectory(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'schema');
    if (existsSync(join(candidate, 'base.graphql'))) return candidate;
  }
  throw new Error('schema/ not found above ' + __dirname);
}

/** The SDL files, base first: the single source of the API's shape. */
export function loadTypeDefs(): string[] {
  const dir = schemaDirectory();
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort((a, b) => (a === 'base.graphql' ? -1 : b === 'base.graphql' ? 1 : a.localeCompare(b)));
  return files.map((file) => readFileSync(join(dir, file), 'utf8'));
}

export function buildGatewaySchema(): GraphQLSchema {
  return createSchema<GatewayContext>({
    typeDefs: loadTypeDefs(),
    // The generated Resolvers type is stricter than graphql-tools' IResolvers; the shapes agree.
    resolvers: resolvers as never,
  });
}
