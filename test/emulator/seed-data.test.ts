/** The seeded data set: size, variety, realism of ids and sizes, ties, determinism, OU layout. */
import type { WireEc2Backup } from '../../src/clumio/wire-types';
import type { SeededEc2Backup } from '../../src/emulator';
import {
  BACKUP_ID_WITH_HUGE_UTILIZED_SIZE,
  DATA_SET_AS_OF,
  DEFAULT_SEED,
  generateSeedData,
  GLOBAL_ORGANIZATIONAL_UNIT_ID,
  HUGE_UTILIZED_SIZE_IN_BYTES,
  ORGANIZATIONAL_UNITS,
  SEED_AWS_ACCOUNTS,
} from '../../src/emulator';
import { stringifyWithUint64 } from '../../src/emulator/raw-json';

const data = generateSeedData();
const backups = data.backups;
const asOf = Date.parse(DATA_SET_AS_OF);
const DAY = 86_400_000;
const GIB = 1024 ** 3;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const awsId = (prefix: string): RegExp => new RegExp(`^${prefix}-0[0-9a-f]{16}$`);

/**
 * The item fields of the endpoint document. A Record over keyof WireEc2Backup, so the type checker
 * fails if this list and the wire type ever disagree. (The document lists 29 names; the brief and
 * the facts file say "30", which over-counts.)
 */
const FIELD_SET: Record<keyof WireEc2Backup, true> = {
  _links: true, account_native_id: true, ami: true, attached_backup_ebs_volumes: true, aws_az: true,
  aws_region: true, backup_ami: true, backup_tier: true, browsing_failed_reason: true, expiration_timestamp: true,
  iam_instance_profile: true, id: true, instance_id: true, instance_native_id: true,
  instance_store_block_device_mappings: true, instance_type: true, is_browsable: true, key_pair_name: true,
  key_pair_native_id: true, migration_timestamp: true, network_interfaces: true, public_ip_address: true, size: true,
  start_timestamp: true, subnet_native_id: true, tags: true, type: true, utilized_size_in_bytes: true,
  vpc_native_id: true,
};
const DOCUMENTED_FIELDS = Object.keys(FIELD_SET);
const AMI_FIELDS = [
  'ami_native_id', 'architecture', 'has_ena_support', 'hypervisor_type', 'image_type', 'is_public', 'name',
  'number_of_ebs_volumes', 'number_of_ephemeral_volumes', 'owner_id', 'platform', 'root_device_name',
  'root_device_type', 'sriov_net_support', 'virtualization_type',
];

const distinct = <T>(values: T[]): Set<T> => new Set(values);
const isHuge = (b: SeededEc2Backup): boolean => b.id === BACKUP_ID_WITH_HUGE_UTILIZED_SIZE;

describe('size and variety', () => {
  it('has at least 2,000 backups of at least 60 instances', () => {
    expect(backups.length).toBeGreaterThanOrEqual(2000);
    expect(distinct(backups.map((b) => b.instance_id)).size).toBeGreaterThanOrEqual(60);
    expect(data.instances.length).toBe(distinct(backups.map((b) => b.instance_id)).size);
  });

  it('spans 4 accounts, 3 regions with their AZs, both types and both tiers', () => {
    expect(distinct(backups.map((b) => b.account_native_id))).toEqual(
      distinct(SEED_AWS_ACCOUNTS.map((a) => a.accountNativeId)),
    );
    expect([...distinct(backups.map((b) => b.account_native_id))].every((a) => /^\d{12}$/.test(a))).toBe(true);
    expect(distinct(backups.map((b) => b.aws_region))).toEqual(new Set(['us-west-2', 'us-east-1', 'eu-central-1']));
    for (const b of backups) expect(b.aws_az?.startsWith(b.aws_region ?? '?')).toBe(true);
    expect(distinct(backups.map((b) => b.type))).toEqual(new Set(['clumio_backup', 'aws_snapshot']));
    expect(distinct(backups.map((b) => b.backup_tier))).toEqual(new Set(['standard', 'lite']));
  });
});

