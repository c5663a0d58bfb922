import { graphql } from 'relay-runtime';

/**
 * The backups list: a Relay connection on Query. `@connection` keeps one list per `filter` and
 * `orderBy` (its key's filters: every argument but the paging ones), and `@refetchable` makes
 * relay-compiler generate BackupsListPaginationQuery, which loads the next `count` rows after
 * `cursor` into that same list (usePaginationFragment's loadNext in React).
 */
export const BackupsListFragment = graphql`
  fragment BackupsList_query on Query
  @refetchable(queryName: "BackupsListPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 10 }
    cursor: { type: "String" }
    filter: { type: "Ec2InstanceBackupFilter" }
    orderBy: { type: "Ec2InstanceBackupOrder" }
  ) {
    ec2InstanceBackups(first: $count, after: $cursor, filter: $filter, orderBy: $orderBy)
      @connection(key: "BackupsList_ec2InstanceBackups") {
      totalCount
      edges {
        node {
          id
          ...BackupRow_backup
        }
      }
    }
  }
`;
