/**
 * The emulator's deterministic data set: EC2 instance backups shaped exactly like Clumio's
 * `EC2Backup` model (all 30 documented fields), generated from a seeded PRNG so every run with the
 * same seed yields byte-identical data.
 *
 * Shape of the default data set (checked in test/emulator/seed-data.test.ts):
 * - 72 instances generated (71 with backups for the default seed, 2,521 backups) in 4 AWS
 *   accounts and 3 regions, each protected by one of six policies that run at fixed times of day.
 *   Every instance of a policy that is due on a day is backed up at exactly the policy's time, so
 *   `start_timestamp` ties across instances are the norm (327 groups of 2 to 13 for the default seed).
 * - A few on-demand backups at arbitrary seconds, which are not tied.
 * - 90 days of history ending before {@link DATA_SET_AS_OF}; retention is long enough that nothing
 *   listed has expired by then.
 */
import type {
  WireAmi,
  WireAttachedEbsVolume,
  WireEc2Backup,
  WireIamInstanceProfile,
  WireInstanceStoreBlockDeviceMapping,
  WireNetworkInterface,
  WireTag,
} from '../clumio/wire-types';
import { EC2_BACKUPS_PATH } from '../clumio/wire-types';

/** The seed used when none is given: the data set is identical on every run. */
export const DEFAULT_SEED = 20250630;

/** The data set's "now": every backup starts before it and expires after it. */
export const DATA_SET_AS_OF = '2025-06-30T00:00:00Z';
const DAY_MS = 86_400_000;
const HISTORY_DAYS = 90;
const AS_OF_MS = Date.parse(DATA_SET_AS_OF);
const FIRST_DAY_MS = AS_OF_MS - HISTORY_DAYS * DAY_MS;

/**
 * The one backup whose top-level `utilized_size_in_bytes` exceeds 2^53 (see
 * {@link HUGE_UTILIZED_SIZE_IN_BYTES}); it is the newest backup of the first instance, an analytics
 * host with a 16 TiB volume. Its id is fixed, whatever the seed. The value is deliberately larger
 * than the backup's own volumes could hold: it exists to prove that 64-bit integers survive every
 * hop without being rounded through a double.
 */
export const BACKUP_ID_WITH_HUGE_UTILIZED_SIZE = 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
/** 2^54 + 1: not representable as a double (it would round to 18014398509481984). */
export const HUGE_UTILIZED_SIZE_IN_BYTES = '18014398509481985';

export interface SeededAwsAccount {
  readonly accountNativeId: string;
  readonly alias: string;
  readonly regions: readonly string[];
}

/** Four AWS accounts; one starts with a 0 so that treating the id as a number visibly breaks it. */
export const SEED_AWS_ACCOUNTS: readonly SeededAwsAccount[] = [
  { accountNativeId: '284736019523', alias: 'acme-prod', regions: ['us-west-2', 'us-east-1', 'eu-central-1'] },
  { accountNativeId: '590183746201', alias: 'acme-payments', regions: ['us-east-1', 'eu-central-1'] },
  { accountNativeId: '731920465810', alias: 'acme-research', regions: ['us-west-2'] },
  { accountNativeId: '046285913377', alias: 'acme-sandbox', regions: ['us-west-2', 'us-east-1'] },
];

export const SEED_REGIONS: readonly string[] = ['us-west-2', 'us-east-1', 'eu-central-1'];

const AVAILABILITY_ZONES: Readonly<Record<string, readonly string[]>> = {
  'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c'],
  'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d'],
  'eu-central-1': ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
};

export interface OrganizationalUnit {
  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
  /** The AWS accounts whose backups this OU sees; null for the global OU, which sees everything. */
  readonly accountNativeIds: readonly string[] | null;
}

/** Requests without `X-Clumio-OrganizationalUnit-Context` run in this OU; it may also be named explicitly. */
export const GLOBAL_ORGANIZATIONAL_UNIT_ID = '00f1a6c4-7c3e-4b1d-9a52-6e0b8d2f4c10';
/** Sees acme-prod and acme-payments. */
export const PRODUCTION_OU_ID = '3c9e2a71-5d48-4f06-b1e3-8a7d6c5b4e21';
/** A child of Production that sees acme-payments only. */
export const PAYMENTS_OU_ID = '8b4f6d13-2e97-4ac5-9f60-1d3b5a7c9e82';
/** Sees acme-research only. acme-sandbox belongs to no OU but the global one. */
export const RESEARCH_OU_ID = 'd27a5e09-6b31-4c8f-a4d2-7e9f1b3c5a63';

