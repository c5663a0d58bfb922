/**
 * Child process: graphql-yoga with its defaults and @envelop/graphql-jit over the shared
 * hand-written schema (reference-schema.ts) and one undici Pool: what yoga itself costs with
 * compiled execution, as the gateway runs, next to the gateway (yoga plus limits, cursors,
 * resilience, caching) and the floor (no GraphQL at all).
 */
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createSchema, createYoga } from 'graphql-yoga';
import { Pool } from 'undici';
import { EC2_BACKUPS_MEDIA_TYPE, EC2_BACKUPS_PATH } from '../src/clumio/wire-types';
import type { WireEc2Backup, WireEc2BackupList } from '../src/clumio/wire-types';
import { serveHttp } from './child-protocol';
import { listQueryString, resolvers, typeDefs } from './reference-schema';
import type { BackupSource, ReferenceContext } from './reference-schema';

const upstream = new URL(process.env.CLUMIO_API_URL ?? 'http://127.0.0.1:1');
const basePath = upstream.pathname.replace(/\/+$/, '');
// As many connections as the gateway's pool (CLUMIO_MAX_CONCURRENCY's default).
const pool = new Pool(upstream.origin, { connections: 32, keepAliveTimeout: 30_000 });

/** One request's Clumio calls; identical GETs are sent once, as RESTDataSource does for Apollo. */
class PoolBackups implements BackupSource {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly authorization: string) {}

  listBackups(page: { limit: number; start: number; filter?: string }): Promise<WireEc2BackupList> {
    return this.get(`${EC2_BACKUPS_PATH}?${listQueryString(page)}`) as Promise<WireEc2BackupList>;
  }

  getBackup(id: string): Promise<WireEc2Backup | null> {
    return this.get(`${EC2_BACKUPS_PATH}/${encodeURIComponent(id)}`) as Promise<WireEc2Backup | null>;
  }

  private get(pathAndQuery: string): Promise<unknown> {
    let pending = this.inFlight.get(pathAndQuery);
    if (!pending) {
      pending = (async () => {
        const response = await pool.request({
          method: 'GET',
          path: basePath + pathAndQuery,
          headers: { accept: EC2_BACKUPS_MEDIA_TYPE, authorization: this.authorization, 'user-agent': 'clumio-bench-yoga' },
        });
        const text = await response.body.text();
        if (response.statusCode === 404) return null;
        if (response.statusCode !== 200) throw new Error(`Clumio answered ${response.statusCode}`);
        return JSON.parse(text) as unknown;
      })();
      this.inFlight.set(pathAndQuery, pending);
    }
    return pending;
  }
}

async function main(): Promise<void> {
  const yoga = createYoga({
    schema: createSchema<ReferenceContext>({ typeDefs, resolvers }),
    context: ({ request }): ReferenceContext => ({ clumio: new PoolBackups(request.headers.get('authorization') ?? '') }),
    plugins: [useGraphQlJit()],
  });
  await serveHttp((request, response) => void yoga(request, response), () => pool.close());
}

main().catch((error: unknown) => {
  console.error('bench yoga failed:', error);
  process.exit(1);
});
