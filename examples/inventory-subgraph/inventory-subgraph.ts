import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Source, parse } from 'graphql';
import type { DocumentNode } from 'graphql';
import { createYoga } from 'graphql-yoga';
import type { YogaServerInstance } from 'graphql-yoga';
import { generateSeedData, SEED_AWS_ACCOUNTS } from '../../src/emulator';
import type { SeedData } from '../../src/emulator';
import { projectRoot } from '../../src/graphql/schema';

/**
 * The example inventory subgraph: a tiny yoga server over a fixed list of instances. It exists to
 * compose and query a real supergraph with the backups subgraph (npm run supergraph, the
 * federation tests, and `npm run example:inventory` for trying a router locally).
 */

export interface InventoryInstance {
  instanceId: string;
  name: string;
  environment: string;
  tags: Array<{ key: string; value: string }>;
  /** Clumio's ID of the backup the last restore test used, if any. */
  lastRestoreTestedBackupId: string | null;
}

export type InventoryYoga = YogaServerInstance<Record<string, never>, Record<string, never>>;

export const INVENTORY_SCHEMA_PATH = join('examples', 'inventory-subgraph', 'schema.graphql');

export function inventoryTypeDefs(path = join(projectRoot(), INVENTORY_SCHEMA_PATH)): DocumentNode {
  return parse(new Source(readFileSync(path, 'utf8'), path));
}

export function createInventorySubgraph(instances: readonly InventoryInstance[]): InventoryYoga {
  const byId = new Map(instances.map((instance) => [instance.instanceId, instance]));
  const schema = buildSubgraphSchema({
    typeDefs: inventoryTypeDefs(),
    resolvers: {
      Query: {
        ec2Instances: (_root: unknown, args: { environment?: string | null }) =>
          instances.filter((instance) => args.environment == null || instance.environment === args.environment),
        ec2Instance: (_root: unknown, args: { instanceId: string }) => byId.get(args.instanceId) ?? null,
      },
      Ec2Instance: {
        __resolveReference: (reference: { instanceId: string }) => byId.get(reference.instanceId) ?? null,
        lastRestoreTestedBackup: (instance: InventoryInstance) =>
          instance.lastRestoreTestedBackupId === null ? null : { backupId: instance.lastRestoreTestedBackupId },
      },
    },
  });
  return createYoga<Record<string, never>, Record<string, never>>({ schema, logging: false, landingPage: false });
}

/** An inventory of every instance in the emulator's seeded estate. */
export function inventoryFromSeed(data: SeedData = generateSeedData()): InventoryInstance[] {
  const environmentOf = new Map(SEED_AWS_ACCOUNTS.map((a) => [a.accountNativeId, a.alias.replace(/^acme-/, '')]));
  const oldestBackup = new Map<string, string>();
  for (const backup of data.backups) if (backup.id) oldestBackup.set(backup.instance_id, backup.id);
  return data.instances.map((instance) => ({
    instanceId: instance.instance_id,
    name: instance.name,
    environment: environmentOf.get(instance.account_native_id) ?? 'unknown',
    tags: [{ key: 'Name', value: instance.name }],
    lastRestoreTestedBackupId: oldestBackup.get(instance.instance_id) ?? null,
  }));
}