/** The three seeded OUs (the global OU is separate: {@link GLOBAL_ORGANIZATIONAL_UNIT}). */
export const ORGANIZATIONAL_UNITS: readonly OrganizationalUnit[] = [
  {
    id: PRODUCTION_OU_ID,
    name: 'Production',
    parentId: GLOBAL_ORGANIZATIONAL_UNIT_ID,
    accountNativeIds: ['284736019523', '590183746201'],
  },
  { id: PAYMENTS_OU_ID, name: 'Payments', parentId: PRODUCTION_OU_ID, accountNativeIds: ['590183746201'] },
  { id: RESEARCH_OU_ID, name: 'Research', parentId: GLOBAL_ORGANIZATIONAL_UNIT_ID, accountNativeIds: ['731920465810'] },
];

export const GLOBAL_ORGANIZATIONAL_UNIT: OrganizationalUnit = {
  id: GLOBAL_ORGANIZATIONAL_UNIT_ID,
  name: 'Global',
  parentId: null,
  accountNativeIds: null,
};

// ---------------------------------------------------------------------------------------------
// Types of the seeded records: the wire types with every field present (null where realistic).

export type SeededAmi = Required<WireAmi>;
export type SeededTag = Required<WireTag>;
export type SeededEbsVolume = Omit<Required<WireAttachedEbsVolume>, 'tags'> & { tags: SeededTag[] };
export type SeededNetworkInterface = Omit<Required<WireNetworkInterface>, 'security_group_native_ids'> & {
  security_group_native_ids: string[];
};
export type SeededInstanceStoreMapping = Required<WireInstanceStoreBlockDeviceMapping>;

/** Fields narrowed below (present and non-null, or with fully populated members). */
type NarrowedField =
  | '_links'
  | 'id'
  | 'instance_id'
  | 'account_native_id'
  | 'start_timestamp'
  | 'expiration_timestamp'
  | 'ami'
  | 'backup_ami'
  | 'attached_backup_ebs_volumes'
  | 'instance_store_block_device_mappings'
  | 'network_interfaces'
  | 'iam_instance_profile'
  | 'tags';

/** A wire EC2Backup with every field present (null only where realistic). */
export type SeededEc2Backup = Omit<Required<WireEc2Backup>, NarrowedField> & {
  _links: {
    _self: { href: string; templated: boolean; type: string };
    'restore-aws-ec2-instance': { href: string; templated: boolean; type: string };
  };
  id: string;
  instance_id: string;
  account_native_id: string;
  start_timestamp: string;
  expiration_timestamp: string;
  ami: SeededAmi;
  backup_ami: SeededAmi;
  attached_backup_ebs_volumes: SeededEbsVolume[];
  instance_store_block_device_mappings: SeededInstanceStoreMapping[];
  network_interfaces: SeededNetworkInterface[];
  iam_instance_profile: Required<WireIamInstanceProfile> | null;
  tags: SeededTag[];
};

/** A summary of one protected instance (one that has at least one backup), for tests and tools. */
export interface SeededInstance {
  readonly instance_id: string;
  readonly instance_native_id: string;
  readonly account_native_id: string;
  readonly aws_region: string;
  readonly aws_az: string;
  readonly name: string;
  readonly policy: string;
}

export interface SeedData {
  readonly seed: number;
  /** Newest first: descending (start_timestamp, id), the exact reverse of the ascending order. */
  readonly backups: readonly SeededEc2Backup[];
  readonly instances: readonly SeededInstance[];
}

// ---------------------------------------------------------------------------------------------
// PRNG

/** mulberry32: a tiny, fast 32-bit PRNG; good enough for synthetic data and fully deterministic. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Inclusive on both ends. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [value, weight] of entries) {
      r -= weight;
      if (r < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 0x100000000).toString(16).padStart(8, '0');
    return out.slice(0, length);
  }
  /** Version-4-shaped UUID. */
  uuid(): string {
    const h = this.hex(32);
    const variant = '89ab'[Math.floor(this.next() * 4)] ?? '8';
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  /** AWS resource id such as `i-0abc…`: prefix, then "0" and 16 more hex digits (17 in all). */
  awsId(prefix: string): string {
    return `${prefix}-0${this.hex(16)}`;
  }
  upperAlnum(length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)] ?? 'A';
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Catalogues

interface Policy {
  readonly name: string;
  /** Seconds after midnight UTC at which every due instance's backup starts. */
  readonly secondOfDay: number;
  /** Runs on days where dayIndex % everyDays === 0 (a shared phase, so instances tie). */
  readonly everyDays: number;
  readonly type: 'clumio_backup' | 'aws_snapshot';
  readonly tier: string;
  readonly retentionDays: number;
}

const hms = (h: number, m: number, s: number): number => h * 3600 + m * 60 + s;

