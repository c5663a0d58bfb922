import { EC2_BACKUPS_PATH } from '../../src/clumio/wire-types';
import type { WireEc2Backup } from '../../src/clumio/wire-types';
import { inventoryFromSeed } from '../../examples/inventory-subgraph/inventory-subgraph';
import type { InventoryInstance } from '../../examples/inventory-subgraph/inventory-subgraph';
import { startFederation } from '../support/federation';
import type { Federation } from '../support/federation';
import { expectNoErrors, listCalls } from '../support/harness';

/**
 * Operations across both subgraphs, through Apollo Gateway over the composed supergraph, in both
 * directions. Each test counts what Clumio (the emulator) received: one call per distinct upstream
 * request the operation needs, however the router batches its entity fetches.
 */

const STALE_BACKUP_ID = 'a0000000-0000-4000-8000-00000000dead';
const INVENTORY_ONLY_INSTANCE_ID = 'b0000000-0000-4000-8000-00000000beef';
const SINCE = '2000-01-01T00:00:00Z';

let f: Federation;
let inventory: InventoryInstance[];
/** The research environment: 15 seeded instances, one restore-tested on a backup Clumio no longer has, and one Clumio has never backed up. */
let research: InventoryInstance[];

beforeAll(async () => {
  inventory = inventoryFromSeed();
  research = inventory.filter((i) => i.environment === 'research');
  research[0]!.lastRestoreTestedBackupId = STALE_BACKUP_ID;
  const newcomer = { instanceId: INVENTORY_ONLY_INSTANCE_ID, name: 'research-new-01', environment: 'research', tags: [], lastRestoreTestedBackupId: null };
  inventory.push(newcomer);
  research.push(newcomer);
  f = await startFederation(inventory);
});
afterAll(() => f.close());
beforeEach(() => {
  f.backups.resetUpstream();
  f.backups.emulator.clearFaults();
});

const instanceFilter = (instanceId: string, extra: Record<string, unknown> = {}) => JSON.stringify({ instance_id: { $eq: instanceId }, ...extra });
const byStart = (a: WireEc2Backup, b: WireEc2Backup) => a.start_timestamp!.localeCompare(b.start_timestamp!) || a.id!.localeCompare(b.id!);
/** An instance's backups, oldest first (Clumio's order for sort=start_timestamp). */
const backupsOf = (instanceId: string) => f.backups.emulator.backups.filter((b) => b.instance_id === instanceId).sort(byStart);
const backupReads = () =>
  f.backups
    .upstream()
    .filter((r) => r.path.startsWith(`${EC2_BACKUPS_PATH}/`))
    .map((r) => decodeURIComponent(r.path.slice(EC2_BACKUPS_PATH.length + 1)));
const sorted = <T>(items: T[]) => [...items].sort();