/** Ids of the backups failing `check` (an empty list is a pass); one expect per property keeps this fast. */
const failing = (check: (b: SeededEc2Backup) => boolean): string[] => backups.filter((b) => !check(b)).map((b) => b.id);

describe('every item', () => {
  it('carries every documented field, and no other', () => {
    expect(DOCUMENTED_FIELDS).toHaveLength(29);
    const expected = [...DOCUMENTED_FIELDS].sort().join(',');
    expect(failing((b) => Object.keys(b).sort().join(',') === expected)).toEqual([]);
  });

  it('links to itself and to the restore endpoint', () => {
    expect(backups[0]?._links).toEqual({
      _self: { href: `/backups/aws/ec2-instances/${backups[0]?.id ?? ''}`, templated: false, type: 'get' },
      'restore-aws-ec2-instance': { href: '/restores/aws/ec2-instances', templated: false, type: 'post' },
    });
    const expected = (b: SeededEc2Backup): string =>
      JSON.stringify({
        _self: { href: `/backups/aws/ec2-instances/${b.id}`, templated: false, type: 'get' },
        'restore-aws-ec2-instance': { href: '/restores/aws/ec2-instances', templated: false, type: 'post' },
      });
    expect(failing((b) => JSON.stringify(b._links) === expected(b))).toEqual([]);
  });

  it('uses UUID-like Clumio ids (unique) and real-looking AWS ids', () => {
    expect(distinct(backups.map((b) => b.id)).size).toBe(backups.length);
    expect(failing((b) => UUID.test(b.id) && UUID.test(b.instance_id))).toEqual([]);
    expect(
      failing(
        (b) =>
          awsId('i').test(b.instance_native_id ?? '') &&
          awsId('vpc').test(b.vpc_native_id ?? '') &&
          awsId('subnet').test(b.subnet_native_id ?? '') &&
          awsId('ami').test(b.ami.ami_native_id ?? '') &&
          awsId('ami').test(b.backup_ami.ami_native_id ?? ''),
      ),
    ).toEqual([]);
    expect(
      failing((b) =>
        b.attached_backup_ebs_volumes.every((v) => UUID.test(v.id ?? '') && awsId('vol').test(v.volume_native_id ?? '')),
      ),
    ).toEqual([]);
    expect(
      failing((b) =>
        b.network_interfaces.every(
          (ni) =>
            awsId('eni').test(ni.network_interface_native_id ?? '') &&
            awsId('subnet').test(ni.subnet_native_id ?? '') &&
            ni.security_group_native_ids.every((sg) => awsId('sg').test(sg)),
        ),
      ),
    ).toEqual([]);
    expect(failing((b) => b.key_pair_native_id === null || awsId('key').test(b.key_pair_native_id))).toEqual([]);
    expect(
      failing(
        (b) =>
          b.iam_instance_profile === null ||
          (b.iam_instance_profile.arn ===
            `arn:aws:iam::${b.account_native_id}:instance-profile/${b.iam_instance_profile.name ?? ''}` &&
            /^AIPA[A-Z2-7]{17}$/.test(b.iam_instance_profile.native_id ?? '')),
      ),
    ).toEqual([]);
  });

  it('has fully populated AMIs', () => {
    const populated = (ami: SeededEc2Backup['ami']): boolean =>
      AMI_FIELDS.every((f) => (ami as Record<string, unknown>)[f] != null) &&
      ['/dev/xvda', '/dev/sda1'].includes(ami.root_device_name ?? '') &&
      ['x86_64', 'arm64'].includes(ami.architecture ?? '');
    expect(failing((b) => populated(b.ami) && populated(b.backup_ami))).toEqual([]);
    expect(
      failing(
        (b) =>
          b.backup_ami.number_of_ebs_volumes === b.attached_backup_ebs_volumes.length &&
          b.backup_ami.owner_id === b.account_native_id,
      ),
    ).toEqual([]);
  });

  it('has 1-4 EBS volumes with one root, sizes in bytes above 2^31, and the top-level size in GB', () => {
    expect(distinct(backups.map((b) => b.attached_backup_ebs_volumes.length))).toEqual(new Set([1, 2, 3, 4]));
    expect(failing((b) => b.attached_backup_ebs_volumes.filter((v) => v.is_root).length === 1)).toEqual([]);
    const volumeOk = (v: SeededEc2Backup['attached_backup_ebs_volumes'][number]): boolean => {
      const size = v.size as number;
      const utilized = v.utilized_size_in_bytes as number;
      return Number.isSafeInteger(size) && size > 2 ** 31 && size % GIB === 0 && Number.isSafeInteger(utilized) && utilized <= size;
    };
    expect(failing((b) => b.attached_backup_ebs_volumes.every(volumeOk))).toEqual([]);
    const gib = (b: SeededEc2Backup): number => b.attached_backup_ebs_volumes.reduce((n, v) => n + (v.size as number) / GIB, 0);
    const used = (b: SeededEc2Backup): number =>
      b.attached_backup_ebs_volumes.reduce((n, v) => n + (v.utilized_size_in_bytes as number), 0);
    expect(failing((b) => b.size === gib(b))).toEqual([]);
    expect(
      failing(
        (b) => isHuge(b) || (b.utilized_size_in_bytes === used(b) && used(b) <= (b.size as number) * GIB),
      ),
    ).toEqual([]);
    const largest = Math.max(...backups.flatMap((b) => b.attached_backup_ebs_volumes.map((v) => v.size as number)));
    expect(largest).toBe(16 * 1024 * GIB);
  });

  it('has 0-2 instance-store mappings, 1-2 network interfaces with 1-3 security groups, and tags', () => {
    expect(distinct(backups.map((b) => b.instance_store_block_device_mappings.length))).toEqual(new Set([0, 1, 2]));
    expect(
      failing((b) => b.instance_store_block_device_mappings.every((m) => m.type === 'Instance Store' && (m.size as number) > 0)),
    ).toEqual([]);
    expect(distinct(backups.map((b) => b.network_interfaces.length))).toEqual(new Set([1, 2]));
    expect(
      failing((b) =>
        b.network_interfaces.every((ni) => ni.security_group_native_ids.length >= 1 && ni.security_group_native_ids.length <= 3),
      ),
    ).toEqual([]);
    expect(failing((b) => (b.network_interfaces[0]?.public_ip ?? null) === b.public_ip_address)).toEqual([]);
    expect(failing((b) => ['Name', 'env', 'team'].every((k) => b.tags.some((t) => t.key === k)))).toEqual([]);
  });

  it('has realistic nulls', () => {
    const some = (f: (b: SeededEc2Backup) => boolean): boolean => backups.some(f);
    expect(some((b) => b.key_pair_name === null) && some((b) => b.key_pair_name !== null)).toBe(true);
    expect(failing((b) => (b.key_pair_name === null) === (b.key_pair_native_id === null))).toEqual([]);
    expect(some((b) => b.iam_instance_profile === null) && some((b) => b.iam_instance_profile !== null)).toBe(true);
    expect(some((b) => b.public_ip_address === null) && some((b) => b.public_ip_address !== null)).toBe(true);
    const migrations = backups.filter((b) => b.migration_timestamp !== null);
    expect(migrations.length).toBeGreaterThanOrEqual(1);
    expect(migrations.length).toBeLessThanOrEqual(20);
    for (const b of migrations) expect(Date.parse(b.migration_timestamp ?? '')).toBeGreaterThan(Date.parse(b.start_timestamp));
    expect(distinct(backups.map((b) => b.browsing_failed_reason))).toEqual(
      new Set([null, 'file_limit_exceeded', 'browsing_unavailable']),
    );
    expect(failing((b) => b.is_browsable === (b.browsing_failed_reason === null))).toEqual([]);
  });

  it('has RFC-3339 timestamps over ~90 days before the as-of date, expiring after it', () => {
    expect(failing((b) => RFC3339_Z.test(b.start_timestamp) && RFC3339_Z.test(b.expiration_timestamp))).toEqual([]);
    expect(
      failing((b) => {
        const start = Date.parse(b.start_timestamp);
        return start < asOf && start >= asOf - 90 * DAY && Date.parse(b.expiration_timestamp) > asOf;
      }),
    ).toEqual([]);
  });
});