const POLICIES: readonly Policy[] = [
  {
    name: 'gold-daily',
    secondOfDay: hms(2, 0, 0),
    everyDays: 1,
    type: 'clumio_backup',
    tier: 'standard',
    retentionDays: 395,
  },
  {
    name: 'silver-daily',
    secondOfDay: hms(5, 30, 0),
    everyDays: 1,
    type: 'clumio_backup',
    tier: 'lite',
    retentionDays: 180,
  },
  {
    name: 'snapshot-daily',
    secondOfDay: hms(22, 0, 0),
    everyDays: 1,
    type: 'aws_snapshot',
    tier: 'standard',
    retentionDays: 100,
  },
  {
    name: 'bronze-2-days',
    secondOfDay: hms(7, 0, 0),
    everyDays: 2,
    type: 'clumio_backup',
    tier: 'lite',
    retentionDays: 180,
  },
  {
    name: 'snapshot-3-days',
    secondOfDay: hms(23, 30, 0),
    everyDays: 3,
    type: 'aws_snapshot',
    tier: 'standard',
    retentionDays: 120,
  },
  {
    name: 'archive-weekly',
    secondOfDay: hms(3, 15, 0),
    everyDays: 7,
    type: 'clumio_backup',
    tier: 'standard',
    retentionDays: 730,
  },
];

const POLICY_WEIGHTS: ReadonlyArray<readonly [Policy, number]> = POLICIES.map((p): readonly [Policy, number] => {
  const weights: Record<string, number> = {
    'gold-daily': 16,
    'silver-daily': 14,
    'snapshot-daily': 12,
    'bronze-2-days': 24,
    'snapshot-3-days': 18,
    'archive-weekly': 16,
  };
  return [p, weights[p.name] ?? 1];
});

interface InstanceStoreSpec {
  readonly count: number;
  readonly bytes: number;
  readonly nvme: boolean;
}

interface InstanceTypeSpec {
  readonly arch: 'x86_64' | 'arm64';
  readonly store: InstanceStoreSpec | null;
}

const GB = 1_000_000_000;
const GIB = 1024 ** 3;

const INSTANCE_TYPES: Readonly<Record<string, InstanceTypeSpec>> = {
  't3.medium': { arch: 'x86_64', store: null },
  't4g.small': { arch: 'arm64', store: null },
  'm5.large': { arch: 'x86_64', store: null },
  'm5.xlarge': { arch: 'x86_64', store: null },
  'm6g.large': { arch: 'arm64', store: null },
  'c5.2xlarge': { arch: 'x86_64', store: null },
  'c7g.xlarge': { arch: 'arm64', store: null },
  'r5.xlarge': { arch: 'x86_64', store: null },
  'r6i.2xlarge': { arch: 'x86_64', store: null },
  'r7g.2xlarge': { arch: 'arm64', store: null },
  'm5d.large': { arch: 'x86_64', store: { count: 1, bytes: 75 * GB, nvme: true } },
  'c5d.2xlarge': { arch: 'x86_64', store: { count: 1, bytes: 200 * GB, nvme: true } },
  'r5d.2xlarge': { arch: 'x86_64', store: { count: 1, bytes: 300 * GB, nvme: true } },
  'm5d.4xlarge': { arch: 'x86_64', store: { count: 2, bytes: 300 * GB, nvme: true } },
  'i3.xlarge': { arch: 'x86_64', store: { count: 1, bytes: 950 * GB, nvme: true } },
  'i2.xlarge': { arch: 'x86_64', store: { count: 1, bytes: 800 * GB, nvme: false } },
};

interface ImageSpec {
  readonly name: string;
  readonly arch: 'x86_64' | 'arm64';
  readonly platform: 'linux' | 'windows';
  /** null: a private "golden" image owned by the instance's own account. */
  readonly owner: string | null;
  readonly rootDevice: '/dev/xvda' | '/dev/sda1';
}

