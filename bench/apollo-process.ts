/**
 * Child process: the reference a frontend team would hand-write. Apollo Server 5's standalone server
 * with a RESTDataSource made per request in the context (its default fetch, its per-request GET
 * de-duplication), over the shared hand-written schema (reference-schema.ts). No limits, no cache
 * beyond what the data source does by default (Clumio sends no cache headers, so nothing is kept).
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { RESTDataSource } from '@apollo/datasource-rest';
import type { AugmentedRequest, DataSourceConfig } from '@apollo/datasource-rest';
import { GraphQLError } from 'graphql';
import { EC2_BACKUPS_MEDIA_TYPE } from '../src/clumio/wire-types';
import type { WireEc2Backup, WireEc2BackupList } from '../src/clumio/wire-types';
import { serveParent } from './child-protocol';
import { resolvers, typeDefs } from './reference-schema';
import type { BackupSource, ReferenceContext } from './reference-schema';

class ClumioBackups extends RESTDataSource implements BackupSource {
  override baseURL = process.env.CLUMIO_API_URL;

  constructor(
    private readonly authorization: string,
    config: DataSourceConfig,
  ) {
    super(config);
  }

  protected override willSendRequest(_path: string, request: AugmentedRequest): void {
    request.headers.authorization = this.authorization;
    request.headers.accept = EC2_BACKUPS_MEDIA_TYPE;
    request.headers['user-agent'] = 'clumio-bench-apollo';
  }

  listBackups(page: { limit: number; start: number; filter?: string }): Promise<WireEc2BackupList> {
    const params: Record<string, string> = { limit: String(page.limit), start: String(page.start), sort: '-start_timestamp' };
    if (page.filter !== undefined) params.filter = page.filter;
    return this.get<WireEc2BackupList>('backups/aws/ec2-instances', { params });
  }

  async getBackup(id: string): Promise<WireEc2Backup | null> {
    try {
      return await this.get<WireEc2Backup>(`backups/aws/ec2-instances/${encodeURIComponent(id)}`);
    } catch (error) {
      const status = error instanceof GraphQLError ? (error.extensions.response as { status?: number } | undefined)?.status : undefined;
      if (status === 404) return null;
      throw error;
    }
  }
}

async function main(): Promise<void> {
  const server = new ApolloServer<ReferenceContext>({ typeDefs, resolvers });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ clumio: new ClumioBackups(req.headers.authorization ?? '', { cache: server.cache }) }),
  });
  serveParent(url.replace(/\/$/, ''), () => server.stop());
}

main().catch((error: unknown) => {
  console.error('bench apollo failed:', error);
  process.exit(1);
});