describe('the huge utilized size', () => {
  it('is carried by exactly one backup, as a digit string above 2^53', () => {
    const huge = backups.filter((b) => typeof b.utilized_size_in_bytes === 'string');
    expect(huge.map((b) => b.id)).toEqual([BACKUP_ID_WITH_HUGE_UTILIZED_SIZE]);
    expect(huge[0]?.utilized_size_in_bytes).toBe(HUGE_UTILIZED_SIZE_IN_BYTES);
    expect(BigInt(HUGE_UTILIZED_SIZE_IN_BYTES)).toBeGreaterThan(2n ** 53n);
    expect(stringifyWithUint64(huge[0])).toContain(`"utilized_size_in_bytes":${HUGE_UTILIZED_SIZE_IN_BYTES}`);
  });

  it('keeps the same id under another seed', () => {
    expect(generateSeedData(7).backups.some((b) => b.id === BACKUP_ID_WITH_HUGE_UTILIZED_SIZE)).toBe(true);
  });
});

describe('order and ties', () => {
  it('is newest first: descending (start_timestamp, id)', () => {
    const outOfOrder = backups.slice(1).filter((b, k) => {
      const a = backups[k] as SeededEc2Backup;
      const d = Date.parse(a.start_timestamp) - Date.parse(b.start_timestamp);
      return !(d > 0 || (d === 0 && a.id > b.id));
    });
    expect(outOfOrder.map((b) => b.id)).toEqual([]);
  });

  it('has ties across instances, with page-size-10 boundaries inside tie groups in both orders', () => {
    const groups = new Map<string, Set<string>>();
    for (const b of backups) {
      const set = groups.get(b.start_timestamp) ?? new Set<string>();
      set.add(b.instance_id);
      groups.set(b.start_timestamp, set);
    }
    const tied = [...groups.values()].filter((s) => s.size > 1);
    expect(tied.length).toBeGreaterThan(100);
    const insideTie = (items: readonly SeededEc2Backup[]): number => {
      let n = 0;
      for (let k = 10; k < items.length; k += 10) if (items[k - 1]?.start_timestamp === items[k]?.start_timestamp) n++;
      return n;
    };
    expect(insideTie(backups)).toBeGreaterThan(10);
    expect(insideTie([...backups].reverse())).toBeGreaterThan(10);
  });
});

