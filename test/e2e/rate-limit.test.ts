import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * CLUMIO_RATE_LIMIT_RPS against an emulator that enforces the same limit (HTTP 429 beyond it): the
 * gateway's requests wait for their turn instead of failing. Without Redis each gateway keeps its own
 * budget; test/redis proves replicas share one.
 */

const NODES = 'query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id ... on Ec2InstanceBackup { backupId } } }';

async function backupIds(h: Harness, count: number): Promise<string[]> {
  const response = await h.gql(`{ ec2InstanceBackups(first: ${count}) { nodes { id } } }`);
  return response.data.ec2InstanceBackups.nodes.map((n: { id: string }) => n.id);
}

describe('upstream rate limiter', () => {
  it('keeps to the limit: 30 lookups at 10 requests per second all succeed, with no 429 from Clumio', async () => {
    const h = await startHarness({ emulator: { rateLimitPerSecond: 10 }, env: { CLUMIO_RATE_LIMIT_RPS: '10' } });
    try {
      const ids = await backupIds(h, 30);
      h.resetUpstream();
      const response = await h.gql(NODES, { ids });
      expect(response.errors).toBeUndefined();
      expect(response.data.nodes).toHaveLength(30);
      expect(h.upstream().map((r) => r.status)).toEqual(new Array(30).fill(200));
    } finally {
      await h.close();
    }
  });

  it('is what prevents the 429s: with CLUMIO_RATE_LIMIT_RPS=0 the same operation is refused by Clumio', async () => {
    const h = await startHarness({ emulator: { rateLimitPerSecond: 10 }, env: { CLUMIO_RATE_LIMIT_RPS: '0' } });
    try {
      const ids = await backupIds(h, 30);
      const response = await h.gql(NODES, { ids });
      expect(response.errors?.some((e) => e.extensions?.code === 'RATE_LIMITED')).toBe(true);
      expect(h.upstream().some((r) => r.status === 429)).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('fails a request whose turn is further away than CLUMIO_TIMEOUT_MS with RATE_LIMITED and retryAfter', async () => {
    // One request per second and a one-second deadline: the first goes now, the second in 1 s, the third would wait 2 s.
    const h = await startHarness({ env: { CLUMIO_RATE_LIMIT_RPS: '1', CLUMIO_TIMEOUT_MS: '1000' } });
    try {
      const ids = h.emulator.backups.slice(0, 3).map((b) => b.id as string);
      h.resetUpstream();
      const response = await h.gql(`{
        a: ec2InstanceBackup(backupId: "${ids[0]}") { backupId }
        b: ec2InstanceBackup(backupId: "${ids[1]}") { backupId }
        c: ec2InstanceBackup(backupId: "${ids[2]}") { backupId }
      }`);
      expect(response.data).toEqual({ a: { backupId: ids[0] }, b: { backupId: ids[1] }, c: null });
      expect(response.errors).toHaveLength(1);
      expect(response.errors?.[0]).toMatchObject({ path: ['c'], extensions: { code: 'RATE_LIMITED', retryAfter: 2 } });
      expect(h.upstream()).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});
