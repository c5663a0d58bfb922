/**
 * The schema the reference servers (apollo-process.ts, yoga-jit-process.ts) share: what a
 * frontend team would hand-write over Clumio's REST API for the benchmark's operations. Hand-written
 * SDL, plain resolvers mapping snake_case, offset cursors (base64 of the item's offset; `after`
 * becomes Clumio's page number with limit = first), simple base64url global IDs in the gateway's
 * format (so every server gets the same nodes(ids:) body), no query limits, no cache, no paging
 * planner. Each server brings its own way of calling Clumio (a BackupSource in the context).
 */
import { GraphQLError, Kind } from 'graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { WireAmi, WireAttachedEbsVolume, WireEc2Backup, WireEc2BackupList } from '../src/clumio/wire-types';

/** Clumio, as one request's resolvers see it. Identical GETs within a request are sent once. */
export interface BackupSource {
  /** GET /backups/aws/ec2-instances, newest first; `filter` is Clumio's JSON filter. */
  listBackups(page: { limit: number; start: number; filter?: string }): Promise<WireEc2BackupList>;
  /** GET /backups/aws/ec2-instances/{id}; null on 404. */
  getBackup(id: string): Promise<WireEc2Backup | null>;
}

export interface ReferenceContext {
  clumio: BackupSource;
}

/** The query string of a list request, as the gateway and the floor write it. */
export function listQueryString(page: { limit: number; start: number; filter?: string }): string {
  return `limit=${page.limit}&start=${page.start}&sort=-start_timestamp${page.filter === undefined ? '' : `&filter=${encodeURIComponent(page.filter)}`}`;
}

export const typeDefs = /* GraphQL */ `
  scalar DateTime
  scalar UInt64

  interface Node {
    id: ID!
  }

  enum BackupType {
    CLUMIO_BACKUP
    AWS_SNAPSHOT
  }

  type Query {
    ec2InstanceBackups(first: Int = 10, after: String): Ec2InstanceBackupConnection!
    ec2InstanceBackup(backupId: ID!): Ec2InstanceBackup
    node(id: ID!): Node
    nodes(ids: [ID!]!): [Node]!
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type Ec2InstanceBackupConnection {
    edges: [Ec2InstanceBackupEdge!]!
    nodes: [Ec2InstanceBackup!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type Ec2InstanceBackupEdge {
    cursor: String!
    node: Ec2InstanceBackup!
  }

  type Ec2Instance implements Node {
    id: ID!
    instanceId: ID!
    latestBackup: Ec2InstanceBackup
  }

  type Ec2InstanceBackup implements Node {
    id: ID!
    backupId: ID!
    instance: Ec2Instance!
    instanceId: ID
    instanceNativeId: String
    accountNativeId: String
    awsRegion: String
    awsAz: String
    instanceType: String
    startTimestamp: DateTime
    expirationTimestamp: DateTime
    type: BackupType
    backupTier: String
    "GB"
    size: UInt64
    utilizedSizeInBytes: UInt64
    isBrowsable: Boolean
    keyPairName: String
    subnetNativeId: String
    vpcNativeId: String
    ami: Ami
    attachedBackupEbsVolumes: [AttachedEbsVolume!]
    tags: [AwsTag!]
  }

  type Ami {
    architecture: String
    rootDeviceName: String
    name: String
  }

  type AttachedEbsVolume {
    volumeNativeId: String
    isRoot: Boolean
    "bytes"
    size: UInt64
  }

  type AwsTag {
    key: String
    value: String
  }
`;

const toGlobalId = (type: string, id: string): string => Buffer.from(`${type}:${id}`).toString('base64url');
const offsetCursor = (offset: number): string => Buffer.from(String(offset)).toString('base64');

/** One page of the list, with where it starts: what the connection's fields are resolved from. */
interface ConnectionPage {
  offset: number;
  items: WireEc2Backup[];
  totalCount: number;
}

interface Instance {
  instanceId: string;
}

/** True when the field's selection asks for any of `fields` (the connection needs items only for those). */
function selects(info: GraphQLResolveInfo, fields: string[]): boolean {
  return info.fieldNodes.some((node) => node.selectionSet?.selections.some((s) => s.kind !== Kind.FIELD || fields.includes(s.name.value)));
}

