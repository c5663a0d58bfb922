/**
 * The GraphQL documents the benchmark sends, by operation name. Kept apart from operations.ts (which
 * uses the gateway's planner) so the floor server can look documents up without loading gateway code.
 */

/** What a list screen shows of a backup. */
const LIST_NODE = `backupId instanceId instanceNativeId startTimestamp expirationTimestamp type size awsRegion tags { key value } ami { architecture rootDeviceName } attachedBackupEbsVolumes { size isRoot volumeNativeId }`;

/** About 25 fields of a backup: a detail screen. */
export const DETAIL_FIELDS = `id backupId instanceId instanceNativeId accountNativeId awsRegion awsAz instanceType startTimestamp expirationTimestamp type backupTier size utilizedSizeInBytes isBrowsable keyPairName subnetNativeId vpcNativeId ami { architecture rootDeviceName name } attachedBackupEbsVolumes { volumeNativeId size isRoot } tags { key value }`;

export const QUERIES = {
  page20: `query Page20 { ec2InstanceBackups(first: 20) { edges { node { ${LIST_NODE} } } } }`,
  page20Cursors: `query Page20Cursors { ec2InstanceBackups(first: 20) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${LIST_NODE} } } } }`,
  page100: `query Page100 { ec2InstanceBackups(first: 100) { edges { node { ${LIST_NODE} } } } }`,
  nextPage20: `query NextPage20($after: String) { ec2InstanceBackups(first: 20, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${LIST_NODE} } } } }`,
  latestBackup: `query Latest { ec2InstanceBackups(first: 20) { nodes { backupId startTimestamp instance { instanceId latestBackup { backupId startTimestamp size } } } } }`,
  single: `query One($id: ID!) { ec2InstanceBackup(backupId: $id) { ${DETAIL_FIELDS} } }`,
  nodes50: `query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id ... on Ec2InstanceBackup { backupId startTimestamp size instanceId } } }`,
  // Anonymous on purpose: the floor must find it by its text, as it would a client's unnamed query.
  totalCount: `{ ec2InstanceBackups { totalCount } }`,
} as const;

export type QueryName = keyof typeof QUERIES;

/** The `operationName` each document declares (null: anonymous). */
export function operationNameOf(query: string): string | null {
  return /^\s*query\s+(\w+)/.exec(query)?.[1] ?? null;
}