const IMAGES: readonly ImageSpec[] = [
  { name: 'al2023-ami-2023.6.20250303.0-kernel-6.1-x86_64', arch: 'x86_64', platform: 'linux', owner: '137112412989', rootDevice: '/dev/xvda' },
  { name: 'al2023-ami-2023.6.20250303.0-kernel-6.1-arm64', arch: 'arm64', platform: 'linux', owner: '137112412989', rootDevice: '/dev/xvda' },
  { name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250305', arch: 'x86_64', platform: 'linux', owner: '099720109477', rootDevice: '/dev/sda1' },
  { name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20250305', arch: 'arm64', platform: 'linux', owner: '099720109477', rootDevice: '/dev/sda1' },
  { name: 'RHEL-9.5.0_HVM-20250313-x86_64-0-Hourly2-GP3', arch: 'x86_64', platform: 'linux', owner: '309956199498', rootDevice: '/dev/sda1' },
  { name: 'acme-golden-linux-2025-02-10', arch: 'x86_64', platform: 'linux', owner: null, rootDevice: '/dev/xvda' },
  { name: 'acme-golden-linux-arm64-2025-02-10', arch: 'arm64', platform: 'linux', owner: null, rootDevice: '/dev/xvda' },
  { name: 'Windows_Server-2022-English-Full-Base-2025.03.12', arch: 'x86_64', platform: 'windows', owner: '801119661308', rootDevice: '/dev/sda1' },
];

interface RoleSpec {
  readonly role: string;
  readonly types: readonly string[];
  readonly platform: 'linux' | 'windows';
  readonly team: string;
  readonly publicIpChance: number;
  /** Weighted number of data volumes (0..3) besides the root volume. */
  readonly dataVolumes: ReadonlyArray<readonly [number, number]>;
  readonly dataVolumeGib: readonly number[];
  readonly dataVolumeTypes: readonly string[];
}

const ROLES: readonly RoleSpec[] = [
  {
    role: 'web',
    types: ['t3.medium', 'm5.large', 'm6g.large', 't4g.small'],
    platform: 'linux',
    team: 'storefront',
    publicIpChance: 0.8,
    dataVolumes: [[0, 6], [1, 3]],
    dataVolumeGib: [100, 250],
    dataVolumeTypes: ['gp3', 'gp2'],
  },
  {
    role: 'api',
    types: ['m5.xlarge', 'c7g.xlarge', 'c5.2xlarge'],
    platform: 'linux',
    team: 'storefront',
    publicIpChance: 0.3,
    dataVolumes: [[0, 4], [1, 4], [2, 1]],
    dataVolumeGib: [100, 250, 500],
    dataVolumeTypes: ['gp3', 'gp2'],
  },
  {
    role: 'worker',
    types: ['c5d.2xlarge', 'm5d.large', 'c5.2xlarge'],
    platform: 'linux',
    team: 'platform',
    publicIpChance: 0,
    dataVolumes: [[0, 3], [1, 3], [2, 1]],
    dataVolumeGib: [250, 500, 1024],
    dataVolumeTypes: ['gp3', 'gp2', 'st1'],
  },
  {
    role: 'db',
    types: ['r5.xlarge', 'r6i.2xlarge', 'r7g.2xlarge', 'r5d.2xlarge'],
    platform: 'linux',
    team: 'data-platform',
    publicIpChance: 0,
    dataVolumes: [[1, 2], [2, 3], [3, 2]],
    dataVolumeGib: [500, 1024, 2048, 4096],
    dataVolumeTypes: ['io1', 'gp3', 'gp2'],
  },
  {
    role: 'cache',
    types: ['r5.xlarge', 'r6i.2xlarge', 'r7g.2xlarge'],
    platform: 'linux',
    team: 'data-platform',
    publicIpChance: 0,
    dataVolumes: [[0, 3], [1, 2]],
    dataVolumeGib: [100, 250],
    dataVolumeTypes: ['gp3'],
  },
  {
    role: 'analytics',
    types: ['i3.xlarge', 'm5d.4xlarge', 'r5d.2xlarge'],
    platform: 'linux',
    team: 'analytics',
    publicIpChance: 0,
    dataVolumes: [[1, 1], [2, 2], [3, 3]],
    dataVolumeGib: [2048, 4096, 8192, 16384],
    dataVolumeTypes: ['st1', 'sc1', 'gp2'],
  },
  {
    role: 'bastion',
    types: ['t3.medium', 't4g.small'],
    platform: 'linux',
    team: 'platform',
    publicIpChance: 1,
    dataVolumes: [[0, 1]],
    dataVolumeGib: [100],
    dataVolumeTypes: ['gp3'],
  },
  {
    role: 'build-agent',
    types: ['c5.2xlarge', 'c7g.xlarge', 'm5d.large'],
    platform: 'linux',
    team: 'platform',
    publicIpChance: 0.2,
    dataVolumes: [[0, 1], [1, 2]],
    dataVolumeGib: [250, 500],
    dataVolumeTypes: ['gp3', 'gp2', 'standard'],
  },
  {
    role: 'fileserver',
    types: ['m5.xlarge', 'r5.xlarge'],
    platform: 'windows',
    team: 'corp-it',
    publicIpChance: 0,
    dataVolumes: [[1, 2], [2, 2], [3, 1]],
    dataVolumeGib: [500, 1024, 2048],
    dataVolumeTypes: ['gp3', 'sc1', 'st1'],
  },
  {
    role: 'legacy-app',
    types: ['i2.xlarge', 'm5.large'],
    platform: 'windows',
    team: 'corp-it',
    publicIpChance: 0.1,
    dataVolumes: [[0, 1], [1, 2]],
    dataVolumeGib: [250, 500],
    dataVolumeTypes: ['gp2', 'standard'],
  },
];

const ROOT_VOLUME_GIB_LINUX = [8, 20, 30, 50, 100];
const ROOT_VOLUME_GIB_WINDOWS = [30, 50, 100, 200];
const DATA_DEVICE_NAMES = ['/dev/sdf', '/dev/sdg', '/dev/sdh'];
const PUBLIC_IP_FIRST_OCTETS: Readonly<Record<string, readonly number[]>> = {
  'us-west-2': [34, 35, 44, 52, 54],
  'us-east-1': [3, 18, 34, 44, 52, 54],
  'eu-central-1': [3, 18, 52],
};

// ---------------------------------------------------------------------------------------------
// Generation

interface VolumeTemplate {
  readonly id: string;
  readonly volumeNativeId: string;
  readonly name: string;
  readonly isRoot: boolean;
  readonly type: string;
  readonly sizeGib: number;
  readonly kmsKeyNativeId: string | null;
  readonly tags: SeededTag[];
  readonly initialFill: number;
  readonly dailyGrowth: number;
}

interface InstanceTemplate {
  readonly summary: SeededInstance;
  readonly account: SeededAwsAccount;
  readonly policy: Policy;
  readonly firstDay: number;
  readonly lastDay: number;
  readonly instanceType: string;
  readonly image: ImageSpec;
  readonly ami: SeededAmi;
  readonly volumes: readonly VolumeTemplate[];
  readonly instanceStore: readonly SeededInstanceStoreMapping[];
  readonly networkInterfaces: readonly SeededNetworkInterface[];
  readonly publicIp: string | null;
  readonly subnetNativeId: string;
  readonly vpcNativeId: string;
  readonly keyPair: { name: string; nativeId: string } | null;
  readonly iamInstanceProfile: Required<WireIamInstanceProfile> | null;
  readonly tags: SeededTag[];
  /** Share of this instance's backups whose browse indexing hits the file limit. */
  readonly fileLimitChance: number;
}

interface ScheduledBackup {
  readonly instance: InstanceTemplate;
  readonly startMs: number;
  readonly type: 'clumio_backup' | 'aws_snapshot';
  readonly tier: string;
  readonly retentionDays: number;
}

const INSTANCE_COUNT = 72;

export function formatRfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** Builds the whole data set; same seed, same data (ids, order, values). */
export function generateSeedData(seed: number = DEFAULT_SEED): SeedData {
  const rng = new Random(seed);
  const usedIds = new Set<string>([BACKUP_ID_WITH_HUGE_UTILIZED_SIZE]);
  const clumioId = (): string => {
    const id = rng.uuid();
    if (usedIds.has(id)) throw new Error(`seed ${seed} produced a duplicate id ${id}`);
    usedIds.add(id);
    return id;
  };

  // Per-account/region network and key material, created lazily so the PRNG order stays fixed.
  const memo = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key) as T;
  };
  const vpcOf = (acct: string, region: string): string => once(`vpc|${acct}|${region}`, () => rng.awsId('vpc'));
  const subnetOf = (acct: string, az: string, tier: 'public' | 'private'): string =>
    once(`subnet|${acct}|${az}|${tier}`, () => rng.awsId('subnet'));
  const securityGroupsOf = (acct: string, region: string): string[] =>
    once(`sg|${acct}|${region}`, () => Array.from({ length: 8 }, () => rng.awsId('sg')));
  const kmsKeyOf = (acct: string, region: string): string => once(`kms|${acct}|${region}`, () => rng.uuid());
  const amiIdOf = (region: string, image: string, acct: string): string =>
    once(`ami|${region}|${image}|${acct}`, () => rng.awsId('ami'));
  const keyPairOf = (acct: string, region: string, env: string): { name: string; nativeId: string } =>
    once(`key|${acct}|${region}|${env}`, () => ({ name: `${env}-${region}-ops`, nativeId: rng.awsId('key') }));
  const profileOf = (acct: string, role: string): Required<WireIamInstanceProfile> =>
    once(`iam|${acct}|${role}`, () => {
      const name = `${role}-instance-profile`;
      return { arn: `arn:aws:iam::${acct}:instance-profile/${name}`, name, native_id: `AIPA${rng.upperAlnum(17)}` };
    });

  const nameCounters = new Map<string, number>();
  const instances: InstanceTemplate[] = [];

  for (let i = 0; i < INSTANCE_COUNT; i++) {
    // Instance 0 is pinned: an analytics host in acme-prod with a 16 TiB volume, protected daily
    // since day 0, whose newest backup carries the huge utilized size.
    const pinned = i === 0;
    const account = pinned
      ? (SEED_AWS_ACCOUNTS[0] as SeededAwsAccount)
      : rng.weighted(SEED_AWS_ACCOUNTS.map((a, k): readonly [SeededAwsAccount, number] => [a, [30, 22, 24, 18][k] ?? 1]));
    const region = pinned ? 'us-west-2' : rng.pick(account.regions);
    const az = rng.pick(AVAILABILITY_ZONES[region] ?? []);
    const roleSpec = pinned ? (ROLES.find((r) => r.role === 'analytics') as RoleSpec) : rng.pick(ROLES);
    const env =
      account.alias === 'acme-sandbox'
        ? 'dev'
        : account.alias === 'acme-research'
          ? rng.pick(['research', 'research', 'dev'])
          : rng.weighted([['prod', 4], ['staging', 1]] as const);
    const policy = pinned ? (POLICIES[0] as Policy) : rng.weighted(POLICY_WEIGHTS);
    const firstDay = pinned || rng.chance(0.25) ? 0 : rng.int(10, 75);
    const lastDay = !pinned && rng.chance(0.1) ? rng.int(Math.max(firstDay + 5, 45), 85) : HISTORY_DAYS - 1;

    const instanceType = pinned ? 'm5d.4xlarge' : rng.pick(roleSpec.types);
    const typeSpec = INSTANCE_TYPES[instanceType] as InstanceTypeSpec;
    const image = rng.pick(IMAGES.filter((im) => im.arch === typeSpec.arch && im.platform === roleSpec.platform));
    const amiOwner = image.owner ?? account.accountNativeId;
    const ami: SeededAmi = {
      ami_native_id: amiIdOf(region, image.name, account.accountNativeId),
      architecture: image.arch,
      has_ena_support: true,
      hypervisor_type: 'xen',
      image_type: 'machine',
      is_public: image.owner !== null,
      name: image.name,
      number_of_ebs_volumes: 1,
      number_of_ephemeral_volumes: 0,
      owner_id: amiOwner,
      platform: image.platform,
      root_device_name: image.rootDevice,
      root_device_type: 'ebs',
      sriov_net_support: 'simple',
      // Not in the endpoint document, but in Clumio's Go SDK AmiModel: sent so clients prove they
      // tolerate it.
      state: 'available',
      virtualization_type: 'hvm',
    };

    const counterKey = `${env}-${roleSpec.role}`;
    const n = (nameCounters.get(counterKey) ?? 0) + 1;
    nameCounters.set(counterKey, n);
    const name = `${env}-${roleSpec.role}-${String(n).padStart(2, '0')}`;
    const team = account.alias === 'acme-payments' ? 'payments' : roleSpec.team;

    const encrypted = pinned || rng.chance(0.8);
    const kms = encrypted ? kmsKeyOf(account.accountNativeId, region) : null;
    const dataCount = pinned ? 3 : rng.weighted(roleSpec.dataVolumes);
    const volumes: VolumeTemplate[] = [];
    const rootGib = rng.pick(roleSpec.platform === 'windows' ? ROOT_VOLUME_GIB_WINDOWS : ROOT_VOLUME_GIB_LINUX);
    volumes.push({
      id: clumioId(),
      volumeNativeId: rng.awsId('vol'),
      name: image.rootDevice,
      isRoot: true,
      type: rng.pick(['gp3', 'gp3', 'gp2', 'io1']),
      sizeGib: rootGib,
      kmsKeyNativeId: kms,
      tags: [{ key: 'Name', value: `${name}-root` }],
      initialFill: 0.2 + rng.float() * 0.5,
      dailyGrowth: rng.float() * 0.002,
    });
    for (let v = 0; v < dataCount; v++) {
      const type = rng.pick(roleSpec.dataVolumeTypes);
      // st1/sc1 volumes start at 125 GiB; keep those at 500 GiB or more.
      const candidates = roleSpec.dataVolumeGib.filter((g) => (type === 'st1' || type === 'sc1' ? g >= 500 : true));
      const sizeGib = pinned && v === 0 ? 16384 : rng.pick(candidates.length > 0 ? candidates : [500]);
      const tags: SeededTag[] = [{ key: 'Name', value: `${name}-data${v + 1}` }];
      if (rng.chance(0.5)) tags.push({ key: 'env', value: env });
      volumes.push({
        id: clumioId(),
        volumeNativeId: rng.awsId('vol'),
        name: DATA_DEVICE_NAMES[v] ?? '/dev/sdi',
        isRoot: false,
        type,
        sizeGib,
        kmsKeyNativeId: kms,
        tags,
        initialFill: 0.05 + rng.float() * 0.8,
        dailyGrowth: rng.float() * 0.003,
      });
    }

    const instanceStore: SeededInstanceStoreMapping[] = [];
    for (let s = 0; s < (typeSpec.store?.count ?? 0); s++) {
      const store = typeSpec.store as InstanceStoreSpec;
      instanceStore.push({
        encryption: store.nvme ? 'hardware encrypted' : 'Not encrypted',
        is_nvme: store.nvme,
        name: s === 0 ? '/dev/sdb' : '/dev/sdc',
        size: store.bytes,
        type: 'Instance Store',
        virtual_name: `ephemeral${s}`,
      });
    }

    const hasPublicIp = !pinned && rng.chance(roleSpec.publicIpChance);
    const publicIp = hasPublicIp
      ? `${rng.pick(PUBLIC_IP_FIRST_OCTETS[region] ?? [54])}.${rng.int(1, 254)}.${rng.int(0, 255)}.${rng.int(1, 254)}`
      : null;
    const subnet = subnetOf(account.accountNativeId, az, hasPublicIp ? 'public' : 'private');
    const groups = securityGroupsOf(account.accountNativeId, region);
    const pickGroups = (): string[] => {
      const count = rng.weighted([[1, 3], [2, 3], [3, 1]] as const);
      const chosen = new Set<string>();
      while (chosen.size < count) chosen.add(rng.pick(groups));
      return [...chosen];
    };
    const networkInterfaces: SeededNetworkInterface[] = [
      {
        device_index: 0,
        network_interface_native_id: rng.awsId('eni'),
        public_ip: publicIp,
        security_group_native_ids: pickGroups(),
        subnet_native_id: subnet,
        virtual_name: 'eth0',
      },
    ];
    if (rng.chance(0.25)) {
      networkInterfaces.push({
        device_index: 1,
        network_interface_native_id: rng.awsId('eni'),
        public_ip: null,
        security_group_native_ids: pickGroups(),
        subnet_native_id: subnetOf(account.accountNativeId, az, 'private'),
        virtual_name: 'eth1',
      });
    }

    const keyPair = rng.chance(0.75) ? keyPairOf(account.accountNativeId, region, env) : null;
    const iamInstanceProfile = rng.chance(0.7) ? profileOf(account.accountNativeId, roleSpec.role) : null;
    const tags: SeededTag[] = [
      { key: 'Name', value: name },
      { key: 'env', value: env },
      { key: 'team', value: team },
    ];
    if (rng.chance(0.6)) tags.push({ key: 'cost-center', value: `cc-${rng.int(1000, 1999)}` });
    tags.push({ key: 'clumio-policy', value: policy.name });

    instances.push({
      summary: {
        instance_id: clumioId(),
        instance_native_id: rng.awsId('i'),
        account_native_id: account.accountNativeId,
        aws_region: region,
        aws_az: az,
        name,
        policy: policy.name,
      },
      account,
      policy,
      firstDay,
      lastDay,
      instanceType,
      image,
      ami,
      volumes,
      instanceStore,
      networkInterfaces,
      publicIp,
      subnetNativeId: subnet,
      vpcNativeId: vpcOf(account.accountNativeId, region),
      keyPair,
      iamInstanceProfile,
      tags,
      fileLimitChance: roleSpec.role === 'analytics' || roleSpec.role === 'fileserver' ? 0.4 : 0,
    });
  }

  // Schedule: every due policy run, minus the odd failed run (failed runs leave no backup), plus
  // occasional on-demand backups at arbitrary seconds.
  const schedule: ScheduledBackup[] = [];
  for (let day = 0; day < HISTORY_DAYS; day++) {
    const dayMs = FIRST_DAY_MS + day * DAY_MS;
    for (const instance of instances) {
      if (day < instance.firstDay || day > instance.lastDay) continue;
      const { policy } = instance;
      const pinnedInstance = instance === instances[0];
      if (day % policy.everyDays === 0 && (pinnedInstance || !rng.chance(0.03))) {
        schedule.push({
          instance,
          startMs: dayMs + policy.secondOfDay * 1000,
          type: policy.type,
          tier: policy.tier,
          retentionDays: policy.retentionDays,
        });
      }
      if (rng.chance(0.012)) {
        schedule.push({
          instance,
          startMs: dayMs + rng.int(0, 86_399) * 1000,
          type: 'clumio_backup',
          tier: 'standard',
          retentionDays: 365,
        });
      }
    }
  }

  const pinned = instances[0] as InstanceTemplate;
  let hugeIndex = -1;
  schedule.forEach((s, k) => {
    const best = schedule[hugeIndex];
    if (s.instance === pinned && (best === undefined || s.startMs > best.startMs)) hugeIndex = k;
  });

  const backups: SeededEc2Backup[] = schedule.map((s, k) => buildBackup(rng, s, k === hugeIndex, clumioId));

  // Newest first: descending (start_timestamp, id).
  const keyed = backups.map((b) => ({ b, ms: Date.parse(b.start_timestamp) }));
  keyed.sort((x, y) => (x.ms !== y.ms ? y.ms - x.ms : x.b.id < y.b.id ? 1 : x.b.id > y.b.id ? -1 : 0));

  return {
    seed,
    backups: keyed.map((k) => k.b),
    // An instance whose every run failed has no backups, so the API never shows it: leave it out.
    instances: instances.filter((t) => schedule.some((s) => s.instance === t)).map((t) => t.summary),
  };
}

