import { EC2_BACKUPS_PATH } from '../src/clumio/wire-types';
import { toGlobalId } from '../src/graphql/global-id';
import { MAX_PAGE_ITEMS } from '../src/paging/connection-window';
import { planPages } from '../src/paging/page-planner';

/**
 * The operations the benchmark measures, each with the REST request a Clumio client would send for
 * the same data and the fewest upstream calls that can answer it (the page planner's minimum).
 */

export interface RestRequest {
  /** Short name shown in the table. */
  name: string;
  /** Path and query on the emulator. */
  path: string;
}

export interface BenchOperation {
  name: string;
  description: string;
  query: string;
  variables?: Record<string, unknown>;
  /** The REST request this operation is compared with (for multi-call operations: the first call). */
  rest: RestRequest;
  /** Upstream calls one response needs at the least, computed by the planner; 0: served from the cache. */
  minimumUpstream: number;
  /** Run against the gateway with the response cache on (the only row that is). */
  cached?: boolean;
}

/** What the benchmark learns from the emulator before it starts. */
export interface BenchFixture {
  /** Instance IDs of the newest 20 backups, in list order (repeats included). */
  instancesOfNewest20: string[];
  /** Clumio IDs of some backups, at least 50. */
  backupIds: string[];
}

/** About 25 fields of a backup: what a list screen shows. */
const BACKUP_FIELDS = `
  id backupId instanceId instanceNativeId accountNativeId awsRegion awsAz instanceType
  startTimestamp expirationTimestamp type backupTier size utilizedSizeInBytes isBrowsable
  keyPairName subnetNativeId vpcNativeId
  ami { architecture rootDeviceName name }
  attachedBackupEbsVolumes { volumeNativeId size isRoot }
  tags { key value }`;

const pageQuery = (first: number): string => `query Page${first} {
  ec2InstanceBackups(first: ${first}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { ${BACKUP_FIELDS} } }
  }
}`;

const listPath = (limit: number): string => `${EC2_BACKUPS_PATH}?limit=${limit}&start=1&sort=-start_timestamp`;

/** Upstream calls for one window [from, to) of one list, as the planner plans them. */
const pagesFor = (from: number, to: number): number => planPages([{ from, to }], MAX_PAGE_ITEMS).length;

export function benchOperations(fixture: BenchFixture): BenchOperation[] {
  const [oneBackup] = fixture.backupIds;
  if (oneBackup === undefined || fixture.backupIds.length < 50) throw new Error('the fixture needs 50 backup IDs');
  const fiftyIds = fixture.backupIds.slice(0, 50);
  const distinctInstances = new Set(fixture.instancesOfNewest20).size;
  const page20 = { name: 'list limit=20', path: listPath(20) };
  const readOne = { name: 'read one', path: `${EC2_BACKUPS_PATH}/${oneBackup}` };

  return [
    {
      name: 'page20',
      description: '20-item page, ~25 fields each, with totalCount and pageInfo',
      query: pageQuery(20),
      rest: page20,
      // totalCount and pageInfo come with the page (Clumio's total_count): no extra call.
      minimumUpstream: pagesFor(0, 20),
    },
    {
      name: 'page100',
      description: '100-item page, same fields',
      query: pageQuery(100),
      rest: { name: 'list limit=100', path: listPath(100) },
      minimumUpstream: pagesFor(0, 100),
    },
    {
      name: 'latestBackup',
      description: `20-item page, each item's instance { latestBackup } (${distinctInstances} distinct instances)`,
      query: `query Latest {
        ec2InstanceBackups(first: 20) {
          nodes { backupId startTimestamp instance { instanceId latestBackup { backupId startTimestamp size } } }
        }
      }`,
      rest: page20,
      // The page, then one newest-first window [0, 1) per distinct instance (repeats are loaded once).
      minimumUpstream: pagesFor(0, 20) + distinctInstances * pagesFor(0, 1),
    },
    {
      name: 'single',
      description: 'one backup by ID, same fields',
      query: `query One($id: ID!) { ec2InstanceBackup(backupId: $id) { ${BACKUP_FIELDS} } }`,
      variables: { id: oneBackup },
      rest: readOne,
      minimumUpstream: 1,
    },
    {
      name: 'nodes50',
      description: '50 node(id) lookups in one nodes(ids:) call (stands in for 50 _entities representations)',
      query: `query Nodes($ids: [ID!]!) {
        nodes(ids: $ids) { id ... on Ec2InstanceBackup { backupId startTimestamp size instanceId } }
      }`,
      variables: { ids: fiftyIds.map((id) => toGlobalId('Ec2InstanceBackup', id)) },
      rest: readOne,
      // Clumio has no batch read: one GET per distinct backup ID.
      minimumUpstream: new Set(fiftyIds).size,
    },
    {
      name: 'totalCount',
      description: 'totalCount alone',
      query: '{ ec2InstanceBackups { totalCount } }',
      rest: { name: 'list limit=1', path: listPath(1) },
      // The smallest page tells the length.
      minimumUpstream: pagesFor(0, 1),
    },
    {
      name: 'cachedPage20',
      description: 'the 20-item page repeated, response cache on (default TTL)',
      query: pageQuery(20),
      rest: page20,
      minimumUpstream: 0,
      cached: true,
    },
  ];
}
