import { startHarness, expectNoErrors } from '../support/harness';
import type { Harness } from '../support/harness';

/** Hostile operations are refused with QUERY_TOO_COMPLEX, name the limit, and cost no upstream call. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.resetUpstream());

async function tooComplex(query: string, variables?: Record<string, unknown>) {
  const response = await h.gql(query, variables);
  expect(response.errors?.length).toBeGreaterThan(0);
  const error = response.errors![0]!;
  expect(error.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  expect(h.upstream()).toEqual([]);
  return error.message;
}

describe('query limits', () => {
  it('refuses depth beyond the limit', async () => {
    let selection = 'backupId';
    for (let i = 0; i < 8; i++) selection = `instance { latestBackup { ${selection} } }`;
    expect(await tooComplex(`{ ec2InstanceBackups(first: 1) { nodes { ${selection} } } }`)).toMatch(/depth limit of 15/i);
  });

  it('refuses too many aliases', async () => {
    const fields = Array.from({ length: 31 }, (_, i) => `a${i}: ec2InstanceBackups(first: 1) { totalCount }`).join(' ');
    expect(await tooComplex(`{ ${fields} }`)).toMatch(/aliases limit of 30/i);
  });

  it('refuses too many directives', async () => {
    const directives = Array.from({ length: 51 }, () => '@include(if: true)').join(' ');
    expect(await tooComplex(`{ ec2InstanceBackups(first: 1) { totalCount ${directives} } }`)).toMatch(/directives limit of 50/i);
  });

  it('refuses documents with too many tokens', async () => {
    const fields = Array.from({ length: 5100 }, () => 'backupId').join(' ');
    expect(await tooComplex(`{ ec2InstanceBackups(first: 1) { nodes { ${fields} } } }`)).toMatch(/token limit of 5000/i);
  });

  it('counts first/last at their variable values in the cost', async () => {
    const query = `query($n: Int, $m: Int) { ec2InstanceBackups(first: $n) { nodes { instance { backups(first: $m) { nodes { ami { name } } } } } } }`;
    // 100 × (1 + 1 + 100 × 2) objects: far above the limit of 5000.
    expect(await tooComplex(query, { n: 100, m: 100 })).toMatch(/cost \d+ exceeds the limit of 5000/);
    // The same document with small pages is fine.
    const small = await h.gql(query, { n: 2, m: 2 });
    expectNoErrors(small, h);
  });

  it('counts nodes(ids:) by the number of IDs', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `id${i}`);
    const query = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Ec2Instance { backups(first: 100) { nodes { backupId } } } } }`;
    expect(await tooComplex(query, { ids })).toMatch(/exceeds the limit/);
  });

  it('lets an ordinary 100-item page through', async () => {
    const response = await h.gql(`{ ec2InstanceBackups(first: 100) { edges { cursor node { backupId ami { name } backupAmi { name }
      attachedBackupEbsVolumes { size tags { key } } networkInterfaces { publicIp } tags { key value } iamInstanceProfile { arn }
      links { self { href } } instance { instanceId } } } pageInfo { hasNextPage } } }`);
    expectNoErrors(response, h);
  });
});
