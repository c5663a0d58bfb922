import { EC2_BACKUPS_PATH } from '../../src/clumio/wire-types';
import { startHarness, listCalls, expectNoErrors } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * The subgraph as a router sees it: `_service { sdl }` and `_entities`, sent directly over HTTP.
 * Entity lookups go through the per-request loaders: one upstream call per distinct backup or
 * instance list, however many representations repeat them.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.resetUpstream());

const ENTITIES = `query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Ec2InstanceBackup { backupId startTimestamp instance { instanceId } }
    ... on Ec2Instance {
      instanceId
      latestBackup { backupId }
      backups(first: 3) { totalCount nodes { backupId } }
    }
  }
}`;

const backupRef = (backupId: string) => ({ __typename: 'Ec2InstanceBackup', backupId });
const instanceRef = (instanceId: string) => ({ __typename: 'Ec2Instance', instanceId });

/** Distinct instance IDs of the seeded estate, in seed order. */
function seededInstanceIds(): string[] {
  return [...new Set(h.emulator.backups.map((b) => b.instance_id!))];
}

const backupReads = (harness: Harness) =>
  harness
    .upstream()
    .filter((r) => r.path.startsWith(`${EC2_BACKUPS_PATH}/`))
    .map((r) => decodeURIComponent(r.path.slice(EC2_BACKUPS_PATH.length + 1)));

describe('_service', () => {
  it('publishes the SDL with the federation link, both @keys and the @shareable value types', async () => {
    const response = await h.gql('{ _service { sdl } }');
    expectNoErrors(response, h);
    const sdl: string = response.data._service.sdl;
    expect(sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.9", import: \["@key", "@shareable"\]\)/);
    expect(sdl).toMatch(/type Ec2InstanceBackup implements Node\s+@key\(fields: "backupId"\)/);
    expect(sdl).toMatch(/type Ec2Instance implements Node\s+@key\(fields: "instanceId"\)/);
    expect(sdl).toMatch(/type PageInfo\s+@shareable/);
    expect(sdl).toMatch(/type AwsTag\s+@shareable/);
    expect(h.upstream()).toEqual([]);
  });
});

describe('_entities', () => {
  it('resolves 100 representations with duplicates with one call per distinct backup and per distinct instance', async () => {
    const backups = h.emulator.backups.slice(200, 230);
    const instanceIds = seededInstanceIds().slice(0, 10);
    const missing = 'f0000000-0000-4000-8000-000000000000';
    // Every third position an instance, the others backups (and one unknown backup), repeating.
    const backupKeys = [...backups.map((b) => b.id!), missing];
    const representations = Array.from({ length: 100 }, (_, i) =>
      i % 3 === 0 ? instanceRef(instanceIds[i % instanceIds.length]!) : backupRef(backupKeys[i % backupKeys.length]!),
    );
    const distinctBackups = new Set(representations.flatMap((r) => ('backupId' in r ? [r.backupId] : [])));
    const distinctInstances = new Set(representations.flatMap((r) => ('instanceId' in r ? [r.instanceId] : [])));
    expect(distinctBackups.size).toBe(31);
    expect(distinctInstances.size).toBe(10);

    const response = await h.gql(ENTITIES, { representations });
    expectNoErrors(response, h);

    // One read per distinct backup, the unknown one included; one list page per distinct instance,
    // serving both its latestBackup and its first three backups.
    expect(backupReads(h).sort()).toEqual([...distinctBackups].sort());
    const lists = listCalls(h.upstream());
    expect(lists.map((c) => c.filter).sort()).toEqual([...distinctInstances].map((id) => JSON.stringify({ instance_id: { $eq: id } })).sort());
    expect(lists.every((c) => c.limit === '3' && c.start === '1' && c.sort === '-start_timestamp')).toBe(true);
    expect(h.upstream()).toHaveLength(31 + 10);

    const byId = new Map(h.emulator.backups.map((b) => [b.id!, b]));
    response.data._entities.forEach((entity: any, i: number) => {
      const representation = representations[i]!;
      if ('instanceId' in representation) {
        expect(entity.instanceId).toBe(representation.instanceId);
        expect(entity.latestBackup.backupId).toBe(entity.backups.nodes[0].backupId);
        expect(entity.backups.totalCount).toBe(h.emulator.backups.filter((b) => b.instance_id === representation.instanceId).length);
      } else if (representation.backupId === missing) {
        expect(entity).toBeNull();
      } else {
        const seeded = byId.get(representation.backupId)!;
        expect(entity).toEqual({
          __typename: 'Ec2InstanceBackup',
          backupId: seeded.id,
          startTimestamp: seeded.start_timestamp,
          instance: { instanceId: seeded.instance_id },
        });
      }
    });
  });

  it('resolves an instance reference without any upstream call while only its key is asked for', async () => {
    const [a, b] = seededInstanceIds();
    const response = await h.gql(
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Ec2Instance { id instanceId } } }`,
      { representations: [instanceRef(a!), instanceRef(b!), instanceRef(a!)] },
    );
    expectNoErrors(response, h);
    expect(response.data._entities.map((e: any) => e.instanceId)).toEqual([a, b, a]);
    expect(h.upstream()).toEqual([]);
  });

  it('answers an instance Clumio has no backups of with an empty list and a null latest backup', async () => {
    const response = await h.gql(ENTITIES, { representations: [instanceRef('i-unknown-to-clumio')] });
    expectNoErrors(response, h);
    expect(response.data._entities).toEqual([
      { __typename: 'Ec2Instance', instanceId: 'i-unknown-to-clumio', latestBackup: null, backups: { totalCount: 0, nodes: [] } },
    ]);
    expect(listCalls(h.upstream())).toHaveLength(1);
  });

  it('costs an entity batch per representation: 1,000 instances asking 10 backups each are refused before any call', async () => {
    const representations = Array.from({ length: 1000 }, (_, i) => instanceRef(`i-${i}`));
    const refused = await h.gql(
      'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Ec2Instance { backups(first: 10) { nodes { backupId } } } } }',
      { representations },
    );
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(refused.errors?.[0]?.message).toMatch(/cost 21000 exceeds the limit of 5000/);
    const cheap = await h.gql('query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Ec2Instance { instanceId } } }', {
      representations,
    });
    expectNoErrors(cheap, h);
    expect(h.upstream()).toEqual([]);
  });

  it('fails a malformed representation at its own position only, before any upstream call for it', async () => {
    const backup = h.emulator.backups[0]!;
    const response = await h.gql(ENTITIES, {
      representations: [backupRef(''), backupRef(backup.id!), { __typename: 'Ec2InstanceBackup', backupId: 42 }],
    });
    expect(response.data._entities[0]).toBeNull();
    expect(response.data._entities[1].backupId).toBe(backup.id);
    expect(response.data._entities[2]).toBeNull();
    expect(response.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['_entities', 0], 'BAD_USER_INPUT'],
      [['_entities', 2], 'BAD_USER_INPUT'],
    ]);
    expect(backupReads(h)).toEqual([backup.id]);
  });
});
