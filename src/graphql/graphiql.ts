import type { GraphiQLOptions } from 'graphql-yoga';
import type * as RenderGraphiQL from '@graphql-yoga/render-graphiql';

/**
 * GraphiQL, served by the gateway itself. @graphql-yoga/render-graphiql inlines GraphiQL's scripts,
 * styles and editor workers into the page, so nothing is fetched from a CDN: it works in
 * locked-down networks. The page is rendered once and reused (it is several megabytes).
 *
 * The renderer is loaded on the first GraphiQL request, not at start: its module is 9 MB of
 * JavaScript, and holding it costs every replica ~60 MB of RSS (147 → 88 MB idle) and 0.4 s of
 * start-up CPU, though most replicas behind a load balancer never serve GraphiQL.
 */

// Linted against the schema like examples/operations (npm run lint reads the /* GraphQL */ literal).
export const EXAMPLE_QUERY = /* GraphQL */ `# EC2 instance backups, newest first.
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
        id
        backupId
        startTimestamp
        type
        instanceNativeId
        awsRegion
        sizeInGb: size
        attachedBackupEbsVolumes {
          id
          volumeNativeId
          sizeInBytes: size
          isRoot
        }
        instance {
          id
          instanceId
          latestBackup {
            id
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
  if (rendered === undefined) {
    // A require, not an import: loaded here, on first use (see above).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { renderGraphiQL } = require('@graphql-yoga/render-graphiql') as typeof RenderGraphiQL;
    rendered = renderGraphiQL(options);
  }
  return rendered;
}
