import type { Ec2InstanceResolvers, NodeResolvers } from '../../generated/resolvers-types';
import { toGlobalId } from '../global-id';
import { backupConnection } from './connection';

export const Ec2Instance: Ec2InstanceResolvers = {
  id: (instance) => toGlobalId('Ec2Instance', instance.instanceId),
  instanceId: (instance) => instance.instanceId,
  backups: (instance, args) =>
    backupConnection(
      {
        instanceId: instance.instanceId,
        startedAtOrBefore: args.filter?.startTimestamp?.lte,
        startedAfter: args.filter?.startTimestamp?.gt,
        direction: args.orderBy?.direction,
      },
      args,
    ),
  latestBackup: (instance, _args, context) => context.loaders.latestBackupByInstance.load(instance.instanceId),
};

export const Node: NodeResolvers = {
  __resolveType: (object) => ('kind' in object && object.kind === 'Ec2Instance' ? 'Ec2Instance' : 'Ec2InstanceBackup'),
};