describe('from the inventory into backups', () => {
  const INSTANCES_WITH_BACKUPS = `query($env: String, $since: DateTime) {
    ec2Instances(environment: $env) {
      instanceId
      name
      latestBackup { backupId }
      backups(first: 2, filter: { startTimestamp: { gt: $since } }, orderBy: { field: START_TIMESTAMP, direction: ASC }) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { backupId }
      }
    }
  }`;

  it('asks Clumio for each instance\'s latest backup and first page once: 2 calls per instance', async () => {
    const response = await f.query(INSTANCES_WITH_BACKUPS, { env: 'research', since: SINCE });
    expectNoErrors(response, f.backups);
    const instances = response.data.ec2Instances;
    expect(instances.map((i: any) => i.instanceId)).toEqual(research.map((i) => i.instanceId));
    expect(research).toHaveLength(16);

    // 16 instances: one newest-first one-item page (latestBackup) and one oldest-first two-item page
    // of the filtered list (backups) each; the instance Clumio does not know costs the same.
    const calls = listCalls(f.backups.upstream());
    expect(calls).toHaveLength(32);
    expect(sorted(calls.map((c) => JSON.stringify(c)))).toEqual(
      sorted(
        research.flatMap((i) => [
          JSON.stringify({ limit: '1', start: '1', sort: '-start_timestamp', filter: instanceFilter(i.instanceId) }),
          JSON.stringify({ limit: '2', start: '1', sort: 'start_timestamp', filter: instanceFilter(i.instanceId, { start_timestamp: { $gt: SINCE } }) }),
        ]),
      ),
    );

    for (const instance of instances) {
      const seeded = backupsOf(instance.instanceId);
      expect(instance.latestBackup?.backupId ?? null).toBe(seeded.at(-1)?.id ?? null);
      expect(instance.backups.nodes.map((n: any) => n.backupId)).toEqual(seeded.slice(0, 2).map((b) => b.id));
      expect(instance.backups.totalCount).toBe(seeded.length);
    }
    expect(instances.at(-1)).toMatchObject({ name: 'research-new-01', latestBackup: null, backups: { totalCount: 0, nodes: [] } });
  });

  it('pages on with `after` for one instance in one call, and refuses another instance\'s cursor without any', async () => {
    const first = await f.query(INSTANCES_WITH_BACKUPS, { env: 'research', since: SINCE });
    expectNoErrors(first, f.backups);
    const [a, b] = first.data.ec2Instances as any[];
    f.backups.resetUpstream();

    const NEXT_PAGE = `query($id: ID!, $after: String, $since: DateTime) {
      ec2Instance(instanceId: $id) {
        name
        backups(first: 2, after: $after, filter: { startTimestamp: { gt: $since } }, orderBy: { field: START_TIMESTAMP, direction: ASC }) {
          nodes { backupId }
        }
      }
    }`;
    const next = await f.query(NEXT_PAGE, { id: a.instanceId, after: a.backups.pageInfo.endCursor, since: SINCE });
    expectNoErrors(next, f.backups);
    expect(next.data.ec2Instance.backups.nodes.map((n: any) => n.backupId)).toEqual(backupsOf(a.instanceId).slice(2, 4).map((x) => x.id));
    expect(listCalls(f.backups.upstream())).toHaveLength(1);

    f.backups.resetUpstream();
    const wrong = await f.query(NEXT_PAGE, { id: b.instanceId, after: a.backups.pageInfo.endCursor, since: SINCE });
    expect(wrong.data.ec2Instance).toEqual({ name: b.name, backups: null });
    expect(wrong.errors).toHaveLength(1);
    expect(wrong.errors![0]).toMatchObject({
      path: ['ec2Instance', 'backups'],
      extensions: { code: 'BAD_USER_INPUT', serviceName: 'backups' },
    });
    expect(f.backups.upstream()).toEqual([]);
  });

  it('reads each backup the inventory references once, and shows one Clumio no longer has by its key only', async () => {
    const response = await f.query(`{ ec2Instances(environment: "research") { instanceId lastRestoreTestedBackup { backupId startTimestamp } } }`);
    expectNoErrors(response, f.backups);
    const referenced = research.flatMap((i) => (i.lastRestoreTestedBackupId ? [i.lastRestoreTestedBackupId] : []));
    expect(referenced).toHaveLength(15);
    expect(sorted(backupReads())).toEqual(sorted(referenced));
    expect(f.backups.upstream()).toHaveLength(15);

    const [stale, fresh] = response.data.ec2Instances;
    // The router merges an entity the backups subgraph resolved to null into the inventory's
    // reference: the key stays, every field the backups subgraph owns is null, and nothing errs.
    expect(stale.lastRestoreTestedBackup).toEqual({ backupId: STALE_BACKUP_ID, startTimestamp: null });
    const seeded = f.backups.emulator.backups.find((x) => x.id === research[1]!.lastRestoreTestedBackupId)!;
    expect(fresh.lastRestoreTestedBackup).toEqual({ backupId: seeded.id, startTimestamp: seeded.start_timestamp });
    expect(response.data.ec2Instances.at(-1).lastRestoreTestedBackup).toBeNull();
  });

  it('nulls a reference whose non-null field cannot be resolved, and fails a Clumio error at its own path only', async () => {
    const failing = research[1]!.lastRestoreTestedBackupId!;
    f.backups.emulator.injectFault({ status: 500, match: (r) => r.path === `${EC2_BACKUPS_PATH}/${failing}` });
    const response = await f.query(`{ ec2Instances(environment: "research") { name lastRestoreTestedBackup { id startTimestamp } } }`);
    const [stale, broken, fine] = response.data.ec2Instances;
    // `id: ID!` cannot be null: the stale reference becomes null as a whole, and is no error.
    expect(stale.lastRestoreTestedBackup).toBeNull();
    // Clumio's 500 keeps its code and upstream details, tagged with the subgraph, at that entity.
    expect(broken.lastRestoreTestedBackup).toBeNull();
    expect(response.errors).toEqual([
      expect.objectContaining({
        path: ['ec2Instances', 1, 'lastRestoreTestedBackup'],
        extensions: expect.objectContaining({ code: 'UPSTREAM_ERROR', serviceName: 'backups', upstream: expect.objectContaining({ status: 500 }) }),
      }),
    ]);
    expect(fine.lastRestoreTestedBackup.id).toEqual(expect.any(String));
    expect(backupReads()).toHaveLength(15);
  });
});

