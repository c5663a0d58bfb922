import type { Ec2InstanceResolvers, NodeResolvers } from '../../generated/resolvers-types';
import { toGlobalId } from '../global-id';
import { backupConnection } from './connection';
import { checkClumioId } from '../clumio-id';
import { selectsField } from '../selection';
import { isClumioTask } from '../../restores/restores';

export const Ec2Instance: Ec2InstanceResolvers = {
  // Federation: the instance ID is all this subgraph needs, so a reference costs nothing upstream;
  // `backups` and `latestBackup` load (through the per-request loaders) only when asked for. Unlike
  // `node(id:)`, existence is not checked: the subgraph that owns the instance vouches for it.
  __resolveReference: async (reference) => ({
    kind: 'Ec2Instance',
    instanceId: checkClumioId(reference.instanceId, 'representations.instanceId'),
  }),
  id: (instance) => toGlobalId('Ec2Instance', instance.instanceId),
  instanceId: (instance) => instance.instanceId,
  backups: (instance, args, _context, info) =>
    backupConnection(
      {
        instanceId: instance.instanceId,
        startedAtOrBefore: args.filter?.startTimestamp?.lte,
        startedAfter: args.filter?.startTimestamp?.gt,
        direction: args.orderBy?.direction,
      },
      args,
      selectsField(info, 'totalCount'),
    ),
  latestBackup: (instance, _args, context) => context.loaders.latestBackupByInstance.load(instance.instanceId),
};

export const Node: NodeResolvers = {
  __resolveType: (object) => ('kind' in object ? 'Ec2Instance' : isClumioTask(object) ? 'ClumioTask' : 'Ec2InstanceBackup'),
};
