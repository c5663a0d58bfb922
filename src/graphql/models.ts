import type { ListQuery } from '../clumio/list-query';
import type { WireEc2Backup } from '../clumio/wire-types';
import type { ListWindow } from '../paging/connection-window';

/**
 * What resolvers pass between each other where no Clumio wire type fits (see codegen.ts mappers).
 */

/** An EC2 instance, known by Clumio's instance ID. */
export interface InstanceModel {
  kind: 'Ec2Instance';
  instanceId: string;
}

/**
 * A connection before anything is fetched: the list and the window of it to serve. Its fields
 * (edges, pageInfo, totalCount) load only what they need, so `totalCount` alone costs a one-item call.
 */
export interface ConnectionModel {
  list: ListQuery;
  window: ListWindow;
  /** Fingerprint of `list`, the binding every cursor of this connection carries. */
  fingerprint: string;
}

export interface EdgeModel {
  cursor: string;
  node: WireEc2Backup;
}

export interface PageInfoModel {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
