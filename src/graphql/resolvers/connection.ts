import { listQuery, withStartTimeBounds } from '../../clumio/list-query';
import type { ListCriteria, ListQuery } from '../../clumio/list-query';
import { unexpectedUpstream } from '../../errors';
import type {
  Ec2InstanceBackupConnectionResolvers,
  Ec2InstanceBackupEdgeResolvers,
  PageInfoResolvers,
} from '../../generated/resolvers-types';
import type { ConnectionPage } from '../../loaders/backup-loaders';
import { planConnection } from '../../paging/connection-window';
import type { ConnectionArgs, StartTimeBounds } from '../../paging/connection-window';
import { encodeCursor, listFingerprint } from '../../paging/cursor';
import { positionAt } from '../../paging/keyset';
import { seeksByOffset } from '../../paging/offset-seek';
import type { GatewayContext } from '../context';
import type { ConnectionModel, EdgeModel } from '../models';

/**
 * Relay connections over a Clumio list. Arguments and cursors are validated when the connection is
 * created (before anything is fetched); each connection field then loads only what it needs.
 */

/**
 * `totalCountSelected`: whether the operation asks for this connection's `totalCount`, which decides
 * how a page next to a cursor is read (offset-seek.ts).
 */
export function backupConnection(criteria: ListCriteria, args: ConnectionArgs, totalCountSelected: boolean): ConnectionModel {
  const list = listQuery(criteria);
  // Hashed only when a cursor is read or minted.
  let fingerprint: string | undefined;
  const fingerprintOf = (): string => (fingerprint ??= listFingerprint(list.key));
  const callerBounds = { lte: criteria.startedAtOrBefore ?? undefined, gt: criteria.startedAfter ?? undefined };
  const plan = planConnection(args, callerBounds, criteria.direction ?? 'DESC', fingerprintOf);
  // The caller's list cut by start-time bounds; the caller's list itself where no cursor cuts it.
  const cut = (bounds: StartTimeBounds): ListQuery =>
    bounds.lte === plan.callerBounds.lte && bounds.gt === plan.callerBounds.gt ? list : listQuery(withStartTimeBounds(criteria, bounds));
  return {
    list,
    get fingerprint() {
      return fingerprintOf();
    },
    plan,
    seeksByOffset: seeksByOffset(plan, totalCountSelected),
    read: cut(plan.bounds),
    afterList: cut(plan.afterBounds),
    beforeList: cut(plan.beforeBounds),
  };
}

function loadPage(connection: ConnectionModel, context: GatewayContext): Promise<ConnectionPage> {
  return context.loaders.connectionPage(connection.read, connection.plan, connection.seeksByOffset ? connection.list : undefined);
}

function cursorAt(connection: ConnectionModel, page: ConnectionPage, offset: number): string {
  const position = positionAt(connection.plan, page.view, page.window, offset);
  if (!position) throw unexpectedUpstream('a backup without an RFC 3339 start_timestamp in a list sorted by it');
  return encodeCursor(position, connection.fingerprint);
}

/** Does the caller's list hold items beyond the list read, on the side `after` (or `before`) cut? */
async function anythingOutside(connection: ConnectionModel, side: 'after' | 'before', context: GatewayContext): Promise<boolean> {
  const { windows } = context.loaders;
  const [all, cut] = await Promise.all([
    windows.load({ list: connection.list, window: { kind: 'total' } }),
    windows.load({ list: side === 'after' ? connection.afterList : connection.beforeList, window: { kind: 'total' } }),
  ]);
  return all.total > cut.total;
}

export const Ec2InstanceBackupConnection: Ec2InstanceBackupConnectionResolvers = {
  edges: async (connection, _args, context) => {
    const page = await loadPage(connection, context);
    const { from } = page.window;
    return page.items.map((node, i): EdgeModel => ({ node, connection, page, offset: from + i }));
  },
  nodes: async (connection, _args, context) => (await loadPage(connection, context)).items,
  pageInfo: async (connection, _args, context) => ({ connection, page: await loadPage(connection, context) }),
  totalCount: async (connection, _args, context) =>
    (await context.loaders.windows.load({ list: connection.list, window: { kind: 'total' } })).total,
};

export const Ec2InstanceBackupEdge: Ec2InstanceBackupEdgeResolvers = {
  cursor: (edge) => cursorAt(edge.connection, edge.page, edge.offset),
  node: (edge) => edge.node,
};

export const PageInfo: PageInfoResolvers = {
  // Relay's HasPreviousPage/HasNextPage, answered exactly; only when a cursor's own item is gone
  // does the answer need a count of the caller's list (see keyset.ts, 'outside').
  hasNextPage: ({ connection, page }, _args, context) => {
    const answer = page.window.hasNextPage;
    return answer === 'outside' ? anythingOutside(connection, 'before', context) : answer;
  },
  hasPreviousPage: ({ connection, page }, _args, context) => {
    const answer = page.window.hasPreviousPage;
    return answer === 'outside' ? anythingOutside(connection, 'after', context) : answer;
  },
  startCursor: ({ connection, page }) => (page.items.length === 0 ? null : cursorAt(connection, page, page.window.from)),
  endCursor: ({ connection, page }) => (page.items.length === 0 ? null : cursorAt(connection, page, page.window.to - 1)),
};
