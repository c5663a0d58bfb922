import { graphql } from './gql';

/**
 * The app's operations. graphql-codegen reads these graphql() calls (examples/web-client/codegen.ts)
 * and generates a typed document for each, so `client.query({ query: BackupsListDocument })` knows
 * its variables and result. Every object with an identity selects `id`, so Apollo's InMemoryCache
 * and urql's graphcache normalize it.
 */

/** One row of the backups list screen. */
export const BackupRowFragment = graphql(`
  fragment BackupRow on Ec2InstanceBackup {
    id
    backupId
    startTimestamp
    type
    instanceNativeId
    awsRegion
    sizeInGb: size
    instance {
      id
      instanceId
    }
  }
`);

/**
 * The backups list screen: one page of rows. Next page: the same variables with
 * `after: pageInfo.endCursor`; both clients merge the pages into one list (apollo.ts, urql.ts).
 */
export const BackupsListDocument = graphql(`
  query BackupsList($first: Int!, $after: String, $filter: Ec2InstanceBackupFilter, $orderBy: Ec2InstanceBackupOrder) {
    ec2InstanceBackups(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          ...BackupRow
        }
      }
    }
  }
`);

/** The detail screen of one backup, by Clumio's backup ID (null when Clumio has no such backup). */
export const BackupDetailDocument = graphql(`
  query BackupDetail($backupId: ID!) {
    ec2InstanceBackup(backupId: $backupId) {
      id
      ...BackupRow
      expirationTimestamp
      instanceType
      backupTier
      utilizedSizeInBytes
      attachedBackupEbsVolumes {
        id
        volumeNativeId
        name
        isRoot
        sizeInBytes: size
        utilizedSizeInBytes
      }
      tags {
        key
        value
      }
    }
  }
`);
