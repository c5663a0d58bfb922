import { WireBackupType, WireBrowsingFailedReason, WireRootDeviceType, WireTaskStatus } from '../../clumio/wire-enums';
import type { Resolvers } from '../../generated/resolvers-types';
import { DateTime, UInt64 } from '../scalars';
import { Ami, AttachedEbsVolume, AwsTag, Ec2InstanceBackup, Ec2InstanceBackupLinks, HateoasLink, IamInstanceProfile, InstanceStoreBlockDeviceMapping, NetworkInterface } from './backup';
import { Ec2InstanceBackupConnection, Ec2InstanceBackupEdge, PageInfo } from './connection';
import { Ec2Instance, Node } from './instance';
import { Query } from './query';
import { ClumioTask, ClumioTaskEntity, Mutation, RestoreEc2InstanceBackupPayload, Subscription } from './restores';

export const resolvers: Resolvers = {
  Query,
  Mutation,
  Subscription,
  Node,
  Ec2Instance,
  Ec2InstanceBackup,
  Ec2InstanceBackupLinks,
  Ec2InstanceBackupConnection,
  Ec2InstanceBackupEdge,
  PageInfo,
  Ami,
  AttachedEbsVolume,
  InstanceStoreBlockDeviceMapping,
  NetworkInterface,
  IamInstanceProfile,
  AwsTag,
  HateoasLink,
  DateTime,
  UInt64,
  BackupType: WireBackupType,
  BrowsingFailedReason: WireBrowsingFailedReason,
  RootDeviceType: WireRootDeviceType,
  ClumioTaskStatus: WireTaskStatus,
  RestoreEc2InstanceBackupPayload,
  ClumioTask,
  ClumioTaskEntity,
};
