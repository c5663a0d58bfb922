import type { WireAmi, WireAttachedEbsVolume, WireEc2Backup, WireEc2BackupLinks, WireHateoasLink, WireIamInstanceProfile, WireInstanceStoreBlockDeviceMapping, WireNetworkInterface, WireTag } from '../../clumio/wire-types';
import { WireBackupType, WireBrowsingFailedReason, WireRootDeviceType } from '../../clumio/wire-enums';
import { unexpectedUpstream } from '../../errors';
import type {
  AmiResolvers,
  AttachedEbsVolumeResolvers,
  AwsTagResolvers,
  Ec2InstanceBackupLinksResolvers,
  Ec2InstanceBackupResolvers,
  HateoasLinkResolvers,
  IamInstanceProfileResolvers,
  InstanceStoreBlockDeviceMappingResolvers,
  NetworkInterfaceResolvers,
} from '../../generated/resolvers-types';
import { toGlobalId } from '../global-id';
import { checkClumioId } from '../clumio-id';
import { knownValue, wireField } from './wire-field';

/** Clumio's EC2 backup record → the schema's camelCase fields. One line per field. */

const backupType = knownValue(Object.values(WireBackupType));
const browsingFailedReason = knownValue(Object.values(WireBrowsingFailedReason));
const rootDeviceType = knownValue(Object.values(WireRootDeviceType));

/** A backup without an id cannot be identified at all: that is Clumio's fault, said so. */
function requireString(value: string | null | undefined, field: string): string {
  if (typeof value === 'string' && value.length > 0) return value;
  throw unexpectedUpstream(`a backup without \`${field}\``);
}

const b = <K extends keyof WireEc2Backup>(key: K) => wireField<WireEc2Backup, K>(key);

export const Ec2InstanceBackup: Ec2InstanceBackupResolvers = {
  // Federation: another subgraph's `{ __typename: "Ec2InstanceBackup", backupId }`. Through the
  // per-request loader, so a router's batch of representations costs one read per distinct backup;
  // null when Clumio has no such backup. Async, so a bad key fails its own entity only.
  __resolveReference: async (reference, context) =>
    context.loaders.backupById.load(checkClumioId(reference.backupId, 'representations.backupId')),
  id: (backup) => toGlobalId('Ec2InstanceBackup', requireString(backup.id, 'id')),
  backupId: (backup) => requireString(backup.id, 'id'),
  instance: (backup) => ({ kind: 'Ec2Instance', instanceId: requireString(backup.instance_id, 'instance_id') }),
  instanceId: b('instance_id'),
  instanceNativeId: b('instance_native_id'),
  accountNativeId: b('account_native_id'),
  awsRegion: b('aws_region'),
  awsAz: b('aws_az'),
  instanceType: b('instance_type'),
  startTimestamp: b('start_timestamp'),
  expirationTimestamp: b('expiration_timestamp'),
  migrationTimestamp: b('migration_timestamp'),
  type: (backup) => backupType(backup.type),
  backupTier: b('backup_tier'),
  size: b('size'),
  utilizedSizeInBytes: b('utilized_size_in_bytes'),
  isBrowsable: b('is_browsable'),
  browsingFailedReason: (backup) => browsingFailedReason(backup.browsing_failed_reason),
  ami: b('ami'),
  backupAmi: b('backup_ami'),
  attachedBackupEbsVolumes: b('attached_backup_ebs_volumes'),
  instanceStoreBlockDeviceMappings: b('instance_store_block_device_mappings'),
  networkInterfaces: b('network_interfaces'),
  iamInstanceProfile: b('iam_instance_profile'),
  keyPairName: b('key_pair_name'),
  keyPairNativeId: b('key_pair_native_id'),
  publicIpAddress: b('public_ip_address'),
  subnetNativeId: b('subnet_native_id'),
  vpcNativeId: b('vpc_native_id'),
  tags: b('tags'),
  links: b('_links'),
};

export const Ec2InstanceBackupLinks: Ec2InstanceBackupLinksResolvers = {
  self: wireField<WireEc2BackupLinks, '_self'>('_self'),
  restoreAwsEc2Instance: wireField<WireEc2BackupLinks, 'restore-aws-ec2-instance'>('restore-aws-ec2-instance'),
};

const ami = <K extends keyof WireAmi>(key: K) => wireField<WireAmi, K>(key);

export const Ami: AmiResolvers = {
  amiNativeId: ami('ami_native_id'),
  name: ami('name'),
  architecture: ami('architecture'),
  platform: ami('platform'),
  hypervisorType: ami('hypervisor_type'),
  imageType: ami('image_type'),
  virtualizationType: ami('virtualization_type'),
  rootDeviceName: ami('root_device_name'),
  rootDeviceType: (parent) => rootDeviceType(parent.root_device_type),
  sriovNetSupport: ami('sriov_net_support'),
  hasEnaSupport: ami('has_ena_support'),
  isPublic: ami('is_public'),
  ownerId: ami('owner_id'),
  state: ami('state'),
  numberOfEbsVolumes: ami('number_of_ebs_volumes'),
  numberOfEphemeralVolumes: ami('number_of_ephemeral_volumes'),
};

const ebs = <K extends keyof WireAttachedEbsVolume>(key: K) => wireField<WireAttachedEbsVolume, K>(key);

export const AttachedEbsVolume: AttachedEbsVolumeResolvers = {
  id: ebs('id'),
  volumeNativeId: ebs('volume_native_id'),
  name: ebs('name'),
  isRoot: ebs('is_root'),
  size: ebs('size'),
  utilizedSizeInBytes: ebs('utilized_size_in_bytes'),
  type: ebs('type'),
  status: ebs('status'),
  kmsKeyNativeId: ebs('kms_key_native_id'),
  tags: ebs('tags'),
};

const store = <K extends keyof WireInstanceStoreBlockDeviceMapping>(key: K) =>
  wireField<WireInstanceStoreBlockDeviceMapping, K>(key);

export const InstanceStoreBlockDeviceMapping: InstanceStoreBlockDeviceMappingResolvers = {
  name: store('name'),
  virtualName: store('virtual_name'),
  size: store('size'),
  isNvme: store('is_nvme'),
  encryption: store('encryption'),
  type: store('type'),
};

const nic = <K extends keyof WireNetworkInterface>(key: K) => wireField<WireNetworkInterface, K>(key);

export const NetworkInterface: NetworkInterfaceResolvers = {
  networkInterfaceNativeId: nic('network_interface_native_id'),
  deviceIndex: nic('device_index'),
  virtualName: nic('virtual_name'),
  publicIp: nic('public_ip'),
  subnetNativeId: nic('subnet_native_id'),
  securityGroupNativeIds: nic('security_group_native_ids'),
};

export const IamInstanceProfile: IamInstanceProfileResolvers = {
  arn: wireField<WireIamInstanceProfile, 'arn'>('arn'),
  name: wireField<WireIamInstanceProfile, 'name'>('name'),
  nativeId: wireField<WireIamInstanceProfile, 'native_id'>('native_id'),
};

export const AwsTag: AwsTagResolvers = {
  key: wireField<WireTag, 'key'>('key'),
  value: wireField<WireTag, 'value'>('value'),
};

export const HateoasLink: HateoasLinkResolvers = {
  href: wireField<WireHateoasLink, 'href'>('href'),
  templated: wireField<WireHateoasLink, 'templated'>('templated'),
  type: wireField<WireHateoasLink, 'type'>('type'),
};
