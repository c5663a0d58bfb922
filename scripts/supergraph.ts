/**
 * `npm run supergraph`: prints this subgraph's SDL (as `_service { sdl }` serves it), composes it
 * with the example inventory subgraph, prints the composition hints and the supergraph SDL, and
 * exits 1 with every composition error when either composition library refuses the supergraph.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { print } from 'graphql';
import { composeSupergraph, exampleSubgraphs } from './compose-supergraph';

export const USAGE = `Usage: npm run supergraph -- [--out FILE] [--backups-url URL] [--inventory-url URL] [--inventory-schema FILE]
  --out               write the supergraph SDL to FILE instead of printing it
  --backups-url       routing URL of this subgraph; default http://localhost:4000/graphql
  --inventory-url     routing URL of the inventory subgraph; default http://localhost:4001/graphql
  --inventory-schema  the inventory subgraph's SDL; default examples/inventory-subgraph/schema.graphql`;

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Runs the command; returns the exit status. */
export function runSupergraph(argv: readonly string[], output: Output): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        out: { type: 'string' },
        'backups-url': { type: 'string', default: 'http://localhost:4000/graphql' },
        'inventory-url': { type: 'string', default: 'http://localhost:4001/graphql' },
        'inventory-schema': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    output.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    output.out(USAGE);
    return 0;
  }

  const subgraphs = exampleSubgraphs(
    { backups: values['backups-url'], inventory: values['inventory-url'] },
    values['inventory-schema'],
  );
  const [backups] = subgraphs;
  output.out(`# ---- Subgraph "${backups?.name}" (this API), as _service { sdl } serves it ----\n${backups ? print(backups.typeDefs) : ''}`);

  const composition = composeSupergraph(subgraphs);
  const names = subgraphs.map((s) => s.name).join(' + ');
  output.out(`# ---- Composition hints for ${names}: ${composition.hints.length} (each is answered in README.md, "Federation") ----`);
  for (const hint of composition.hints) output.out(`# ${hint.level} ${hint.code}: ${hint.message.replace(/\n/g, '\n#   ')}`);

  if (!composition.ok) {
    output.err(`Composition of ${names} FAILED with ${composition.errors.length} error(s):`);
    for (const error of composition.errors) output.err(`  [${error.composer}] ${error.code}: ${error.message}`);
    return 1;
  }
  if (values.out) {
    writeFileSync(values.out, composition.supergraphSdl);
    output.out(`# ---- Supergraph of ${names} written to ${values.out} ----`);
  } else {
    output.out(`# ---- Supergraph of ${names} ----\n${composition.supergraphSdl}`);
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = runSupergraph(process.argv.slice(2), {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
  });
}