describe('from backups into the inventory', () => {
  it('adds the inventory\'s fields to a page of backups for one Clumio call', async () => {
    const response = await f.query(`{
      ec2InstanceBackups(first: 20) { nodes { backupId instance { instanceId name environment tags { key value } } } }
    }`);
    expectNoErrors(response, f.backups);
    expect(f.backups.upstream().map((r) => r.query)).toEqual([{ limit: '20', start: '1', sort: '-start_timestamp' }]);
    const byId = new Map(inventory.map((i) => [i.instanceId, i]));
    const nodes = response.data.ec2InstanceBackups.nodes as any[];
    expect(nodes.map((n) => n.backupId)).toEqual(f.backups.emulator.backups.slice(0, 20).map((b) => b.id));
    for (const node of nodes) {
      const known = byId.get(node.instance.instanceId)!;
      expect(node.instance).toEqual({ instanceId: known.instanceId, name: known.name, environment: known.environment, tags: known.tags });
    }
  });

  it('goes backups → inventory → backups in one operation for one call per distinct request', async () => {
    const response = await f.query(`{
      ec2InstanceBackups(first: 40) {
        nodes {
          instance {
            instanceId
            name
            latestBackup { backupId }
            lastRestoreTestedBackup { backupId startTimestamp }
          }
        }
      }
    }`);
    expectNoErrors(response, f.backups);
    const nodes = response.data.ec2InstanceBackups.nodes as any[];
    const instanceIds = new Set(nodes.map((n) => n.instance.instanceId));
    // 40 backups of 35 instances: the repeated instances cost nothing more.
    expect(instanceIds.size).toBe(35);

    // The page; each distinct instance's latest backup (same fetch as the page); then, after the
    // inventory named the restore-tested backups, one read of each.
    const calls = listCalls(f.backups.upstream());
    expect(calls[0]).toEqual({ limit: '40', start: '1', sort: '-start_timestamp' });
    expect(sorted(calls.slice(1).map((c) => c.filter!))).toEqual(sorted([...instanceIds].map((id) => instanceFilter(id))));
    const restoreTested = [...instanceIds].map((id) => inventory.find((i) => i.instanceId === id)!.lastRestoreTestedBackupId!);
    expect(sorted(backupReads())).toEqual(sorted(restoreTested));
    expect(f.backups.upstream()).toHaveLength(1 + 2 * instanceIds.size);

    for (const node of nodes) {
      const seeded = backupsOf(node.instance.instanceId);
      expect(node.instance.latestBackup.backupId).toBe(seeded.at(-1)!.id);
      const tested = inventory.find((i) => i.instanceId === node.instance.instanceId)!.lastRestoreTestedBackupId;
      const testedSeed = seeded.find((x) => x.id === tested);
      expect(node.instance.lastRestoreTestedBackup).toEqual({ backupId: tested, startTimestamp: testedSeed?.start_timestamp ?? null });
    }
  });
});
