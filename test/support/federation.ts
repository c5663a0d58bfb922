import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { useApolloFederation } from '@envelop/apollo-federation';
import { createYoga } from 'graphql-yoga';
import { createInventorySubgraph } from '../../examples/inventory-subgraph/inventory-subgraph';
import type { InventoryInstance } from '../../examples/inventory-subgraph/inventory-subgraph';
import { composeSupergraph, exampleSubgraphs } from '../../scripts/compose-supergraph';
import { startHarness } from './harness';
import type { GraphQLResponse, Harness } from './harness';

/**
 * A real supergraph on real sockets: this gateway and its emulator (the `backups` subgraph), the
 * example inventory subgraph, and Apollo Gateway over the supergraph both compose into, served by
 * yoga. Tests send operations to the router and read what the emulator received.
 */

export interface Federation {
  /** The backups subgraph (this project) and its emulator. */
  backups: Harness;
  supergraphSdl: string;
  /** POST an operation to the router. */
  query<TData = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startFederation(inventory: readonly InventoryInstance[]): Promise<Federation> {
  const backups = await startHarness();
  const subgraph = createInventorySubgraph(inventory);
  const inventoryServer = createServer((request, response) => void subgraph(request, response));
  const inventoryUrl = await listen(inventoryServer);

  const composition = composeSupergraph(exampleSubgraphs({ backups: `${backups.gateway.url}/graphql`, inventory: inventoryUrl }));
  if (!composition.ok) throw new Error(`composition failed: ${JSON.stringify(composition.errors, null, 2)}`);

  const gateway = new ApolloGateway({ supergraphSdl: composition.supergraphSdl, logger: quiet });
  await gateway.load();
  // maskedErrors off: the router passes on what Apollo Gateway makes of the subgraphs' errors.
  const router = createYoga({ plugins: [useApolloFederation({ gateway, logger: quiet })], logging: false, maskedErrors: false });
  const routerServer = createServer((request, response) => void router(request, response));
  const routerUrl = await listen(routerServer);

  return {
    backups,
    supergraphSdl: composition.supergraphSdl,
    async query(query, variables) {
      const response = await fetch(routerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      try {
        return { status: response.status, ...(JSON.parse(text) as object) };
      } catch {
        throw new Error(`the router answered ${response.status} with a non-JSON body:\n${text.slice(0, 500)}\nfor:\n${query}`);
      }
    },
    async close() {
      await close(routerServer);
      await gateway.stop();
      await close(inventoryServer);
      await backups.close();
    },
  };
}
