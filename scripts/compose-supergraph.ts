import { composeServices as composeWithApollo } from '@apollo/composition';
import { composeServices as composeWithGuild } from '@theguild/federation-composition';
import { execute, parse } from 'graphql';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { inventoryTypeDefs } from '../examples/inventory-subgraph/inventory-subgraph';
import { buildGatewaySchema } from '../src/graphql/schema';

/**
 * Composes this subgraph with others into a supergraph, with both composition libraries platform
 * teams use: Apollo's (what rover, GraphOS and Apollo Router use; it also gives hints) and The
 * Guild's (what Hive and Hive Gateway use). A supergraph only counts when both accept it.
 */

export interface Subgraph {
  name: string;
  /** Where the router sends this subgraph's operations. */
  url: string;
  typeDefs: DocumentNode;
}

export interface CompositionProblem {
  /** Which composition library reported it. */
  composer: 'apollo' | 'guild';
  code: string;
  message: string;
}

export interface CompositionHint {
  code: string;
  /** WARN, INFO or DEBUG, as Apollo's composition rates it. */
  level: string;
  message: string;
}

export type Composition =
  | { ok: true; supergraphSdl: string; hints: CompositionHint[] }
  | { ok: false; errors: CompositionProblem[]; hints: CompositionHint[] };

export function composeSupergraph(subgraphs: readonly Subgraph[]): Composition {
  const apollo = composeWithApollo([...subgraphs]);
  const guild = composeWithGuild(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs })));
  const hints = (apollo.hints ?? []).map((hint) => ({
    code: hint.definition.code,
    level: hint.definition.level.name,
    message: hint.message,
  }));
  const errors: CompositionProblem[] = [
    ...(apollo.errors ?? []).map((error) => problem('apollo', error)),
    ...(guild.errors ?? []).map((error) => problem('guild', error)),
  ];
  if (errors.length > 0 || apollo.supergraphSdl === undefined) return { ok: false, errors, hints };
  return { ok: true, supergraphSdl: apollo.supergraphSdl, hints };
}

function problem(composer: CompositionProblem['composer'], error: { message: string; extensions: Record<string, unknown> }): CompositionProblem {
  const code = error.extensions.code;
  return { composer, code: typeof code === 'string' ? code : 'COMPOSITION_ERROR', message: error.message };
}

/** This subgraph's SDL exactly as a router fetches it: the answer to `{ _service { sdl } }`. */
export function backupsSubgraphSdl(schema: GraphQLSchema = buildGatewaySchema()): string {
  const result = execute({ schema, document: parse('{ _service { sdl } }') });
  if ('then' in result) throw new Error('_service resolved asynchronously');
  const sdl = (result.data?._service as { sdl?: unknown } | undefined)?.sdl;
  if (result.errors?.length || typeof sdl !== 'string') {
    throw new Error(`_service { sdl } failed: ${result.errors?.map((e) => e.message).join('; ') ?? 'no sdl'}`);
  }
  return sdl;
}

export const SUBGRAPH_NAMES = { backups: 'backups', inventory: 'inventory' } as const;

/** This subgraph and the example inventory subgraph, routed to the given URLs. */
export function exampleSubgraphs(urls: { backups: string; inventory: string }, inventorySchemaPath?: string): Subgraph[] {
  return [
    { name: SUBGRAPH_NAMES.backups, url: urls.backups, typeDefs: parse(backupsSubgraphSdl()) },
    { name: SUBGRAPH_NAMES.inventory, url: urls.inventory, typeDefs: inventoryTypeDefs(inventorySchemaPath) },
  ];
}
