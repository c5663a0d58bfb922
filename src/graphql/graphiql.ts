import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL, served by the gateway itself. @graphql-yoga/render-graphiql inlines GraphiQL's scripts,
 * styles and editor workers into the page, so nothing is fetched from a CDN: it works in
 * locked-down networks. The page is rendered once and reused (it is several megabytes).
 */

export const EXAMPLE_QUERY = `# EC2 instance backups from Clumio, newest first. Press ▶ (Ctrl-Enter) to run.
# Next page: add  after: "<endCursor>"  to the arguments. Narrow with
#   filter: { instanceId: "…", startTimestamp: { gt: "2026-01-01T00:00:00Z" } }
# and flip the order with  orderBy: { field: START_TIMESTAMP, direction: ASC }.
query NewestBackups {
  ec2InstanceBackups(first: 5) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        backupId
        startTimestamp
        type
        instanceNativeId
        awsRegion
        sizeInGb: size
        attachedBackupEbsVolumes {
          volumeNativeId
          sizeInBytes: size
          isRoot
        }
        instance {
          instanceId
          latestBackup {
            backupId
            startTimestamp
          }
        }
      }
    }
  }
}
`;

export const graphiqlOptions: GraphiQLOptions = {
  title: 'Clumio backups · GraphiQL',
  defaultQuery: EXAMPLE_QUERY,
};

let rendered: string | undefined;

export function renderOfflineGraphiQL(options?: GraphiQLOptions): string {
  rendered ??= renderGraphiQL(options);
  return rendered;
}
