import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL, served by the gateway itself. @graphql-yoga/render-graphiql inlines GraphiQL's scripts,
 * styles and editor workers into the page, so nothing is fetched from a CDN: it works in
 * locked-down networks. The page is rendered once and reused (it is several megabytes).
 */

export const EXAMPLE_QUERY = `# EC2 instance backups, newest first.
# Press ▶ (Ctrl-Enter) to run it.
# Next page: add  after: "<endCursor>"
# Narrow: filter: { instanceId: "…" }
# Oldest first:
#   orderBy: { field: START_TIMESTAMP, direction: ASC }
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
