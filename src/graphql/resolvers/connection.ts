import type { ListQuery } from '../../clumio/list-query';
import type {
  Ec2InstanceBackupConnectionResolvers,
  Ec2InstanceBackupEdgeResolvers,
  PageInfoResolvers,
} from '../../generated/resolvers-types';
import type { WindowResult } from '../../loaders/backup-loaders';
import { windowFor } from '../../paging/connection-window';
import type { ConnectionArgs } from '../../paging/connection-window';
import { encodeCursor, listFingerprint } from '../../paging/cursor';
import type { GatewayContext } from '../context';
import type { ConnectionModel, EdgeModel } from '../models';

/**
 * Relay connections over a Clumio list. Arguments are validated when the connection is created
 * (before anything is fetched); each connection field then loads only what it needs.
 */

export function backupConnection(list: ListQuery, args: ConnectionArgs): ConnectionModel {
  const fingerprint = listFingerprint(list.key);
  return { list, fingerprint, window: windowFor(args, fingerprint) };
}

function loadWindow(connection: ConnectionModel, context: GatewayContext): Promise<WindowResult> {
  return context.loaders.windows.load({ list: connection.list, window: connection.window });
}

function edgesOf(connection: ConnectionModel, result: WindowResult): EdgeModel[] {
  return result.items.map((node, i) => ({ node, cursor: encodeCursor(result.from + i, connection.fingerprint) }));
}

export const Ec2InstanceBackupConnection: Ec2InstanceBackupConnectionResolvers = {
  edges: async (connection, _args, context) => edgesOf(connection, await loadWindow(connection, context)),
  nodes: async (connection, _args, context) => (await loadWindow(connection, context)).items,
  pageInfo: async (connection, _args, context) => {
    const result = await loadWindow(connection, context);
    const empty = result.items.length === 0;
    return {
      // Relay's HasPreviousPage/HasNextPage, answered exactly: Clumio's total_count tells whether
      // items exist beyond either end of the window, whichever arguments were given.
      hasPreviousPage: result.from > 0,
      hasNextPage: result.to < result.total,
      startCursor: empty ? null : encodeCursor(result.from, connection.fingerprint),
      endCursor: empty ? null : encodeCursor(result.from + result.items.length - 1, connection.fingerprint),
    };
  },
  totalCount: async (connection, _args, context) =>
    (await context.loaders.windows.load({ list: connection.list, window: { kind: 'total' } })).total,
};

export const Ec2InstanceBackupEdge: Ec2InstanceBackupEdgeResolvers = {
  cursor: (edge) => edge.cursor,
  node: (edge) => edge.node,
};

export const PageInfo: PageInfoResolvers = {
  hasNextPage: (info) => info.hasNextPage,
  hasPreviousPage: (info) => info.hasPreviousPage,
  startCursor: (info) => info.startCursor,
  endCursor: (info) => info.endCursor,
};
