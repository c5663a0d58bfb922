import { BACKUP_ID_WITH_HUGE_UTILIZED_SIZE, DEFAULT_EMULATOR_TOKEN } from '../../src/emulator';
import { startHarness, expectNoErrors } from '../support/harness';
import type { Harness } from '../support/harness';

/** Every documented field, in camelCase, with the right scalars, enums and units. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const ALL_FIELDS = `
  id backupId instanceId instanceNativeId accountNativeId awsRegion awsAz instanceType
  startTimestamp expirationTimestamp migrationTimestamp type backupTier size utilizedSizeInBytes
  isBrowsable browsingFailedReason keyPairName keyPairNativeId publicIpAddress subnetNativeId vpcNativeId
  ami { amiNativeId name architecture platform hypervisorType imageType virtualizationType rootDeviceName
        rootDeviceType sriovNetSupport hasEnaSupport isPublic ownerId state numberOfEbsVolumes numberOfEphemeralVolumes }
  backupAmi { amiNativeId rootDeviceType }
  attachedBackupEbsVolumes { id volumeNativeId name isRoot size utilizedSizeInBytes type status kmsKeyNativeId tags { key value } }
  instanceStoreBlockDeviceMappings { name virtualName size isNvme encryption type }
  networkInterfaces { networkInterfaceNativeId deviceIndex virtualName publicIp subnetNativeId securityGroupNativeIds }
  iamInstanceProfile { arn name nativeId }
  tags { key value }
  links { self { href templated type } restoreAwsEc2Instance { href templated type } }
  instance { id instanceId }
`;

async function rawBackup(id: string): Promise<string> {
  const response = await fetch(`${h.emulator.url}/backups/aws/ec2-instances/${id}`, {
    headers: { authorization: `Bearer ${DEFAULT_EMULATOR_TOKEN}` },
  });
  return response.text();
}

describe('Ec2InstanceBackup fields', () => {
  it('maps every Clumio field of a backup', async () => {
    const wire = h.emulator.backups[0]!;
    const response = await h.gql(`{ ec2InstanceBackup(backupId: "${wire.id}") { ${ALL_FIELDS} } }`);
    expectNoErrors(response, h);
    const b = response.data.ec2InstanceBackup;
    expect(b).toMatchObject({
      backupId: wire.id,
      instanceId: wire.instance_id,
      instanceNativeId: wire.instance_native_id,
      accountNativeId: wire.account_native_id,
      awsRegion: wire.aws_region,
      awsAz: wire.aws_az,
      instanceType: wire.instance_type,
      startTimestamp: wire.start_timestamp,
      expirationTimestamp: wire.expiration_timestamp,
      backupTier: wire.backup_tier,
      isBrowsable: wire.is_browsable,
      subnetNativeId: wire.subnet_native_id,
      vpcNativeId: wire.vpc_native_id,
      instance: { instanceId: wire.instance_id },
      links: {
        self: { href: `/backups/aws/ec2-instances/${wire.id}`, templated: false, type: 'get' },
        restoreAwsEc2Instance: { href: '/restores/aws/ec2-instances', type: 'post' },
      },
    });
    expect(b.type).toBe(wire.type === 'clumio_backup' ? 'CLUMIO_BACKUP' : 'AWS_SNAPSHOT');
    expect(b.ami.amiNativeId).toBe(wire.ami?.ami_native_id);
    expect(b.ami.rootDeviceType).toBe(wire.ami?.root_device_type === 'ebs' ? 'EBS' : 'INSTANCE_STORE');
    expect(b.tags).toEqual(wire.tags);
    expect(b.networkInterfaces[0].securityGroupNativeIds).toEqual(wire.network_interfaces?.[0]?.security_group_native_ids);
    expect(b.id).not.toContain(wire.id);
  });

  it('carries byte sizes above 2^31 exactly, and says GB for the top-level size', async () => {
    const wire = h.emulator.backups.find((b) => (b.attached_backup_ebs_volumes ?? []).some((v) => Number(v.size) > 2 ** 31))!;
    const response = await h.gql(`{ ec2InstanceBackup(backupId: "${wire.id}") { size attachedBackupEbsVolumes { size utilizedSizeInBytes } } }`);
    expectNoErrors(response, h);
    const raw = await rawBackup(wire.id!);
    const volumes = response.data.ec2InstanceBackup.attachedBackupEbsVolumes;
    expect(volumes.some((v: any) => v.size > 2 ** 31)).toBe(true);
    for (const v of volumes) {
      expect(raw).toContain(`"size":${v.size}`);
      expect(typeof v.size).toBe('number');
    }
    expect(raw).toContain(`"size":${response.data.ec2InstanceBackup.size},`);
  });

  it('carries a utilized size above 2^53 digit for digit, as a string', async () => {
    const raw = await rawBackup(BACKUP_ID_WITH_HUGE_UTILIZED_SIZE);
    // The backup's own (top-level) utilized size is the largest in the body: volumes' are parts of it.
    const all = [...raw.matchAll(/"utilized_size_in_bytes":\s*(\d+)/g)].map((m) => m[1]!);
    const digits = all.reduce((a, b) => (BigInt(a) > BigInt(b) ? a : b));
    expect(BigInt(digits) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const response = await h.gql(`{ ec2InstanceBackup(backupId: "${BACKUP_ID_WITH_HUGE_UTILIZED_SIZE}") { utilizedSizeInBytes } }`);
    expectNoErrors(response, h);
    expect(response.data.ec2InstanceBackup.utilizedSizeInBytes).toBe(digits);
  });

  it('maps enums, and answers null for absent values without an error', async () => {
    const failed = h.emulator.backups.find((b) => b.browsing_failed_reason)!;
    const response = await h.gql(`{
      f: ec2InstanceBackup(backupId: "${failed.id}") { browsingFailedReason isBrowsable }
      types: ec2InstanceBackups(first: 100) { nodes { type migrationTimestamp keyPairName browsingFailedReason } }
    }`);
    expectNoErrors(response, h);
    expect(response.data.f.browsingFailedReason).toBe(failed.browsing_failed_reason!.toUpperCase());
    const nodes = response.data.types.nodes;
    expect(new Set(nodes.map((n: any) => n.type))).toEqual(new Set(['CLUMIO_BACKUP', 'AWS_SNAPSHOT']));
    expect(nodes.some((n: any) => n.migrationTimestamp === null)).toBe(true);
    expect(nodes.some((n: any) => n.browsingFailedReason === null)).toBe(true);
  });

  it('fetches backups and instances again through node and nodes', async () => {
    const wire = h.emulator.backups[3]!;
    const first = await h.gql(`{ ec2InstanceBackup(backupId: "${wire.id}") { id instance { id instanceId } } }`);
    const { id, instance } = first.data.ec2InstanceBackup;
    const response = await h.gql(`{
      node(id: "${id}") { __typename id ... on Ec2InstanceBackup { backupId } }
      nodes(ids: ["${instance.id}", "${id}"]) { __typename id ... on Ec2Instance { instanceId latestBackup { backupId } } }
    }`);
    expectNoErrors(response, h);
    expect(response.data.node).toEqual({ __typename: 'Ec2InstanceBackup', id, backupId: wire.id });
    expect(response.data.nodes[0]).toMatchObject({ __typename: 'Ec2Instance', id: instance.id, instanceId: wire.instance_id });
    expect(response.data.nodes[1]).toMatchObject({ __typename: 'Ec2InstanceBackup', id });
  });
});