async function connection(clumio: BackupSource, first: number, after: string | null | undefined, info: GraphQLResolveInfo): Promise<ConnectionPage> {
  const offset = after == null ? 0 : Number(Buffer.from(after, 'base64').toString('utf8')) + 1;
  if (!Number.isInteger(offset) || first < 1 || first > 100 || offset % first !== 0) {
    // Clumio pages by number: an offset that is not a multiple of `first` has no page of its own.
    throw new GraphQLError('`first` must be 1..100 and `after` must end a page of `first` items', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  // totalCount alone needs no items: the smallest page tells it.
  const limit = selects(info, ['edges', 'nodes', 'pageInfo']) ? first : 1;
  const list = await clumio.listBackups({ limit, start: offset / limit + 1 });
  return { offset, items: list._embedded?.items ?? [], totalCount: list.total_count ?? 0 };
}

const backupFromGlobalId = (clumio: BackupSource, globalId: string): Promise<WireEc2Backup | Instance | null> | null => {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  const [type, id] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  if (type === 'Ec2InstanceBackup') return clumio.getBackup(id);
  if (type === 'Ec2Instance') return Promise.resolve({ instanceId: id });
  return null;
};

export const resolvers = {
  BackupType: { CLUMIO_BACKUP: 'clumio_backup', AWS_SNAPSHOT: 'aws_snapshot' },
  Node: {
    __resolveType: (value: WireEc2Backup | Instance): string => ('instanceId' in value ? 'Ec2Instance' : 'Ec2InstanceBackup'),
  },
  Query: {
    ec2InstanceBackups: (_: unknown, args: { first: number; after?: string | null }, { clumio }: ReferenceContext, info: GraphQLResolveInfo) =>
      connection(clumio, args.first, args.after, info),
    ec2InstanceBackup: (_: unknown, args: { backupId: string }, { clumio }: ReferenceContext) => clumio.getBackup(args.backupId),
    node: (_: unknown, args: { id: string }, { clumio }: ReferenceContext) => backupFromGlobalId(clumio, args.id),
    nodes: (_: unknown, args: { ids: string[] }, { clumio }: ReferenceContext) => args.ids.map((id) => backupFromGlobalId(clumio, id)),
  },
  Ec2InstanceBackupConnection: {
    edges: (page: ConnectionPage) => page.items.map((node, i) => ({ cursor: offsetCursor(page.offset + i), node })),
    nodes: (page: ConnectionPage) => page.items,
    pageInfo: (page: ConnectionPage) => ({
      hasNextPage: page.offset + page.items.length < page.totalCount,
      hasPreviousPage: page.offset > 0,
      startCursor: page.items.length > 0 ? offsetCursor(page.offset) : null,
      endCursor: page.items.length > 0 ? offsetCursor(page.offset + page.items.length - 1) : null,
    }),
    totalCount: (page: ConnectionPage) => page.totalCount,
  },
  Ec2Instance: {
    id: (instance: Instance) => toGlobalId('Ec2Instance', instance.instanceId),
    latestBackup: async (instance: Instance, _: unknown, { clumio }: ReferenceContext) => {
      const list = await clumio.listBackups({ limit: 1, start: 1, filter: JSON.stringify({ instance_id: { $eq: instance.instanceId } }) });
      return list._embedded?.items?.[0] ?? null;
    },
  },
  Ec2InstanceBackup: {
    id: (b: WireEc2Backup) => toGlobalId('Ec2InstanceBackup', b.id ?? ''),
    backupId: (b: WireEc2Backup) => b.id,
    instance: (b: WireEc2Backup): Instance => ({ instanceId: b.instance_id ?? '' }),
    instanceId: (b: WireEc2Backup) => b.instance_id,
    instanceNativeId: (b: WireEc2Backup) => b.instance_native_id,
    accountNativeId: (b: WireEc2Backup) => b.account_native_id,
    awsRegion: (b: WireEc2Backup) => b.aws_region,
    awsAz: (b: WireEc2Backup) => b.aws_az,
    instanceType: (b: WireEc2Backup) => b.instance_type,
    startTimestamp: (b: WireEc2Backup) => b.start_timestamp,
    expirationTimestamp: (b: WireEc2Backup) => b.expiration_timestamp,
    backupTier: (b: WireEc2Backup) => b.backup_tier,
    utilizedSizeInBytes: (b: WireEc2Backup) => b.utilized_size_in_bytes,
    isBrowsable: (b: WireEc2Backup) => b.is_browsable,
    keyPairName: (b: WireEc2Backup) => b.key_pair_name,
    subnetNativeId: (b: WireEc2Backup) => b.subnet_native_id,
    vpcNativeId: (b: WireEc2Backup) => b.vpc_native_id,
    attachedBackupEbsVolumes: (b: WireEc2Backup) => b.attached_backup_ebs_volumes,
  },
  Ami: {
    rootDeviceName: (ami: WireAmi) => ami.root_device_name,
  },
  AttachedEbsVolume: {
    volumeNativeId: (v: WireAttachedEbsVolume) => v.volume_native_id,
    isRoot: (v: WireAttachedEbsVolume) => v.is_root,
  },
};
