import { BadUserInputError } from '../../errors';
import type { QueryResolvers } from '../../generated/resolvers-types';
import type { GatewayContext } from '../context';
import { fromGlobalId } from '../global-id';
import { settleListItems } from '../list-items';
import { selectsField } from '../selection';
import type { InstanceModel } from '../models';
import type { WireEc2Backup, WireTask } from '../../clumio/wire-types';
import { backupConnection } from './connection';
import { checkClumioId } from '../clumio-id';

const MAX_NODES = 100;

/** Resolves a global ID through the per-request loaders; null when Clumio has no such object. */
async function loadNode(globalId: string, context: GatewayContext): Promise<WireEc2Backup | InstanceModel | WireTask | null> {
  const { type, id } = fromGlobalId(globalId);
  if (type === 'Ec2InstanceBackup') return context.loaders.backupById.load(id);
  if (type === 'ClumioTask') return context.restores.task(id);
  // Clumio has no instance read on this API: an instance exists for us while it has a backup.
  const latest = await context.loaders.latestBackupByInstance.load(id);
  return latest ? { kind: 'Ec2Instance', instanceId: id } : null;
}

export const Query: QueryResolvers = {
  ec2InstanceBackups: (_root, args, _context, info) =>
    backupConnection(
      {
        instanceId: args.filter?.instanceId == null ? null : checkClumioId(args.filter.instanceId, 'filter.instanceId'),
        startedAtOrBefore: args.filter?.startTimestamp?.lte,
        startedAfter: args.filter?.startTimestamp?.gt,
        direction: args.orderBy?.direction,
      },
      args,
      selectsField(info, 'totalCount'),
    ),

  ec2InstanceBackup: (_root, args, context) => context.loaders.backupById.load(checkClumioId(args.backupId, 'backupId')),

  clumioTask: (_root, args, context) => context.restores.task(args.taskId),

  node: (_root, args, context) => loadNode(args.id, context),

  nodes: (_root, args, context) => {
    if (args.ids.length > MAX_NODES) {
      throw new BadUserInputError(`\`ids\` takes at most ${MAX_NODES} IDs; got ${args.ids.length}.`, 'ids');
    }
    // One promise per position, completed on its own, so a bad or missing ID nulls its own entry
    // only. (The generated type has no slot for a per-item promise of null or an Error.)
    return settleListItems(args.ids.map((id) => loadNode(id, context))) as unknown as Array<Promise<WireEc2Backup | InstanceModel | WireTask>>;
  },
};
