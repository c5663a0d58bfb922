import { graphql } from 'relay-runtime';

/**
 * The screen's query: the first `count` rows of the list, newest first unless `orderBy` says
 * otherwise. Further pages come from BackupsListPaginationQuery (see BackupsList.ts).
 */
export const BackupsScreenQuery = graphql`
  query BackupsScreenQuery($count: Int!, $filter: Ec2InstanceBackupFilter, $orderBy: Ec2InstanceBackupOrder) {
    ...BackupsList_query @arguments(count: $count, filter: $filter, orderBy: $orderBy)
  }
`;
