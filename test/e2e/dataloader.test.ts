import { startHarness, listCalls, expectNoErrors } from '../support/harness';
import type { Harness } from '../support/harness';

/** One upstream call per distinct request within an operation, whatever the operation's shape. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.resetUpstream());

describe('DataLoader batching and de-duplication', () => {
  it('fetches aliases with identical arguments once', async () => {
    const response = await h.gql(`{
      a: ec2InstanceBackups(first: 5) { nodes { backupId } }
      b: ec2InstanceBackups(first: 5) { edges { cursor } totalCount }
    }`);
    expectNoErrors(response, h);
    expect(listCalls(h.upstream())).toEqual([{ limit: '5', start: '1', sort: '-start_timestamp' }]);
  });

  it('fetches overlapping windows of one list once', async () => {
    const response = await h.gql(`{
      a: ec2InstanceBackups(first: 10) { nodes { backupId } }
      b: ec2InstanceBackups(first: 20) { nodes { backupId } }
      c: ec2InstanceBackups { totalCount }
    }`);
    expectNoErrors(response, h);
    expect(listCalls(h.upstream())).toEqual([{ limit: '20', start: '1', sort: '-start_timestamp' }]);
    expect(response.data.b.nodes.slice(0, 10)).toEqual(response.data.a.nodes);
  });

  it('keeps lists with different filters or orders apart', async () => {
    const response = await h.gql(`{
      desc: ec2InstanceBackups(first: 3) { nodes { backupId } }
      asc: ec2InstanceBackups(first: 3, orderBy: { field: START_TIMESTAMP, direction: ASC }) { nodes { backupId } }
    }`);
    expectNoErrors(response, h);
    expect(listCalls(h.upstream()).map((c) => c.sort).sort()).toEqual(['-start_timestamp', 'start_timestamp']);
  });

  it('reads each distinct backup once for repeated ec2InstanceBackup, node and nodes lookups', async () => {
    const [x, y] = h.emulator.backups;
    const ids = await h.gql(`{ x: ec2InstanceBackup(backupId: "${x!.id}") { id } y: ec2InstanceBackup(backupId: "${y!.id}") { id } }`);
    expectNoErrors(ids, h);
    h.resetUpstream();
    const gx = ids.data.x.id;
    const gy = ids.data.y.id;
    const response = await h.gql(`{
      a: ec2InstanceBackup(backupId: "${x!.id}") { backupId }
      b: ec2InstanceBackup(backupId: "${x!.id}") { backupId }
      n: node(id: "${gx}") { id }
      ns: nodes(ids: ["${gx}", "${gy}", "${gy}"]) { id ... on Ec2InstanceBackup { backupId } }
    }`);
    expectNoErrors(response, h);
    expect(response.data.ns.map((n: any) => n.backupId)).toEqual([x!.id, y!.id, y!.id]);
    const paths = h.upstream().map((r) => r.path).sort();
    expect(paths).toEqual([`/backups/aws/ec2-instances/${x!.id}`, `/backups/aws/ec2-instances/${y!.id}`].sort());
  });

  it('asks for each distinct instance\'s latest backup once, sharing pages with that instance\'s backups', async () => {
    const response = await h.gql(`{
      ec2InstanceBackups(first: 20) { nodes { instance { instanceId latestBackup { backupId } backups(first: 1) { nodes { backupId } } } } }
    }`);
    expectNoErrors(response, h);
    const instances = new Set(response.data.ec2InstanceBackups.nodes.map((n: any) => n.instance.instanceId));
    const calls = listCalls(h.upstream());
    // One call for the page, then one per distinct instance (latestBackup and backups(first: 1) are the same slice).
    expect(calls).toHaveLength(1 + instances.size);
    for (const node of response.data.ec2InstanceBackups.nodes) {
      expect(node.instance.latestBackup.backupId).toBe(node.instance.backups.nodes[0].backupId);
    }
  });

  it('serves a later lookup of a backup already listed in the same operation without a call', async () => {
    const instanceId = h.emulator.backups[0]!.instance_id!;
    const response = await h.gql(`query($f: Ec2InstanceBackupFilter) { ec2InstanceBackups(first: 3, filter: $f) {
      nodes { instance { latestBackup { backupId } } } } }`, { f: { instanceId } });
    expectNoErrors(response, h);
    // The instance's latest backup is offset 0 of the same list: one call serves both.
    expect(listCalls(h.upstream())).toHaveLength(1);
  });

  it('never shares loaders between requests', async () => {
    await h.gql('{ ec2InstanceBackups(first: 2) { totalCount } }');
    await h.gql('{ ec2InstanceBackups(first: 2) { totalCount } }');
    expect(listCalls(h.upstream())).toHaveLength(2);
  });
});
