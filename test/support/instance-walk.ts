import { expectNoErrors } from './harness';
import type { Harness } from './harness';

/**
 * The list a paging test walks: the first seeded instance (in ID order) with 20 to 60 backups
 * (several pages, quickly), and that whole list read in one request, which the pages must add up to.
 */
export async function instanceToWalk(h: Harness): Promise<{ instanceId: string; expected: string[]; totalCount: number }> {
  const counts = new Map<string, number>();
  for (const backup of h.emulator.backups) if (backup.instance_id) counts.set(backup.instance_id, (counts.get(backup.instance_id) ?? 0) + 1);
  const [found] = [...counts.entries()].filter(([, n]) => n >= 20 && n <= 60).sort(([a], [b]) => a.localeCompare(b));
  if (!found) throw new Error('the seed has no instance with 20 to 60 backups');
  const [instanceId, count] = found;
  const whole = await h.gql(
    'query Whole($filter: Ec2InstanceBackupFilter) { ec2InstanceBackups(first: 100, filter: $filter) { totalCount pageInfo { hasNextPage } edges { node { backupId } } } }',
    { filter: { instanceId } },
  );
  expectNoErrors(whole, h);
  expect(whole.data.ec2InstanceBackups.pageInfo.hasNextPage).toBe(false);
  const expected: string[] = whole.data.ec2InstanceBackups.edges.map((e: any) => e.node.backupId);
  const totalCount: number = whole.data.ec2InstanceBackups.totalCount;
  expect(expected).toHaveLength(count);
  expect(totalCount).toBe(count);
  return { instanceId, expected, totalCount };
}
