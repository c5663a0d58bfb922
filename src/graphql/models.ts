import type { ListQuery } from '../clumio/list-query';
import type { WireEc2Backup, WireTask } from '../clumio/wire-types';
import type { ConnectionPage } from '../loaders/backup-loaders';
import type { ConnectionPlan } from '../paging/connection-window';

/**
 * What resolvers pass between each other where no Clumio wire type fits (see codegen.ts mappers).
 */

/** An EC2 instance, known by Clumio's instance ID. */
export interface InstanceModel {
  kind: 'Ec2Instance';
  instanceId: string;
}

/**
 * A connection before anything is fetched: the caller's list, the plan for the page, and the lists
 * the plan reads. Its fields (edges, pageInfo, totalCount) load only what they need, so `totalCount`
 * alone costs a one-item call.
 */
export interface ConnectionModel {
  /** The caller's list (filter and order): what `totalCount` counts and cursors are bound to. */
  list: ListQuery;
  /** Fingerprint of `list`, the binding every cursor of this connection carries. */
  fingerprint: string;
  plan: ConnectionPlan;
  /** Whether the page next to a cursor is read from `list` by the cursor's offset first (offset-seek.ts). */
  seeksByOffset: boolean;
  /** The caller's list cut by both cursors (the list read for the page), by `after` only, by `before` only. */
  read: ListQuery;
  afterList: ListQuery;
  beforeList: ListQuery;
}

/** An edge: its item, and where it sits, so its cursor is minted only when `cursor` is selected. */
export interface EdgeModel {
  node: WireEc2Backup;
  connection: ConnectionModel;
  page: ConnectionPage;
  offset: number;
}

/** A connection's loaded page; pageInfo's fields are computed only when selected. */
export interface PageInfoModel {
  connection: ConnectionModel;
  page: ConnectionPage;
}

/** What the restore mutation resolves to: the task Clumio accepted the restore as. */
export interface RestorePayloadModel {
  task: WireTask;
}
