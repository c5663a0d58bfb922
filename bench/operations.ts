import { EC2_BACKUPS_PATH } from '../src/clumio/wire-types';
import { toGlobalId } from '../src/graphql/global-id';
import { MAX_PAGE_ITEMS } from '../src/paging/connection-window';
import { planPages } from '../src/paging/page-planner';
import { QUERIES, operationNameOf } from './queries';

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
  /** Sent as the body's `operationName` (null for an anonymous document). */
  operationName: string | null;
  variables?: Record<string, unknown>;
  /**
   * The operation pages on from the first page: its `after` is the `endCursor` each server itself
   * returned for `page20Cursors` (cursor formats differ between servers, so each gets its own).
   */
  afterFirstPage?: boolean;
  /** The REST request this operation is compared with (for multi-call operations: the first call). */
  rest: RestRequest;
  /** Upstream calls one response needs at the least, computed by the planner; 0: served from the cache. */
  minimumUpstream: number;
  /**
   * Which gateway process serves it: `cached` (response cache on), `telemetryOff` (METRICS=false,
   * no export), `telemetryDefault` (the defaults, in a process of its own like the other two) or
   * `traced` (spans exported to a local OTLP receiver, metrics on); default: the gateway as
   * deployed by default (metrics on, spans minted but not exported, no cache), serving every row.
   */
  gatewayProcess?: 'cached' | 'telemetryOff' | 'telemetryDefault' | 'traced';
  /** Why reference servers do not run this operation (it measures something only the gateway has). */
  gatewayOnly?: string;
  /** Measured with the instant upstream only: at 50 ms it shows nothing the other rows do not (and the run must stay short). */
  instantOnly?: boolean;
}

/** What the benchmark learns from the emulator before it starts. */
export interface BenchFixture {
  /** Instance IDs of the newest 20 backups, in list order (repeats included). */
  instancesOfNewest20: string[];
  /** Clumio IDs of some backups, at least 50. */
  backupIds: string[];
}

export const listPath = (limit: number, start = 1): string => `${EC2_BACKUPS_PATH}?limit=${limit}&start=${start}&sort=-start_timestamp`;

/** Upstream calls for one window [from, to) of one list, as the planner plans them. */
const pagesFor = (from: number, to: number): number => planPages([{ from, to }], MAX_PAGE_ITEMS).length;

const named = (query: string): Pick<BenchOperation, 'query' | 'operationName'> => ({ query, operationName: operationNameOf(query) });

export function benchOperations(fixture: BenchFixture): BenchOperation[] {
  const [oneBackup] = fixture.backupIds;
  if (oneBackup === undefined || fixture.backupIds.length < 50) throw new Error('the fixture needs 50 backup IDs');
  const fiftyIds = fixture.backupIds.slice(0, 50);
  const distinctInstances = new Set(fixture.instancesOfNewest20).size;
  const list20 = { name: 'list limit=20', path: listPath(20) };
  const readOne = { name: 'read one', path: `${EC2_BACKUPS_PATH}/${oneBackup}` };

  return [
    {
      name: 'page20',
      description: '20-item page, 12 list fields each (nested tags, ami, volumes)',
      ...named(QUERIES.page20),
      rest: list20,
      minimumUpstream: pagesFor(0, 20),
    },
    {
      name: 'page20Cursors',
      description: 'page20 with totalCount, pageInfo and a cursor per edge (a list screen)',
      ...named(QUERIES.page20Cursors),
      rest: list20,
      // totalCount and pageInfo come with the page (Clumio's total_count): no extra call.
      minimumUpstream: pagesFor(0, 20),
    },
    {
      name: 'page100',
      instantOnly: true,
      description: 'page20 with 100 items',
      ...named(QUERIES.page100),
      rest: { name: 'list limit=100', path: listPath(100) },
      minimumUpstream: pagesFor(0, 100),
    },
    {
      name: 'nextPage20',
      description: "the list screen's second page: page20Cursors after the first page's endCursor",
      ...named(QUERIES.nextPage20),
      afterFirstPage: true,
      // What a Clumio client sends for the second page of 20.
      rest: { name: 'list limit=20 start=2', path: listPath(20, 2) },
      // Items [20, 40) with their total: one page. (A keyset cursor may cost more; the table shows it.)
      minimumUpstream: pagesFor(20, 40),
    },
    {
      name: 'latestBackup',
      description: `20-item page, each item's instance { latestBackup } (${distinctInstances} distinct instances)`,
      ...named(QUERIES.latestBackup),
      rest: list20,
      // The page, then one newest-first window [0, 1) per distinct instance (repeats are loaded once).
      minimumUpstream: pagesFor(0, 20) + distinctInstances * pagesFor(0, 1),
    },
    {
      name: 'single',
      description: 'one backup by ID, ~25 fields',
      ...named(QUERIES.single),
      variables: { id: oneBackup },
      rest: readOne,
      minimumUpstream: 1,
    },
    {
      name: 'nodes50',
      instantOnly: true,
      description: '50 node(id) lookups in one nodes(ids:) call (stands in for 50 _entities representations)',
      ...named(QUERIES.nodes50),
      variables: { ids: fiftyIds.map((id) => toGlobalId('Ec2InstanceBackup', id)) },
      rest: readOne,
      // Clumio has no batch read: one GET per distinct backup ID.
      minimumUpstream: new Set(fiftyIds).size,
    },
    {
      name: 'totalCount',
      instantOnly: true,
      description: 'totalCount alone',
      ...named(QUERIES.totalCount),
      rest: { name: 'list limit=1', path: listPath(1) },
      // The smallest page tells the length.
      minimumUpstream: pagesFor(0, 1),
    },
    {
      name: 'page20TelemetryOff',
      description: 'page20 with metrics off and no span export (METRICS=false; logs as by default): the telemetry baseline',
      ...named(QUERIES.page20),
      rest: list20,
      minimumUpstream: pagesFor(0, 20),
      gatewayProcess: 'telemetryOff',
      gatewayOnly: "measures the cost of the gateway's telemetry",
      instantOnly: true,
    },
    {
      name: 'page20TelemetryDefault',
      description: 'page20 with the defaults (metrics on, spans minted but not exported), in a process of its own like the two beside it',
      ...named(QUERIES.page20),
      rest: list20,
      minimumUpstream: pagesFor(0, 20),
      gatewayProcess: 'telemetryDefault',
      gatewayOnly: "measures the cost of the gateway's telemetry",
      instantOnly: true,
    },
    {
      name: 'page20Traced',
      description: 'page20 with every span exported (OTLP/protobuf to a local receiver) and metrics on',
      ...named(QUERIES.page20),
      rest: list20,
      minimumUpstream: pagesFor(0, 20),
      gatewayProcess: 'traced',
      gatewayOnly: "measures the cost of the gateway's telemetry",
      instantOnly: true,
    },
    {
      name: 'cachedPage20',
      description: 'page20 repeated, response cache on (RESPONSE_CACHE_TTL_MS=5000)',
      ...named(QUERIES.page20),
      rest: list20,
      minimumUpstream: 0,
      gatewayProcess: 'cached',
      gatewayOnly: "measures the gateway's response cache; the reference servers have none",
    },
  ];
}
