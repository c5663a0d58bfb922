import { WireTaskStatus } from '../../clumio/wire-enums';
import type { WireTask, WireTaskEntity } from '../../clumio/wire-types';
import type { ClumioTaskEntityResolvers, ClumioTaskResolvers, MutationResolvers, RestoreEc2InstanceBackupPayloadResolvers, SubscriptionResolvers } from '../../generated/resolvers-types';
import { toGlobalId } from '../global-id';
import { knownValue, wireField } from './wire-field';

/** Restores and Clumio tasks: thin over the request's RestoreContext (src/restores/restores.ts). */

const taskStatus = knownValue(Object.values(WireTaskStatus));

export const Mutation: MutationResolvers = {
  restoreEc2InstanceBackup: async (_root, args, context) => ({ task: await context.restores.start(args.input) }),
};

export const Subscription: SubscriptionResolvers = {
  clumioTask: {
    subscribe: (_root, args, context) => context.restores.follow(args.taskId, context.request.signal),
    resolve: (task: WireTask) => task,
  },
};

export const RestoreEc2InstanceBackupPayload: RestoreEc2InstanceBackupPayloadResolvers = {
  task: (payload) => payload.task,
};

export const ClumioTask: ClumioTaskResolvers = {
  // The restore always knows its task id, and a task read is by id: `id` is never missing here.
  id: (task) => toGlobalId('ClumioTask', task.id ?? ''),
  taskId: (task) => task.id ?? '',
  status: (task) => taskStatus(task.status),
  progressPercentage: wireField<WireTask, 'progress_percentage'>('progress_percentage'),
  createdTimestamp: wireField<WireTask, 'created_timestamp'>('created_timestamp'),
  startTimestamp: wireField<WireTask, 'start_timestamp'>('start_timestamp'),
  endTimestamp: wireField<WireTask, 'end_timestamp'>('end_timestamp'),
  category: wireField<WireTask, 'category'>('category'),
  genre: wireField<WireTask, 'genre'>('genre'),
  type: wireField<WireTask, 'type'>('type'),
  isAbortable: wireField<WireTask, 'is_abortable'>('is_abortable'),
  primaryEntity: wireField<WireTask, 'primary_entity'>('primary_entity'),
  parentEntity: wireField<WireTask, 'parent_entity'>('parent_entity'),
};

export const ClumioTaskEntity: ClumioTaskEntityResolvers = {
  id: wireField<WireTaskEntity, 'id'>('id'),
  type: wireField<WireTaskEntity, 'type'>('type'),
  value: wireField<WireTaskEntity, 'value'>('value'),
};
