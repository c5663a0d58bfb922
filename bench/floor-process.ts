/**
 * Child process: the floor, the least CPU any Node server can spend answering the benchmark's
 * operations over the same I/O. Plain node:http and one undici Pool to Clumio; per request it reads
 * and parses the body, picks the operation by `operationName` (or, for an anonymous document, by its
 * text), sends the upstream requests the gateway needs for it, JSON.parses each answer, copies the
 * selected fields into the response object and JSON.stringifies it. No GraphQL library: no parsing,
 * validation or execution of the document, no resilience, limits or caching. Its cursors are
 * base64url offsets.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'undici';
import { EC2_BACKUPS_MEDIA_TYPE, EC2_BACKUPS_PATH } from '../src/clumio/wire-types';
import type { WireEc2Backup, WireEc2BackupList } from '../src/clumio/wire-types';
import { serveHttp } from './child-protocol';
import { QUERIES, operationNameOf } from './queries';
import type { QueryName } from './queries';

const upstream = new URL(process.env.CLUMIO_API_URL ?? 'http://127.0.0.1:1');
// As many connections as the gateway's pool (CLUMIO_MAX_CONCURRENCY's default), so both wait on upstream alike.
const pool = new Pool(upstream.origin, { connections: 32, keepAliveTimeout: 30_000 });
const basePath = upstream.pathname.replace(/\/+$/, '');

type Variables = Record<string, unknown>;
type Handler = (authorization: string, variables: Variables) => Promise<unknown>;

async function get<T>(authorization: string, pathAndQuery: string): Promise<T | null> {
  const response = await pool.request({
    method: 'GET',
    path: basePath + pathAndQuery,
    headers: { accept: EC2_BACKUPS_MEDIA_TYPE, authorization, 'user-agent': 'clumio-bench-floor' },
  });
  const text = await response.body.text();
  if (response.statusCode === 404) return null;
  if (response.statusCode !== 200) throw new Error(`Clumio answered ${response.statusCode} to ${pathAndQuery}`);
  return JSON.parse(text) as T;
}

async function listPage(authorization: string, limit: number, start: number, filter?: string): Promise<{ items: WireEc2Backup[]; total: number }> {
  const query = `limit=${limit}&start=${start}&sort=-start_timestamp${filter === undefined ? '' : `&filter=${encodeURIComponent(filter)}`}`;
  const body = await get<WireEc2BackupList>(authorization, `${EC2_BACKUPS_PATH}?${query}`);
  return { items: body?._embedded?.items ?? [], total: body?.total_count ?? 0 };
}

const readBackup = (authorization: string, id: string): Promise<WireEc2Backup | null> =>
  get<WireEc2Backup>(authorization, `${EC2_BACKUPS_PATH}/${encodeURIComponent(id)}`);

const backupType = (type: string | null | undefined): string | null =>
  type === 'clumio_backup' ? 'CLUMIO_BACKUP' : type === 'aws_snapshot' ? 'AWS_SNAPSHOT' : null;

/** Global IDs as the gateway issues them, so every server gets the same nodes(ids:) body. */
const globalId = (id: string | null | undefined): string | null => (id == null ? null : Buffer.from(`Ec2InstanceBackup:${id}`).toString('base64url'));
const backupIdOf = (globalIdText: string): string => Buffer.from(globalIdText, 'base64url').toString('utf8').replace(/^Ec2InstanceBackup:/, '');

const cursor = (offset: number): string => Buffer.from(String(offset)).toString('base64url');

// Field copies, in the order the documents select them (JSON.stringify keeps insertion order).

function listNode(b: WireEc2Backup): unknown {
  return {
    backupId: b.id ?? null,
    instanceId: b.instance_id ?? null,
    instanceNativeId: b.instance_native_id ?? null,
    startTimestamp: b.start_timestamp ?? null,
    expirationTimestamp: b.expiration_timestamp ?? null,
    type: backupType(b.type),
    size: b.size ?? null,
    awsRegion: b.aws_region ?? null,
    tags: b.tags ? b.tags.map((t) => ({ key: t.key ?? null, value: t.value ?? null })) : null,
    ami: b.ami ? { architecture: b.ami.architecture ?? null, rootDeviceName: b.ami.root_device_name ?? null } : null,
    attachedBackupEbsVolumes: b.attached_backup_ebs_volumes
      ? b.attached_backup_ebs_volumes.map((v) => ({ size: v.size ?? null, isRoot: v.is_root ?? null, volumeNativeId: v.volume_native_id ?? null }))
      : null,
  };
}