function buildBackup(rng: Random, s: ScheduledBackup, huge: boolean, clumioId: () => string): SeededEc2Backup {
  const t = s.instance;
  const id = huge ? BACKUP_ID_WITH_HUGE_UTILIZED_SIZE : clumioId();
  const day = (s.startMs - FIRST_DAY_MS) / DAY_MS;

  const volumes: SeededEbsVolume[] = t.volumes.map((v) => {
    const sizeBytes = v.sizeGib * GIB;
    const fill = Math.min(0.97, v.initialFill + v.dailyGrowth * day);
    return {
      id: v.id,
      is_root: v.isRoot,
      kms_key_native_id: v.kmsKeyNativeId,
      name: v.name,
      size: sizeBytes,
      status: 'attached',
      tags: v.tags.map((tag) => ({ ...tag })),
      type: v.type,
      utilized_size_in_bytes: Math.floor(sizeBytes * fill),
      volume_native_id: v.volumeNativeId,
    };
  });
  const sizeGb = t.volumes.reduce((sum, v) => sum + v.sizeGib, 0);
  const utilized = volumes.reduce((sum, v) => sum + (v.utilized_size_in_bytes as number), 0);

  const started = formatRfc3339(s.startMs);
  const compactStamp = started.replace(/[-:]/g, '').replace(/Z$/, '');
  const backupAmi: SeededAmi = {
    ...t.ami,
    ami_native_id: rng.awsId('ami'),
    is_public: false,
    name: `clumio-${t.summary.instance_native_id}-${compactStamp}`,
    number_of_ebs_volumes: volumes.length,
    number_of_ephemeral_volumes: t.instanceStore.length,
    owner_id: t.account.accountNativeId,
  };

  let browsingFailedReason: string | null = null;
  if (rng.chance(t.fileLimitChance)) browsingFailedReason = 'file_limit_exceeded';
  else if (rng.chance(0.03)) browsingFailedReason = 'browsing_unavailable';

  // A handful of early Clumio backups are migrations of older snapshots, triggered days later.
  const migration =
    s.type === 'clumio_backup' && day < 30 && rng.chance(0.006)
      ? formatRfc3339(s.startMs + rng.int(1, 10) * DAY_MS + rng.int(0, 86_399) * 1000)
      : null;

  return {
    _links: {
      _self: { href: `${EC2_BACKUPS_PATH}/${id}`, templated: false, type: 'get' },
      'restore-aws-ec2-instance': { href: '/restores/aws/ec2-instances', templated: false, type: 'post' },
    },
    account_native_id: t.account.accountNativeId,
    ami: { ...t.ami },
    attached_backup_ebs_volumes: volumes,
    aws_az: t.summary.aws_az,
    aws_region: t.summary.aws_region,
    backup_ami: backupAmi,
    backup_tier: s.tier,
    browsing_failed_reason: browsingFailedReason,
    expiration_timestamp: formatRfc3339(s.startMs + s.retentionDays * DAY_MS),
    iam_instance_profile: t.iamInstanceProfile === null ? null : { ...t.iamInstanceProfile },
    id,
    instance_id: t.summary.instance_id,
    instance_native_id: t.summary.instance_native_id,
    instance_store_block_device_mappings: t.instanceStore.map((m) => ({ ...m })),
    instance_type: t.instanceType,
    is_browsable: browsingFailedReason === null,
    key_pair_name: t.keyPair?.name ?? null,
    key_pair_native_id: t.keyPair?.nativeId ?? null,
    migration_timestamp: migration,
    network_interfaces: t.networkInterfaces.map((ni) => ({
      ...ni,
      security_group_native_ids: [...ni.security_group_native_ids],
    })),
    public_ip_address: t.publicIp,
    size: sizeGb,
    start_timestamp: started,
    subnet_native_id: t.subnetNativeId,
    tags: t.tags.map((tag) => ({ ...tag })),
    type: s.type,
    utilized_size_in_bytes: huge ? HUGE_UTILIZED_SIZE_IN_BYTES : utilized,
    vpc_native_id: t.vpcNativeId,
  };
}