describe('determinism', () => {
  it('yields identical data for the same seed and different data for another', () => {
    const again = generateSeedData(DEFAULT_SEED);
    expect(again.backups.map(stringifyWithUint64)).toEqual(backups.map(stringifyWithUint64));
    const other = generateSeedData(DEFAULT_SEED + 1);
    expect(other.backups.map((b) => b.id)).not.toEqual(backups.map((b) => b.id));
    expect(other.backups.length).toBeGreaterThanOrEqual(2000);
  });
});

describe('organizational units', () => {
  it('has three OUs with stable distinct ids, owning subsets of the seeded accounts', () => {
    expect(ORGANIZATIONAL_UNITS).toHaveLength(3);
    const ids = ORGANIZATIONAL_UNITS.map((ou) => ou.id);
    expect(distinct([...ids, GLOBAL_ORGANIZATIONAL_UNIT_ID]).size).toBe(4);
    const accounts = new Set(SEED_AWS_ACCOUNTS.map((a) => a.accountNativeId));
    for (const ou of ORGANIZATIONAL_UNITS) {
      expect(ou.id).toMatch(UUID);
      expect(ou.accountNativeIds?.length).toBeGreaterThan(0);
      for (const a of ou.accountNativeIds ?? []) expect(accounts.has(a)).toBe(true);
      expect(backups.some((b) => ou.accountNativeIds?.includes(b.account_native_id))).toBe(true);
    }
  });
});