function detailNode(b: WireEc2Backup): unknown {
  return {
    id: globalId(b.id),
    backupId: b.id ?? null,
    instanceId: b.instance_id ?? null,
    instanceNativeId: b.instance_native_id ?? null,
    accountNativeId: b.account_native_id ?? null,
    awsRegion: b.aws_region ?? null,
    awsAz: b.aws_az ?? null,
    instanceType: b.instance_type ?? null,
    startTimestamp: b.start_timestamp ?? null,
    expirationTimestamp: b.expiration_timestamp ?? null,
    type: backupType(b.type),
    backupTier: b.backup_tier ?? null,
    size: b.size ?? null,
    utilizedSizeInBytes: b.utilized_size_in_bytes ?? null,
    isBrowsable: b.is_browsable ?? null,
    keyPairName: b.key_pair_name ?? null,
    subnetNativeId: b.subnet_native_id ?? null,
    vpcNativeId: b.vpc_native_id ?? null,
    ami: b.ami ? { architecture: b.ami.architecture ?? null, rootDeviceName: b.ami.root_device_name ?? null, name: b.ami.name ?? null } : null,
    attachedBackupEbsVolumes: b.attached_backup_ebs_volumes
      ? b.attached_backup_ebs_volumes.map((v) => ({ volumeNativeId: v.volume_native_id ?? null, size: v.size ?? null, isRoot: v.is_root ?? null }))
      : null,
    tags: b.tags ? b.tags.map((t) => ({ key: t.key ?? null, value: t.value ?? null })) : null,
  };
}

async function edgesPage(authorization: string, after: unknown): Promise<unknown> {
  const offset = typeof after === 'string' ? Number(Buffer.from(after, 'base64url').toString('utf8')) + 1 : 0;
  if (!Number.isInteger(offset) || offset % 20 !== 0) throw new Error(`after ${JSON.stringify(after)} is not a page boundary`);
  const { items, total } = await listPage(authorization, 20, offset / 20 + 1);
  return {
    ec2InstanceBackups: {
      totalCount: total,
      pageInfo: { hasNextPage: offset + items.length < total, endCursor: items.length > 0 ? cursor(offset + items.length - 1) : null },
      edges: items.map((b, i) => ({ cursor: cursor(offset + i), node: listNode(b) })),
    },
  };
}

async function nodesPage(authorization: string, limit: number): Promise<unknown> {
  const { items } = await listPage(authorization, limit, 1);
  return { ec2InstanceBackups: { edges: items.map((b) => ({ node: listNode(b) })) } };
}

const HANDLERS: Record<QueryName, Handler> = {
  page20: (authorization) => nodesPage(authorization, 20),
  page100: (authorization) => nodesPage(authorization, 100),
  page20Cursors: (authorization) => edgesPage(authorization, undefined),
  nextPage20: (authorization, variables) => edgesPage(authorization, variables.after),
  async latestBackup(authorization) {
    const { items } = await listPage(authorization, 20, 1);
    const instances = [...new Set(items.map((b) => b.instance_id ?? ''))];
    const latest = new Map(
      await Promise.all(
        instances.map(async (id) => {
          const { items: newest } = await listPage(authorization, 1, 1, JSON.stringify({ instance_id: { $eq: id } }));
          return [id, newest[0] ?? null] as const;
        }),
      ),
    );
    return {
      ec2InstanceBackups: {
        nodes: items.map((b) => {
          const l = latest.get(b.instance_id ?? '') ?? null;
          return {
            backupId: b.id ?? null,
            startTimestamp: b.start_timestamp ?? null,
            instance: {
              instanceId: b.instance_id ?? null,
              latestBackup: l && { backupId: l.id ?? null, startTimestamp: l.start_timestamp ?? null, size: l.size ?? null },
            },
          };
        }),
      },
    };
  },
  async single(authorization, variables) {
    const b = await readBackup(authorization, String(variables.id));
    return { ec2InstanceBackup: b && detailNode(b) };
  },
  async nodes50(authorization, variables) {
    const ids = Array.isArray(variables.ids) ? variables.ids.map(String) : [];
    const backups = await Promise.all(ids.map((id) => readBackup(authorization, backupIdOf(id))));
    return {
      nodes: backups.map(
        (b, i) => b && { id: ids[i], backupId: b.id ?? null, startTimestamp: b.start_timestamp ?? null, size: b.size ?? null, instanceId: b.instance_id ?? null },
      ),
    };
  },
  async totalCount(authorization) {
    const { total } = await listPage(authorization, 1, 1);
    return { ec2InstanceBackups: { totalCount: total } };
  },
};

const names = Object.keys(QUERIES) as QueryName[];
const byOperationName = new Map<string | null, Handler>(names.map((name) => [operationNameOf(QUERIES[name]), HANDLERS[name]]));
const byText = new Map<string, Handler>(names.map((name) => [QUERIES[name], HANDLERS[name]]));

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/graphql') {
    send(res, 404, { errors: [{ message: 'POST /graphql only' }] });
    return;
  }
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query?: string; operationName?: string | null; variables?: Variables | null };
    const handler = (body.operationName ? byOperationName.get(body.operationName) : undefined) ?? byText.get(body.query ?? '');
    if (!handler) {
      send(res, 400, { errors: [{ message: 'the floor answers only the benchmark operations' }] });
      return;
    }
    send(res, 200, { data: await handler(req.headers.authorization ?? '', body.variables ?? {}) });
  } catch (error) {
    send(res, 502, { errors: [{ message: error instanceof Error ? error.message : String(error) }] });
  }
}

async function main(): Promise<void> {
  await serveHttp((req, res) => void handle(req, res), () => pool.close());
}

main().catch((error: unknown) => {
  console.error('bench floor failed:', error);
  process.exit(1);
});
