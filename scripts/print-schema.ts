/**
 * `npm run schema`: writes schema.graphql at the project root, the public schema exactly as clients see
 * it over introspection (our SDL in schema/ plus what @apollo/subgraph adds: `_service`, `_entities`,
 * the federation directives), so frontends can point GraphQL Code Generator, relay-compiler or an IDE
 * at a file. `npm run schema -- --check` exits 1 when the file is not current (CI runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSchema } from 'graphql';
import { buildGatewaySchema, projectRoot } from '../src/graphql/schema';

const HEADER = '# The public schema of clumio-backup-graph, generated from schema/*.graphql by `npm run schema`. Do not edit.\n\n';

export function publicSchemaSdl(): string {
  return HEADER + printSchema(buildGatewaySchema()) + '\n';
}

if (require.main === module) {
  const file = join(projectRoot(), 'schema.graphql');
  const sdl = publicSchemaSdl();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // missing: not current
    }
    if (current !== sdl) {
      console.error('schema.graphql is not current with schema/: run `npm run schema` and commit it.');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(file, sdl);
    console.log(`wrote ${file}`);
  }
}
